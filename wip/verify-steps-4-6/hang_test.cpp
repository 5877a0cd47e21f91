// Bounded and interruptible: a target that accepts connections and never answers fails fast,
// each check naming why, and the run's deadline ends a run that would take longer.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;

namespace {

// A loopback socket that listens but never accepts: the kernel completes every handshake, and
// nothing ever answers. Closed on destruction.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(fd_, 512) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("verify: a target that never answers fails every check after two timeouts",
          "[verify]") {
  CurlGlobal curl;
  SilentListener silent;
  verify::TargetSpec target = verify::reference_target({silent.url()}, Millis{500});
  verify::VerifyOptions options = test_options("default");
  options.timeout = Millis{300};
  const auto started = std::chrono::steady_clock::now();
  const Report report = verify::run_verify(source_catalogue(), target, options);
  // Two requests of 300 ms, then nothing more is sent.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  REQUIRE(report.checks.size() == source_catalogue().size());
  CHECK(ids_with(report, Verdict::Pass).empty());
  int not_run = 0;
  for (const auto& c : report.checks) {
    if (c.verdict == Verdict::Skip) continue;  // opt-in, second instance
    CHECK(c.verdict == Verdict::Fail);
    CHECK_FALSE(c.reason.empty());
    if (c.reason.find("not run: the target answered none of the first 2 requests") == 0) ++not_run;
  }
  CHECK(not_run >= 18);
  CHECK_THAT(report.checks.front().reason, Catch::Contains("timeout"));
}

TEST_CASE("verify: the run's deadline fails the checks it did not reach, naming it", "[verify]") {
  CurlGlobal curl;
  SilentListener silent;
  verify::TargetSpec target = verify::reference_target({silent.url()}, Millis{500});
  verify::VerifyOptions options = test_options("default");
  options.timeout = Millis{5000};
  options.deadline = Millis{400};
  const auto started = std::chrono::steady_clock::now();
  const Report report = verify::run_verify(source_catalogue(), target, options);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  CHECK_FALSE(report.passed());
  CHECK_THAT(report.checks.back().reason, Catch::Contains("--deadline of 400ms passed"));
}

TEST_CASE("verify: a cancelled run stops before its next check", "[verify]") {
  CurlGlobal curl;
  std::atomic<bool> cancel{false};
  verify::VerifyOptions options = test_options("default");
  options.cancel = &cancel;
  int seen = 0;
  options.on_check = [&](const CheckResult&) {
    if (++seen == 3) cancel = true;
  };
  const Report report = verify_server(verify_server_config(), options);
  CHECK(report.checks.size() == 3);
  CHECK(seen == 3);
}
