// Targets that misbehave on the wire: verify fails the affected checks with a clear reason and
// the run ends (bounded by --timeout, and for a hanging target by two timeouts in a row).
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "idem/client/http_client.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;

namespace {

enum class Misbehaviour { Garbage, Close, Hang, DeepProblem };

// Accepts connections on 127.0.0.1:0 and misbehaves on each until destroyed.
class MisbehavingServer {
 public:
  explicit MisbehavingServer(Misbehaviour how) : how_(how) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~MisbehavingServer() {
    stop_ = true;
    thread_.join();
    for (int c : held_) ::close(c);
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;  // wakes up to see stop_
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      char buf[4096];
      pollfd pc{c, POLLIN, 0};
      if (::poll(&pc, 1, 200) == 1) (void)!::read(c, buf, sizeof(buf));
      if (how_ == Misbehaviour::Garbage) {
        const char garbage[] = "this is not HTTP\r\n\r\n";
        (void)!::write(c, garbage, sizeof(garbage) - 1);
      }
      if (how_ == Misbehaviour::DeepProblem) {
        // A 409 problem whose body nests 70 000 deep: parsed without a bound, it would
        // overflow the stack.
        const std::string body =
            R"({"type":)" + std::string(70000, '[') + std::string(70000, ']') + "}";
        const std::string answer =
            "HTTP/1.1 409 Conflict\r\nRetry-After: 1\r\nContent-Type: application/problem+json\r\n"
            "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
            body;
        (void)!::write(c, answer.data(), answer.size());
      }
      if (how_ == Misbehaviour::Hang) {
        held_.push_back(c);  // never answered, closed at the end
      } else {
        ::close(c);
      }
    }
  }

  Misbehaviour how_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> held_;  // only touched by the loop thread, then by the destructor after join
  std::thread thread_;
};

Report verify_raw(const MisbehavingServer& server) {
  CurlGlobal curl;
  verify::TargetSpec target;
  target.base_urls = {server.url()};
  target.headers = {{"Content-Type", "application/json"}};
  verify::VerifyOptions options = test_options("default");
  options.timeout = Millis{300};
  options.only = {"first-executes", "replay-identical", "concurrent-duplicates",
                  "payload-mismatch"};
  return verify::run_verify(source_catalogue(), target, options);
}

}  // namespace

TEST_CASE("verify: a target answering garbage, closing or hanging fails its checks with the reason",
          "[verify]") {
  for (Misbehaviour how : {Misbehaviour::Garbage, Misbehaviour::Close, Misbehaviour::Hang}) {
    DYNAMIC_SECTION("misbehaviour " << static_cast<int>(how)) {
      MisbehavingServer server(how);
      const Report report = verify_raw(server);
      INFO(summary(report));
      REQUIRE(report.checks.size() == 4);
      for (const auto& c : report.checks) {
        // A check cut before its premise (stopped, not run) is an error, not a rule broken.
        const bool cut = c.reason.find("stopped: ") != std::string::npos ||
                         c.reason.starts_with("not run: ");
        CHECK(c.verdict == (cut ? Verdict::Error : Verdict::Fail));
        CHECK_THAT(c.reason, Catch::Contains("no answer"));
        // A hanging target ends the run after two timeouts: the checks after it send nothing.
        CHECK(c.exchanges.empty() == c.reason.starts_with("not run: "));
      }
    }
  }
}

TEST_CASE("verify: a problem body nested too deep is an unparseable body, not a crash",
          "[verify]") {
  CurlGlobal curl;
  MisbehavingServer server(Misbehaviour::DeepProblem);
  verify::TargetSpec target;
  target.base_urls = {server.url()};
  target.headers = {{"Content-Type", "application/json"}};
  verify::VerifyOptions options = test_options("default");
  target.slow = verify::Trigger{{{"X-Slow", "1"}}, std::nullopt};  // the burst's premise
  target.slow_delay = Millis{200};
  options.only = {"conflict-shape"};
  const Report report = verify::run_verify(source_catalogue(), target, options);
  INFO(summary(report));
  REQUIRE(report.checks.size() == 1);
  CHECK(report.checks[0].verdict == Verdict::Fail);
  CHECK_THAT(report.checks[0].reason,
             Catch::Contains("unparseable application/problem+json body"));
}
