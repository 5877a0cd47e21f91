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
      {IDEMCTL_BINARY, "serve", "--max-fault-delay", "soon"},
      {IDEMCTL_BINARY, "serve", "--shutdown-timeout", "-1s"},
      {IDEMCTL_BINARY, "no-such-command"},
  };
  for (const auto& args : cases) {
    INFO(args.back());
    const auto r = run_process(args);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
  }
}

TEST_CASE("CLI: serve prints the memory store's bound, and refuses a bound it cannot apply",
          "[cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--max-records",
                           "3", "--max-store-memory", "64MiB"});
  REQUIRE(serve.wait_for_port() > 0);
  serve.signal(SIGINT);
  CHECK(serve.wait(std::chrono::seconds(10)) == 0);
  CHECK_THAT(serve.out(), Catch::Contains("refuses new keys (503 store-full) beyond 64MiB of "
                                          "records or 3 records"));
  // Redis is bounded by its own maxmemory; the flags would silently do nothing there.
  const auto redis = run_process({IDEMCTL_BINARY, "serve", "--store", "redis://127.0.0.1:1",
                                  "--max-records", "5"});
  CHECK(redis.exit_code == 2);
  CHECK(count_lines(redis.err) == 1);
  CHECK_THAT(redis.err, Catch::Contains("bound Redis with maxmemory and noeviction"));
  const auto zero = run_process({IDEMCTL_BINARY, "serve", "--max-store-memory", "0"});
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.err, Catch::Contains("--max-store-memory: invalid size '0': expected at least 1 "
                                       "byte, like 8MiB"));
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

TEST_CASE("CLI: serve -q still warns on stderr that a bug mode is on", "[cli]") {
  BackgroundProcess serve(
      {IDEMCTL_BINARY, "serve", "-q", "--listen", "127.0.0.1:0", "--bug", "cache-5xx"});
  REQUIRE(serve.wait_for_port() > 0);
  serve.signal(SIGINT);
  CHECK(serve.wait(std::chrono::seconds(10)) == 0);
  CHECK_THAT(serve.err(), Catch::Contains("WARNING: --bug cache-5xx: this server is deliberately broken"));
  CHECK(serve.err().find("not loopback") == std::string::npos);  // 127.0.0.1 is loopback
  CHECK(serve.out().find("BUG MODE") == std::string::npos);      // -q: no banner
}

TEST_CASE("CLI: serve -q still warns on stderr that it listens beyond loopback", "[cli]") {
  // Bound to every address for the few milliseconds it takes to see the port; the test sends
  // nothing, and nothing but this process's stop reaches it.
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "-q", "--listen", "0.0.0.0:0"});
  REQUIRE(serve.wait_for_port() > 0);
  serve.signal(SIGINT);
  CHECK(serve.wait(std::chrono::seconds(10)) == 0);
  CHECK_THAT(serve.err(), Catch::Contains("WARNING: listening on 0.0.0.0, not loopback"));
  CHECK(serve.err().find("--bug") == std::string::npos);
}

TEST_CASE("CLI: serve --shutdown-timeout bounds a stop that waits for a slow handler: exit 1 "
          "naming what was cut",
          "[cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "-q", "--listen", "127.0.0.1:0",
                           "--handler-delay", "30s", "--shutdown-timeout", "500ms"});
  const int port = serve.wait_for_port();
  REQUIRE(port > 0);
  Exchange cut;
  std::thread client([&] { cut = post_with_key(port, new_uuid4()); });
  // Wait (bounded) until the server counts the request in flight, then stop it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool in_flight = false;
  while (!in_flight && std::chrono::steady_clock::now() < deadline) {
    const Exchange metrics = send(port, "GET", "/metrics");
    in_flight = metrics.body.find("idem_requests_in_flight 1\n") != std::string::npos;
  }
  REQUIRE(in_flight);
  serve.signal(SIGTERM);
  CHECK(serve.wait(std::chrono::seconds(10)) == 1);  // long before the 30 s handler
  client.join();
  CHECK(cut.status == 0);  // the connection closed unanswered
  CHECK_THAT(serve.err(),
             Catch::Contains("--shutdown-timeout 500ms passed with 1 request(s) still running"));
}

TEST_CASE("CLI: serve --log-format json keeps stdout pure NDJSON (banner and warnings on stderr)",
          "[cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--log-format",
                           "json", "--bug", "no-replay"});
  const int port = serve.wait_for_port();  // from stderr
  REQUIRE(port > 0);
  CHECK(post_with_key(port, new_uuid4()).status == 201);
  CHECK(send(port, "GET", "/%ff").status == 404);
  CHECK(send(port, "POST", "/payments", {{"Idempotency-Key", new_uuid4()}, {"Idemctl-Fault", "nope"}},
             kPaymentBody)
            .status == 400);
  serve.signal(SIGINT);
  CHECK(serve.wait(std::chrono::seconds(10)) == 0);
  const std::string out = serve.out();
  int lines = 0;
  size_t start = 0;
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    REQUIRE(end != std::string::npos);  // every line is complete
    const std::string line = out.substr(start, end - start);
    INFO(line);
    CHECK_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
    ++lines;
    start = end + 1;
  }
  CHECK(lines >= 2);  // the POSTs at least
  CHECK_THAT(serve.err(), Catch::Contains("listening on http://127.0.0.1:"));
  CHECK_THAT(serve.err(), Catch::Contains("BUG MODE no-replay"));
}

TEST_CASE("CLI: serve prints a bug-mode warning in its banner", "[cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--bug", "no-lock"});
  const std::string out = serve.wait_for_output("BUG MODE", std::chrono::seconds(10));
  CHECK_THAT(out, Catch::Contains("BUG MODE no-lock"));
  serve.signal(SIGINT);
  CHECK(serve.wait(std::chrono::seconds(10)) == 0);
}
