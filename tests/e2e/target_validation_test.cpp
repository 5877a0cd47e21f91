// Addresses and target URLs on the real binary: bracketed IPv6 works end to end, impossible
// ports and addresses are exit 2 with one line naming the flag, a refused connection is named.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "support/loopback_listener.hpp"
#include "support/process.hpp"

using namespace idem;
using namespace idem::test;

namespace {

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

bool have_ipv6_loopback() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

TEST_CASE("CLI: serve listens on [::1] and verify reaches it by a bracketed URL", "[cli]") {
  if (!have_ipv6_loopback()) {
    WARN("no IPv6 loopback on this machine: nothing to test");
    return;
  }
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "[::1]:0", "-q"});
  const std::string out =
      serve.wait_for_output("listening on http://[::1]:", std::chrono::seconds(10));
  const size_t at = out.find("http://[::1]:");
  REQUIRE(at != std::string::npos);
  const std::string url = out.substr(at, out.find('\n', at) - at);
  const auto r = run_process({IDEMCTL_BINARY, "verify", "--target", url + "/", "--only",
                              "first-executes,replay-identical,concurrent-duplicates", "--rounds",
                              "3"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("3 checks: 3 passed"));
}

TEST_CASE("CLI: impossible listen addresses and target URLs are exit 2 naming the flag", "[cli]") {
  for (const char* listen : {"127.0.0.1:70000", "::1:8080", "[::1", "[::g]:80", "999.0.0.1:80",
                             "127.0.0.1:x", "exa mple:80"}) {
    INFO(listen);
    const auto r = run_process({IDEMCTL_BINARY, "serve", "--listen", listen});
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::StartsWith("idemctl serve: --listen: invalid address '" +
                                        std::string(listen) + "'"));
  }
  const std::pair<const char*, const char*> targets[] = {
      {"http://127.0.0.1:70000", "port '70000' is not 1-65535"},
      {"http://[::1]:0", "port '0' is not 1-65535"},
      {"http://::1:8080", "an IPv6 address goes in brackets"},
      {"http://300.1.1.1", "'300.1.1.1' is no host name or address"},
      {"127.0.0.1:8080", "expected http://HOST[:PORT]"},
  };
  for (const auto& [url, why] : targets) {
    INFO(url);
    // stress shares verify's target flags.
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"verify"}, std::vector<std::string>{"stress", "-n", "10"}}) {
      std::vector<std::string> args{IDEMCTL_BINARY};
      args.insert(args.end(), command.begin(), command.end());
      args.insert(args.end(), {"--target", url});
      const auto r = run_process(args);
      CHECK(r.exit_code == 2);
      CHECK(count_lines(r.err) == 1);
      CHECK_THAT(r.err, Catch::Contains(std::string("--target: invalid URL '") + url + "': " + why));
    }
  }
}

TEST_CASE("CLI: a refused connection is named as such, exit 3", "[cli]") {
  // Bound and closed: nothing listens there, so the kernel refuses at once.
  const LoopbackListener closed = listen_on_loopback(1);
  ::close(closed.fd);
  const std::string url = "http://127.0.0.1:" + std::to_string(closed.port);
  const auto r = run_process({IDEMCTL_BINARY, "verify", "--target", url});
  CHECK(r.exit_code == 3);
  CHECK(count_lines(r.err) == 1);
  CHECK_THAT(r.err, Catch::Contains(url + ": connection refused (nothing listens on port " +
                                    std::to_string(closed.port) + ")"));
}
