// The real binary: exit codes 0, 1, 2 and 3 of `idemctl verify`, and its report files.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/hanging_server.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;

namespace {

struct Run {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr
};

Run run_idemctl(const std::string& args, const std::string& env = "") {
  const std::string cmd = env + " " + std::string(IDEMCTL_BINARY) + " " + args + " 2>&1";
  Run out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// A loopback port nobody listens on: bound, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("idem-verify-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

}  // namespace

TEST_CASE("idemctl verify: with no target it verifies the embedded server and exits 0",
          "[verify][cli]") {
  const Run r = run_idemctl("verify --rounds 3");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("embedded reference server"));
  CHECK_THAT(r.output, Catch::Contains("concurrent-duplicates"));
}

TEST_CASE("idemctl verify: a server without a lock exits 1 naming concurrent-duplicates",
          "[verify][cli]") {
  TestServer server(verify_server_config(BugMode::NoLock));
  const Run r = run_idemctl("verify --target " + server.server().base_url() + " --rounds 3");
  INFO(r.output);
  CHECK(r.exit_code == 1);
  bool named = false;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    named = named || (line.find("FAIL") != std::string::npos &&
                      line.find("concurrent-duplicates") != std::string::npos);
  }
  CHECK(named);
}

TEST_CASE("idemctl verify: a running serve reports its lock TTL, so crash-releases-key runs "
          "without --lock-ttl",
          "[verify][cli]") {
  ServerConfig config = verify_server_config(BugMode::None);
  config.guard.lock_ttl = std::chrono::milliseconds(500);
  TestServer healthy(config);
  const Run pass = run_idemctl("verify --target " + healthy.server().base_url() +
                               " --only crash-releases-key");
  INFO(pass.output);
  CHECK(pass.exit_code == 0);
  CHECK_THAT(pass.output, Catch::Contains("PASS  crash-releases-key"));

  config.guard.bug = BugMode::LockNeverExpires;
  TestServer stuck(config);
  const Run fail = run_idemctl("verify --target " + stuck.server().base_url() +
                               " --only crash-releases-key");
  INFO(fail.output);
  CHECK(fail.exit_code == 1);
  CHECK_THAT(fail.output, Catch::Contains("FAIL  crash-releases-key"));
}

TEST_CASE("idemctl verify: an unreachable target exits 3", "[verify][cli]") {
  const Run r = run_idemctl("verify --target http://127.0.0.1:" + std::to_string(closed_port()) +
                            " --connect-timeout 1s");
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.output, Catch::Contains("unreachable"));
}

TEST_CASE("idemctl verify: a malformed scenario exits 2 naming file and field", "[verify][cli]") {
  const std::string file = temp_path("bad-scenario.json");
  std::ofstream(file) << R"({"checks": [{"id": "x", "title": "t", "level": "MUST",
                             "steps": [{"send": {"trigger": "explode"}}]}]})";
  const Run r = run_idemctl("verify --scenario " + file + " --list");
  std::filesystem::remove(file);
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains(file + ": $.checks[0].steps[0].send.trigger: expected"));
}

TEST_CASE("idemctl verify: bad flags and unknown checks exit 2", "[verify][cli]") {
  CHECK(run_idemctl("verify --profile nonsense").exit_code == 2);
  CHECK(run_idemctl("verify --only no-such-check").exit_code == 2);
  CHECK(run_idemctl("verify --in-flight maybe").exit_code == 2);
  CHECK(run_idemctl("verify --report xml=out.xml").exit_code == 2);
  const Run r = run_idemctl("verify --list", "IDEMCTL_SCENARIOS=/nonexistent/idem");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("IDEMCTL_SCENARIOS"));
}

TEST_CASE("idemctl serve and verify: a bad profile axis value exits 2 naming its flag",
          "[verify][cli]") {
  // serve and verify apply the axis flags through one helper; each command's own flags must still
  // be named. serve fails on them before it binds anything.
  const std::pair<const char*, const char*> cases[] = {
      {"serve --in-flight maybe", "--in-flight"},
      {"serve --mismatch-status abc", "--mismatch-status"},
      {"serve --profile nonsense", "--profile"},
      {"verify --server-error sometimes", "--server-error"},
      {"verify --mismatch-status abc", "--mismatch-status"},
      {"verify --in-flight maybe", "--in-flight"},
  };
  for (const auto& [command, flag] : cases) {
    // Bounded: a serve that accepted the value would run until killed (exit 124, not 2).
    const Run r = run_idemctl(command, "timeout 20");
    INFO(command << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains(flag));
  }
}

TEST_CASE("idemctl verify: --list names every check", "[verify][cli]") {
  const Run r = run_idemctl("verify --list");
  CHECK(r.exit_code == 0);
  for (const auto& s : source_catalogue()) CHECK_THAT(r.output, Catch::Contains(s.id));
}

TEST_CASE("idemctl verify: --report writes JSON and JUnit files", "[verify][cli]") {
  const std::string json_file = temp_path("report.json");
  const std::string junit_file = temp_path("report.xml");
  const Run r =
      run_idemctl("verify --only first-executes,replay-identical --report json=" + json_file +
                  " --report junit=" + junit_file);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  std::ifstream json_in(json_file);
  const auto json = nlohmann::json::parse(json_in, nullptr, false);
  CHECK_FALSE(json.is_discarded());
  std::stringstream junit;
  junit << std::ifstream(junit_file).rdbuf();
  CHECK_THAT(junit.str(), Catch::Contains("replay-identical"));
  std::filesystem::remove(json_file);
  std::filesystem::remove(junit_file);
}

TEST_CASE("idemctl verify: a --config target description is used, and a bad one exits 2",
          "[verify][cli]") {
  TestServer server(verify_server_config());
  const std::string file = temp_path("target.json");
  std::ofstream(file) << R"({"targets": [")" << server.server().base_url() << R"("],
      "headers": {"Content-Type": "application/json"},
      "failure_trigger": {"headers": {"Idemctl-Fault": "status=503"}},
      "executions": {"url": "/__idem/executions?key={{key}}"}})";
  const Run ok = run_idemctl("verify --config " + file +
                             " --only first-executes,server-error-not-cached,principal-scope");
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.output, Catch::Contains("fewer than two principals"));  // generic: not guessed

  std::ofstream(file) << R"({"targets": ["http://127.0.0.1:1"], "lock_ttl": 30})";
  const Run bad = run_idemctl("verify --config " + file);
  std::filesystem::remove(file);
  INFO(bad.output);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains(file + ": $.lock_ttl: expected a duration"));
}

TEST_CASE("idemctl verify: every profile passes against the embedded server it configures",
          "[cli]") {
  for (const char* profile : {"default", "ietf", "stripe", "fiber"}) {
    DYNAMIC_SECTION("profile " << profile) {
      const Run r = run_idemctl(std::string("verify --rounds 3 --profile ") + profile,
                                "NO_COLOR=1");
      INFO(r.output);
      CHECK(r.exit_code == 0);
      CHECK_THAT(r.output, !Catch::Contains("FAIL"));
    }
  }
}

TEST_CASE("idemctl serve --profile fiber is verified by verify --profile fiber", "[cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--profile",
                           "fiber", "--lock-ttl", "1s", "-q"});
  const int port = serve.wait_for_port();
  REQUIRE(port > 0);
  const Run r = run_idemctl("verify --rounds 3 --profile fiber --target http://127.0.0.1:" +
                                std::to_string(port),
                            "NO_COLOR=1");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  serve.signal(SIGTERM);
  CHECK(serve.wait(std::chrono::seconds(10)) == 0);
}

TEST_CASE("idemctl verify: a target that accepts and never answers fails within 30 s with the "
          "default flags",
          "[verify][cli]") {
  HangingServer hanging;
  const auto started = std::chrono::steady_clock::now();
  const Run r = run_idemctl("verify --target " + hanging.url(), "NO_COLOR=1");
  const auto took = std::chrono::steady_clock::now() - started;
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(took < std::chrono::seconds(30));
  CHECK_THAT(r.output, Catch::Contains("not run: 2 requests in a row got no answer within "
                                       "--timeout 10s; the target accepts connections but never "
                                       "answers"));
  CHECK_THAT(r.output, !Catch::Contains("PASS"));
}

TEST_CASE("idemctl verify: --deadline is a duration > 0", "[verify][cli]") {
  for (const char* bad : {"0", "soon", "-1s"}) {
    const Run r = run_idemctl(std::string("verify --deadline ") + bad);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("--deadline"));
  }
}

TEST_CASE("idemctl verify: SIGINT prints the summary, writes the partial reports and exits 130",
          "[verify][cli]") {
  // A lock TTL of a minute: crash-releases-key polls a 409 for 90 s, long after the checks
  // before it are done.
  ServerConfig config = verify_server_config(BugMode::None);
  config.guard.lock_ttl = std::chrono::minutes(1);
  TestServer server(config);
  const std::string json_file = temp_path("partial.json");
  const std::string junit_file = temp_path("partial.xml");
  BackgroundProcess verify({IDEMCTL_BINARY, "verify", "--target", server.server().base_url(),
                            "--only", "first-executes,replay-identical,crash-releases-key",
                            "--report", "json=" + json_file, "--report", "junit=" + junit_file});
  // The first 409 the server answers is crash-releases-key's poll: the two before it are done.
  long long conflicts = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (conflicts == 0 && std::chrono::steady_clock::now() < until) {
    const auto stats =
        nlohmann::json::parse(send(server.port(), "GET", "/__idem/stats").body, nullptr, false);
    if (stats.is_object()) conflicts = stats["requests"].value("conflict", 0LL);
  }
  REQUIRE(conflicts > 0);
  verify.signal(SIGINT);
  CHECK(verify.wait(std::chrono::seconds(10)) == 130);
  INFO(verify.out() << verify.err());
  CHECK_THAT(verify.err(), Catch::Contains("interrupted by SIGINT after 2 checks"));
  CHECK_THAT(verify.out(), Catch::Contains("PASS  first-executes") &&
                               Catch::Contains("PASS  replay-identical"));
  CHECK_THAT(verify.out(), !Catch::Contains("crash-releases-key"));
  std::ifstream json_in(json_file);
  const auto json = nlohmann::json::parse(json_in, nullptr, false);
  REQUIRE(json.is_object());
  CHECK(json["checks"].size() == 2);
  std::stringstream junit;
  junit << std::ifstream(junit_file).rdbuf();
  CHECK_THAT(junit.str(), Catch::Contains("<testsuite") && Catch::Contains("replay-identical"));
  std::filesystem::remove(json_file);
  std::filesystem::remove(junit_file);
}

TEST_CASE("idemctl verify: SIGTERM during a hanging request exits 130 with an empty report",
          "[verify][cli]") {
  HangingServer hanging;
  const std::string json_file = temp_path("term.json");
  BackgroundProcess verify({IDEMCTL_BINARY, "verify", "--target", hanging.url(), "--timeout",
                            "30s", "--report", "json=" + json_file});
  // The connection probe, the serve probe, then the first check's request.
  REQUIRE(hanging.wait_for_connections(3, std::chrono::seconds(10)));
  const auto signalled = std::chrono::steady_clock::now();
  verify.signal(SIGTERM);
  CHECK(verify.wait(std::chrono::seconds(5)) == 130);
  CHECK(std::chrono::steady_clock::now() - signalled < std::chrono::seconds(2));
  CHECK_THAT(verify.err(), Catch::Contains("interrupted by SIGTERM after 0 checks"));
  std::ifstream json_in(json_file);
  const auto json = nlohmann::json::parse(json_in, nullptr, false);
  REQUIRE(json.is_object());
  CHECK(json["checks"].empty());
  std::filesystem::remove(json_file);
}

TEST_CASE("idemctl verify: an unwritable report path is exit 2 before the run, naming it",
          "[verify][cli]") {
  const Run r = run_idemctl("verify --report json=/nonexistent-dir/x.json");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("--report: cannot write /nonexistent-dir/x.json"));
  CHECK_THAT(r.output, !Catch::Contains("verifying"));
  // The check leaves nothing behind: a run that then fails (exit 3) writes no report.
  const std::string file = temp_path("never.json");
  const Run unreachable = run_idemctl("verify --target http://127.0.0.1:" +
                                      std::to_string(closed_port()) + " --report json=" + file);
  CHECK(unreachable.exit_code == 3);
  CHECK_FALSE(std::filesystem::exists(file));
}
