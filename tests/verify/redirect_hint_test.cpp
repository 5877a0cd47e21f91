// A target whose guarded endpoint redirects: verify does not follow (a redirected POST is not
// the request the checks judge) and the report says where the redirect points.
#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"
#include "support/raw_server.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;

namespace {

Report verify_raw(const RawServer& server) {
  CurlGlobal curl;
  verify::TargetSpec target;
  target.base_urls = {server.url("")};
  target.headers = {{"Content-Type", "application/json"}};
  verify::VerifyOptions options = test_options("default");
  options.only = {"first-executes"};
  return verify::run_verify(source_catalogue(), target, options);
}

}  // namespace

TEST_CASE("verify: a 3xx from the target is not followed and the hint names the --path to use",
          "[verify]") {
  RawServer server("HTTP/1.1 308 Permanent Redirect\r\nLocation: /v2/payments\r\n"
                   "Content-Length: 0\r\n\r\n");
  const Report report = verify_raw(server);
  INFO(summary(report));
  REQUIRE(report.checks.size() == 1);
  CHECK(report.checks[0].verdict == Verdict::Fail);
  CHECK(server.seen().size() == 1);  // not followed: nothing asked for /v2/payments
  REQUIRE(report.hints.size() == 1);
  CHECK_THAT(report.hints[0],
             Catch::Equals("the target answered 308 to POST " + server.url("/payments") +
                           " pointing to /v2/payments; verify does not follow redirects: run it "
                           "with --path /v2/payments"));
}

TEST_CASE("verify: a redirect to another origin names the --target and --path to use",
          "[verify]") {
  RawServer server("HTTP/1.1 301 Moved Permanently\r\n"
                   "Location: https://api.example.test/v1/payments?x=1\r\nContent-Length: 0\r\n\r\n");
  const Report report = verify_raw(server);
  REQUIRE(report.hints.size() == 1);
  CHECK_THAT(report.hints[0],
             Catch::EndsWith("run it with --target https://api.example.test --path "
                             "/v1/payments?x=1"));
}
