// run_verify_endpoints: several endpoints of one in-process reference server, in parallel and
// one at a time, with every check naming its endpoint.
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>

#include "idem/client/http_client.hpp"
#include "idem/verify/endpoint_runner.hpp"
#include "idem/verify/target.hpp"
#include "support/test_server.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;

namespace {

// Four endpoints of the reference server: its two resources, each also under a query that the
// fingerprint tells apart (so every endpoint has its own records).
std::vector<verify::TargetSpec> four_endpoints(const std::string& base_url) {
  const verify::TargetSpec base = verify::reference_target({base_url}, kTestLockTtl, kTestSlowDelay);
  std::vector<Endpoint> list;
  for (const char* path : {"/payments", "/refunds", "/payments?channel=b", "/refunds?channel=b"}) {
    Endpoint e;
    e.path = path;
    if (std::string(path).starts_with("/refunds")) {
      e.body = R"({"payment_id":"pay_1","amount":{{n}}})";
    }
    list.push_back(e);
  }
  return expand_endpoints(base, list);
}

}  // namespace

TEST_CASE("run_verify_endpoints: endpoints run in parallel, each check names its endpoint",
          "[verify]") {
  CurlGlobal curl;
  TestServer server(verify_server_config());
  const auto endpoints = four_endpoints(server.server().base_url());
  verify::VerifyOptions o = test_options();
  // Checks whose wall time is mostly the slow trigger's 200 ms per round, so the gain of running
  // endpoints at once is visible above the machine's noise.
  o.only = {"concurrent-duplicates", "conflict-shape", "after-burst-replay"};
  std::mutex mu;  // guards seen
  std::set<std::string> seen;
  o.on_check = [&](const CheckResult& c) {
    const std::lock_guard lock(mu);
    seen.insert(c.endpoint);
  };
  const auto timed = [&](int jobs) {
    const auto start = std::chrono::steady_clock::now();
    const Report r = verify::run_verify_endpoints(source_catalogue(), endpoints, o, jobs);
    INFO(summary(r));
    CHECK(r.passed());
    return std::pair{r, std::chrono::steady_clock::now() - start};
  };
  const auto [parallel, parallel_time] = timed(4);
  const auto [serial, serial_time] = timed(1);
  REQUIRE(parallel.endpoints ==
          std::vector<std::string>{"POST /payments", "POST /refunds", "POST /payments?channel=b",
                                   "POST /refunds?channel=b"});
  REQUIRE(parallel.checks.size() == 4 * 3);
  for (size_t i = 0; i < parallel.checks.size(); ++i) {
    CHECK(parallel.checks[i].endpoint == parallel.endpoints[i / 3]);  // grouped, in order
  }
  CHECK(seen == std::set<std::string>(parallel.endpoints.begin(), parallel.endpoints.end()));
  const double ratio = std::chrono::duration<double>(parallel_time).count() /
                       std::chrono::duration<double>(serial_time).count();
  INFO("4 endpoints: parallel " << std::chrono::duration<double>(parallel_time).count()
                                << " s, one at a time "
                                << std::chrono::duration<double>(serial_time).count() << " s");
  CHECK(ratio < 0.7);  // ideal 0.25
}
