// CLI hygiene, on the real binary: one clear line and exit 2 for bad input of every kind, the
// no-color.org rule, and the serve banner's try command working as printed.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "idem/duration.hpp"
#include "support/process.hpp"

using namespace idem;
using namespace idem::test;

namespace {

std::string temp_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("idemctl-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("CLI: an unknown command is named, exit 2", "[cli]") {
  const auto r = run_process({IDEMCTL_BINARY, "vrify"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::StartsWith("idemctl: unknown command 'vrify'"));
}

TEST_CASE("CLI: sizes and durations that overflow are rejected, not wrapped", "[cli]") {
  const auto size = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0",
                                 "--max-body", "17179869184GiB"});
  CHECK(size.exit_code == 2);
  CHECK_THAT(size.err, Catch::Contains("--max-body: invalid size '17179869184GiB'"));
  std::string huge;
  for (int i = 0; i < 11; ++i) huge += "256204778801h";
  CHECK_FALSE(parse_duration(huge).ok());
  CHECK(parse_duration("256204778801h").ok());
  const auto ttl = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--ttl", huge});
  CHECK(ttl.exit_code == 2);
}

TEST_CASE("CLI: an empty or invalid --key-header and --redis-timeout 0 are exit 2", "[cli]") {
  for (const char* bad : {"", "Idempotency Key", "Key:"}) {
    DYNAMIC_SECTION("key header '" << bad << "'") {
      const auto serve =
          run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--key-header", bad});
      CHECK(serve.exit_code == 2);
      CHECK_THAT(serve.err, Catch::Contains("--key-header"));
      const auto verify = run_process({IDEMCTL_BINARY, "verify", "--key-header", bad});
      CHECK(verify.exit_code == 2);
      CHECK_THAT(verify.err, Catch::Contains("--key-header"));
    }
  }
  const auto redis = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0",
                                  "--redis-timeout", "0"});
  CHECK(redis.exit_code == 2);
  CHECK_THAT(redis.err, Catch::Contains("--redis-timeout: expected a duration > 0"));
}

TEST_CASE("CLI: JSON errors in --config and --scenario name the line and column", "[cli]") {
  const std::string config = temp_file("bad-config.json", "{\n  \"path\": \"/x\",\n  oops\n}\n");
  const auto c = run_process({IDEMCTL_BINARY, "verify", "--target", "http://127.0.0.1:9",
                              "--config", config});
  CHECK(c.exit_code == 2);
  CHECK_THAT(c.err, Catch::Contains(config + ": line 3, column 3"));
  const std::string scenario = temp_file("bad-scenario.json", "{\"checks\": [\n,]}");
  const auto s = run_process({IDEMCTL_BINARY, "verify", "--list", "--scenario", scenario});
  CHECK(s.exit_code == 2);
  CHECK_THAT(s.err, Catch::Contains(scenario + ": line 2, column 1"));
  std::filesystem::remove(config);
  std::filesystem::remove(scenario);
}

TEST_CASE("CLI: a --scenario whose check id is already in the catalogue is exit 2", "[cli]") {
  const std::string scenario = temp_file(
      "dup.json",
      R"({"checks": [{"id": "first-executes", "title": "again", "level": "MUST",
          "steps": [{"send": {"key": "k"}}]}]})");
  const auto r = run_process({IDEMCTL_BINARY, "verify", "--list", "--scenario", scenario});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("check id 'first-executes' is defined twice"));
  std::filesystem::remove(scenario);
}

TEST_CASE("CLI: the serve banner's try command works as printed, with the configured header",
          "[cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--key-header",
                           "X-Request-Key", "--log-format", "json"});
  REQUIRE(serve.wait_for_port() > 0);
  const std::string out = serve.wait_for_output("try: ", std::chrono::seconds(10));
  const size_t at = out.find("try: ");
  REQUIRE(at != std::string::npos);
  const std::string command = out.substr(at + 5, out.find('\n', at) - at - 5);
  CHECK_THAT(command, Catch::Contains("X-Request-Key: $(cat /proc/sys/kernel/random/uuid)"));
  const auto r = run_process({"/bin/sh", "-c", command + " -s -o /dev/null -w '%{http_code}'"});
  CHECK(r.out == "201");
}

TEST_CASE("CLI: impossible addresses and ports are exit 2; a refused connection is named", "[cli]") {
  for (const char* listen : {"127.0.0.1:70000", "::1:8080", "[::1", "127.0.0.1:x"}) {
    const auto r = run_process({IDEMCTL_BINARY, "serve", "--listen", listen});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--listen: invalid address"));
  }
  const auto port = run_process({IDEMCTL_BINARY, "verify", "--target", "http://127.0.0.1:70000"});
  CHECK(port.exit_code == 2);
  CHECK_THAT(port.err, Catch::Contains("port 0-65535"));
  // Port 1 on loopback: nothing listens there in a test container, so the kernel refuses.
  const auto refused = run_process({IDEMCTL_BINARY, "verify", "--target", "http://127.0.0.1:1"});
  CHECK(refused.exit_code == 3);
  CHECK_THAT(refused.err, Catch::Contains("http://127.0.0.1:1: connection refused"));
}

TEST_CASE("CLI: serve listens on a bracketed IPv6 address and verify reaches it", "[cli]") {
  const int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  const bool ipv6 = probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  if (probe >= 0) ::close(probe);
  if (!ipv6) {
    WARN("no IPv6 loopback here; nothing to test");
    return;
  }
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "[::1]:0", "-q"});
  const std::string out = serve.wait_for_output("listening on http://[::1]:", std::chrono::seconds(10));
  REQUIRE_FALSE(out.empty());
  const size_t at = out.find("http://[::1]:");
  const std::string url = out.substr(at, out.find('\n', at) - at);
  const auto r = run_process({IDEMCTL_BINARY, "verify", "--target", url, "--only", "first-executes,replay-identical"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
}
