// CLI hygiene on the real binary: one clear line and exit 2 for bad input of every kind
// (unknown command, values too large to represent, bad header names, JSON syntax errors with
// their position, check ids defined twice), the no-color.org rule, and serve's banner command.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "idem/duration.hpp"
#include "support/process.hpp"

using namespace idem;
using namespace idem::test;

namespace {

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

std::string temp_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("idemctl-hygiene-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

// Runs `args` with stdout on a pseudo-terminal (so the binary may colour) and NO_COLOR set to
// `no_color` (unset when null); returns what it printed. Bounded by 30 s.
std::string run_on_terminal(const std::vector<std::string>& args, const char* no_color) {
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (no_color) {
      ::setenv("NO_COLOR", no_color, 1);
    } else {
      ::unsetenv("NO_COLOR");
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  std::string out;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) != 1) continue;
    char buf[4096];
    const ssize_t n = ::read(master, buf, sizeof(buf));
    if (n <= 0) break;  // EIO once the child closed the terminal
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

}  // namespace

TEST_CASE("CLI: an unknown command is named, exit 2", "[cli]") {
  const auto r = run_process({IDEMCTL_BINARY, "vrify", "--target", "http://127.0.0.1:1"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "idemctl: unknown command 'vrify' (see idemctl --help)\n");
  // The hidden command is still a command.
  CHECK(run_process({IDEMCTL_BINARY, "man", "verify"}).exit_code == 0);
}

TEST_CASE("CLI: sizes and durations too large to represent are rejected, not wrapped", "[cli]") {
  // 2^64 bytes: used to wrap to 0.
  const auto size = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0",
                                 "--max-body", "17179869184GiB"});
  CHECK(size.exit_code == 2);
  CHECK(count_lines(size.err) == 1);
  CHECK_THAT(size.err, Catch::Contains("--max-body: invalid size '17179869184GiB': too large"));
  // Each part fits in milliseconds; eleven of them used to wrap negative.
  std::string huge;
  for (int i = 0; i < 11; ++i) huge += "256204778801h";
  CHECK(parse_duration("256204778801h").ok());
  CHECK_FALSE(parse_duration(huge).ok());
  for (const char* flag : {"--timeout", "--deadline"}) {
    const auto r = run_process({IDEMCTL_BINARY, "verify", flag, huge});
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::Contains(std::string(flag) + ": invalid duration"));
  }
  const auto ttl = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--ttl", huge});
  CHECK(ttl.exit_code == 2);
  CHECK_THAT(ttl.err, Catch::Contains("--ttl"));
}

TEST_CASE("CLI: an empty or non-token --key-header and --redis-timeout 0 are exit 2", "[cli]") {
  for (const char* bad : {"", "Idempotency Key", "Key:", "Schl\xc3\xbcssel"}) {
    DYNAMIC_SECTION("key header '" << bad << "'") {
      const auto serve =
          run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--key-header", bad});
      CHECK(serve.exit_code == 2);
      CHECK(count_lines(serve.err) == 1);
      CHECK_THAT(serve.err, Catch::Contains("--key-header: invalid header name"));
      const auto verify = run_process({IDEMCTL_BINARY, "verify", "--key-header", bad});
      CHECK(verify.exit_code == 2);
      CHECK_THAT(verify.err, Catch::Contains("--key-header: invalid header name"));
    }
  }
  const auto redis = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0",
                                  "--redis-timeout", "0"});
  CHECK(redis.exit_code == 2);
  CHECK(redis.err ==
        "idemctl serve: --redis-timeout: invalid duration '0': expected at least 1ms, like 250ms\n");
}

TEST_CASE("CLI: JSON syntax errors in --config and --scenario name the line and column",
          "[cli]") {
  const std::string config = temp_file("config.json", "{\n  \"path\": \"/x\",\n  oops\n}\n");
  const auto c = run_process({IDEMCTL_BINARY, "verify", "--config", config});
  CHECK(c.exit_code == 2);
  CHECK(count_lines(c.err) == 1);
  CHECK_THAT(c.err, Catch::Contains(config + ": line 3, column 3: not JSON: syntax error"));
  const std::string scenario = temp_file("scenario.json", "{\"checks\": [\n  ,]}");
  const auto s = run_process({IDEMCTL_BINARY, "verify", "--list", "--scenario", scenario});
  CHECK(s.exit_code == 2);
  CHECK_THAT(s.err, Catch::Contains(scenario + ": line 2, column 3: not JSON"));
  std::filesystem::remove(config);
  std::filesystem::remove(scenario);
}

TEST_CASE("CLI: a --scenario check whose id is already in the catalogue is exit 2", "[cli]") {
  const std::string scenario =
      temp_file("dup.json", R"({"checks": [{"id": "first-executes", "title": "again",
                                "level": "MUST", "steps": [{"send": {"key": "k"}}]}]})");
  const auto r = run_process({IDEMCTL_BINARY, "verify", "--list", "--scenario", scenario});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "idemctl verify: " + scenario +
                     ": check id 'first-executes' is defined twice (see --list)\n");
  std::filesystem::remove(scenario);
}

TEST_CASE("CLI: NO_COLOR set and not empty turns colour off; set but empty does not",
          "[cli]") {
  const std::vector<std::string> args = {IDEMCTL_BINARY, "verify", "--only", "first-executes"};
  const std::string unset = run_on_terminal(args, nullptr);
  const std::string empty = run_on_terminal(args, "");
  const std::string set = run_on_terminal(args, "1");
  INFO(unset << "\n---\n" << empty << "\n---\n" << set);
  REQUIRE_THAT(set, Catch::Contains("PASS"));
  CHECK_THAT(unset, Catch::Contains("\033["));
  CHECK_THAT(empty, Catch::Contains("\033["));
  CHECK_THAT(set, !Catch::Contains("\033["));
}

TEST_CASE("CLI: the serve banner's try command works as printed, with the configured header",
          "[cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--key-header",
                           "X-Request-Key"});
  const std::string out = serve.wait_for_output("try: ", std::chrono::seconds(10));
  const size_t at = out.find("try: ");
  REQUIRE(at != std::string::npos);
  const size_t end = out.find('\n', at);
  REQUIRE(end != std::string::npos);
  const std::string command = out.substr(at + 5, end - at - 5);
  CHECK_THAT(command, Catch::Contains("\"X-Request-Key: $(cat /proc/sys/kernel/random/uuid)\""));
  const auto r = run_process({"/bin/sh", "-c", command + " -s -o /dev/null -w '%{http_code}'"});
  CHECK(r.out == "201");
}

TEST_CASE("CLI: every duration and size flag of every command answers in one message format",
          "[cli]") {
  const std::string kDuration = "expected a number with a unit, like 250ms, 30s, 5m or 1h\n";
  const std::vector<std::pair<std::vector<std::string>, std::string>> durations = {
      {{"serve", "--listen", "127.0.0.1:0", "--ttl"}, "--ttl"},
      {{"serve", "--listen", "127.0.0.1:0", "--lock-ttl"}, "--lock-ttl"},
      {{"serve", "--listen", "127.0.0.1:0", "--handler-delay"}, "--handler-delay"},
      {{"serve", "--listen", "127.0.0.1:0", "--redis-timeout"}, "--redis-timeout"},
      {{"serve", "--listen", "127.0.0.1:0", "--wait-for-store"}, "--wait-for-store"},
      {{"serve", "--listen", "127.0.0.1:0", "--max-fault-delay"}, "--max-fault-delay"},
      {{"serve", "--listen", "127.0.0.1:0", "--shutdown-timeout"}, "--shutdown-timeout"},
      {{"verify", "--timeout"}, "--timeout"},
      {{"verify", "--connect-timeout"}, "--connect-timeout"},
      {{"verify", "--deadline"}, "--deadline"},
      {{"verify", "--slow-delay"}, "--slow-delay"},
      {{"verify", "--lock-ttl"}, "--lock-ttl"},
      {{"verify", "--record-ttl"}, "--record-ttl"},
      {{"stress", "-n", "10", "--duration"}, "--duration"},
      {{"stress", "-n", "10", "--timeout"}, "--timeout"},
      {{"stress", "-n", "10", "--connect-timeout"}, "--connect-timeout"},
  };
  for (const auto& [args, flag] : durations) {
    std::vector<std::string> argv{IDEMCTL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("5");  // a number without its unit
    const auto r = run_process(argv, std::chrono::seconds(20));
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "idemctl " + args.front() + ": " + flag + ": invalid duration '5': " + kDuration);
  }
  // Below a flag's minimum: the same shape, naming the minimum.
  const auto ttl = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--ttl", "500ms"});
  CHECK(ttl.err == "idemctl serve: --ttl: invalid duration '500ms': expected at least 1s, like 250ms\n");
  const auto deadline = run_process({IDEMCTL_BINARY, "verify", "--deadline", "0"});
  CHECK(deadline.err ==
        "idemctl verify: --deadline: invalid duration '0': expected at least 1ms, like 250ms\n");
  for (const char* flag : {"--max-body", "--max-store-memory"}) {
    const auto r = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", flag, "8 MiB"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "idemctl serve: " + std::string(flag) +
                       ": invalid size '8 MiB': expected bytes, like 8MiB\n");
  }
}

TEST_CASE("CLI: a bad URL in --config is named as the file's field, not as --target", "[cli]") {
  const std::string config =
      temp_file("bad-url.json", R"({"targets": ["http://127.0.0.1:8080", "http://300.1.1.1"]})");
  const auto r = run_process({IDEMCTL_BINARY, "verify", "--config", config});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err == "idemctl verify: " + config +
                     ": $.targets[1]: invalid URL 'http://300.1.1.1': '300.1.1.1' is no host name "
                     "or address\n");
  CHECK_THAT(r.err, !Catch::Contains("--target"));
}
