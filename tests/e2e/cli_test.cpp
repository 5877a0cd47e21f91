// The real idemctl binary: help, version, bad input and exit codes, graceful shutdown.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "idem/key.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("CLI: --help lists the commands and --version prints the version", "[cli]") {
  const auto help = run_process({IDEMCTL_BINARY, "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("serve"));
  const auto version = run_process({IDEMCTL_BINARY, "--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::Contains(IDEM_VERSION));
}

TEST_CASE("CLI: help serve describes every serve flag", "[cli]") {
  const auto r = run_process({IDEMCTL_BINARY, "help", "serve"});
  CHECK(r.exit_code == 0);
  for (const char* flag : {"--listen", "--store", "--ttl", "--lock-ttl", "--key-header",
                           "--key-format", "--methods", "--fingerprint", "--scope-header",
                           "--cache-5xx", "--no-cache-4xx", "--replay-header", "--max-body",
                           "--handler-delay", "--fail-rate", "--fault-header", "--bug",
                           "--threads", "--log-format", "--quiet"}) {
    CHECK_THAT(r.out, Catch::Contains(flag));
  }
}

TEST_CASE("CLI: an unknown flag or a bad value exits 2 with one line", "[cli]") {
  const std::vector<std::vector<std::string>> cases = {
      {IDEMCTL_BINARY, "serve", "--no-such-flag"},
      {IDEMCTL_BINARY, "serve", "--ttl", "5x"},
      {IDEMCTL_BINARY, "serve", "--bug", "no-such-bug"},
      {IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:99999"},
      {IDEMCTL_BINARY, "serve", "--store", "nosql://x"},
      {IDEMCTL_BINARY, "no-such-command"},
  };
  for (const auto& args : cases) {
    INFO(args.back());
    const auto r = run_process(args);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
  }
}

TEST_CASE("CLI: serve on a port in use exits 3 with one line", "[cli]") {
  TestServer occupant(quiet_config());
  const auto r = run_process(
      {IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:" + std::to_string(occupant.port())});
  CHECK(r.exit_code == 3);
  CHECK(count_lines(r.err) == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot listen"));
}

TEST_CASE("CLI: serve on port 0 prints its port, serves, and SIGTERM lets in-flight requests "
          "finish before exit 0",
          "[cli]") {
  BackgroundProcess serve(
      {IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--handler-delay", "300ms"});
  const int port = serve.wait_for_port();
  REQUIRE(port > 0);
  const std::string key = new_uuid4();
  Exchange in_flight;
  std::thread client([&] { in_flight = post_with_key(port, key); });
  // Wait (bounded) until the request holds its lock, then ask the server to stop.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  long long records = 0;
  while (records == 0 && std::chrono::steady_clock::now() < deadline) {
    const Exchange stats = send(port, "GET", "/__idem/stats");
    if (stats.status == 200) records = nlohmann::json::parse(stats.body).value("records", 0LL);
  }
  REQUIRE(records == 1);
  serve.signal(SIGTERM);
  client.join();
  CHECK(in_flight.status == 201);
  CHECK(serve.wait(std::chrono::seconds(10)) == 0);
  CHECK_THAT(serve.out(), Catch::Contains("POST /payments"));
}

TEST_CASE("CLI: serve prints a bug-mode warning in its banner", "[cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--bug", "no-lock"});
  const std::string out = serve.wait_for_output("BUG MODE", std::chrono::seconds(10));
  CHECK_THAT(out, Catch::Contains("BUG MODE no-lock"));
  serve.signal(SIGINT);
  CHECK(serve.wait(std::chrono::seconds(10)) == 0);
}
