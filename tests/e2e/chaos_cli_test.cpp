// The real `idemctl chaos` in front of a real `idemctl serve`: the issue's example command
// produces the lost response, the retry is replayed, the journal tells it, the admin API swaps
// rules, and bad specs exit 2 naming the bad part.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "idem/client/http_client.hpp"
#include "idem/key.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

std::string temp_path(const std::string& name) {
  return (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
         "/idemctl-" + std::to_string(::getpid()) + "-" + name;
}

ClientRequest payment(const std::string& base, const std::string& key) {
  ClientRequest r;
  r.url = base + "/payments";
  r.headers = {{"Idempotency-Key", key}, {"Content-Type", "application/json"}};
  r.body = kPaymentBody;
  return r;
}

long long executions(int serve_port, const std::string& key) {
  HttpClient client;
  ClientRequest r;
  r.method = "GET";
  r.url = "http://127.0.0.1:" + std::to_string(serve_port) +
          "/__idem/executions?key=" + percent_encode(key);
  const ClientResponse a = client.send(r);
  REQUIRE(a.ok());
  return nlohmann::json::parse(a.response.body).at("executions").get<long long>();
}

}  // namespace

TEST_CASE("chaos CLI: --fault drop-response --first-attempt-per-key in front of serve",
          "[chaos][cli]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "-q"});
  const int serve_port = serve.wait_for_port();
  REQUIRE(serve_port > 0);
  const std::string journal = temp_path("chaos-journal.ndjson");
  BackgroundProcess chaos({IDEMCTL_BINARY, "chaos", "--listen", "127.0.0.1:0", "--upstream",
                           "http://127.0.0.1:" + std::to_string(serve_port), "--fault",
                           "drop-response", "--first-attempt-per-key", "--seed", "7",
                           "--journal", journal, "--admin", "127.0.0.1:0"});
  const int port = chaos.wait_for_port();
  REQUIRE(port > 0);
  const std::string banner = chaos.wait_for_output("admin http://", std::chrono::seconds(10));
  std::smatch admin;
  REQUIRE(std::regex_search(banner, admin, std::regex("admin (http://127\\.0\\.0\\.1:[0-9]+)")));
  CHECK_THAT(banner, Catch::Contains("fault drop-response=close,first-attempt-per-key"));
  CHECK_THAT(banner, Catch::Contains("seed 7"));
  const std::string proxy = "http://127.0.0.1:" + std::to_string(port);

  HttpClient client;
  const std::string key = new_uuid4();
  CHECK(client.send(payment(proxy, key)).error == TransportError::Closed);
  const ClientResponse retry = client.send(payment(proxy, key));
  REQUIRE(retry.ok());
  CHECK(retry.response.status == 201);
  CHECK(find_header(retry.response.headers, "Idempotent-Replayed") == "true");
  CHECK(executions(serve_port, key) == 1);

  // The admin API: swap to replace-status for every request.
  ClientRequest put;
  put.method = "PUT";
  put.url = admin[1].str() + "/rules";
  put.body = R"({"rules": ["replace-status=503"]})";
  REQUIRE(client.send(put).response.status == 200);
  const ClientResponse replaced = client.send(payment(proxy, new_uuid4()));
  REQUIRE(replaced.ok());
  CHECK(replaced.response.status == 503);
  CHECK(find_header(replaced.response.headers, "Idemctl-Chaos") == "replace-status=503");

  chaos.signal(SIGINT);
  CHECK(chaos.wait(std::chrono::seconds(10)) == 0);
  CHECK_THAT(chaos.err(), Catch::Contains("3 requests, 2 faulted, 2 answers lost"));
  std::ifstream in(journal);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["client"] == "closed");
  CHECK(lines[0]["upstream"]["status"] == 201);
  CHECK(lines[1]["upstream"]["replayed"] == true);
  CHECK(lines[1]["upstream"]["body_sha256"] == lines[0]["upstream"]["body_sha256"]);
  CHECK(lines[2]["faults"] == nlohmann::json::array({"replace-status=503"}));
  std::remove(journal.c_str());
}

TEST_CASE("chaos CLI: bad faults, rules and flags exit 2 naming the bad part", "[chaos][cli]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--fault", "replace-status=418"}, "--fault: 'replace-status=418': expected replace-status=502, 503 or 504"},
      {{"--fault", "drop-response,p=2"}, "'p=2': expected p=PROBABILITY"},
      {{"--fault", "teleport"}, "'teleport': expected a fault"},
      {{}, "--fault: at least one"},
      {{"--fault", "abort", "--match-path", "payments"}, "--match-path"},
      {{"--fault", "abort", "--seed", "x1"}, "--seed: invalid 'x1'"},
      {{"--fault", "abort", "--upstream-timeout", "soon"}, "--upstream-timeout"},
      {{"--fault", "abort", "--listen", "999.0.0.1:1"}, "--listen"},
      {{"--fault", "abort", "--journal", "/nonexistent/dir/j.ndjson"}, "--journal /nonexistent/dir/j.ndjson"},
  };
  for (const auto& [extra, message] : cases) {
    std::vector<std::string> args = {IDEMCTL_BINARY, "chaos", "--listen", "127.0.0.1:0",
                                     "--upstream", "http://127.0.0.1:1"};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult r = run_process(args, std::chrono::seconds(20));
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(message));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  const ProcessResult no_upstream =
      run_process({IDEMCTL_BINARY, "chaos", "--fault", "abort"}, std::chrono::seconds(20));
  CHECK(no_upstream.exit_code == 2);
  CHECK_THAT(no_upstream.err, Catch::Contains("--upstream: required"));
  const ProcessResult bad_upstream = run_process(
      {IDEMCTL_BINARY, "chaos", "--fault", "abort", "--upstream", "ftp://x"}, std::chrono::seconds(20));
  CHECK(bad_upstream.exit_code == 2);
  CHECK_THAT(bad_upstream.err, Catch::Contains("--upstream"));
}

TEST_CASE("chaos CLI: faults that need it warn on start, and a busy port exits 3",
          "[chaos][cli]") {
  BackgroundProcess chaos({IDEMCTL_BINARY, "chaos", "--listen", "127.0.0.1:0", "--upstream",
                           "http://127.0.0.1:1", "--fault", "duplicate-forward", "--fault",
                           "drop-response=hang", "-q"});
  const int port = chaos.wait_for_port();
  REQUIRE(port > 0);
  const ProcessResult busy = run_process({IDEMCTL_BINARY, "chaos", "--listen",
                                          "127.0.0.1:" + std::to_string(port), "--upstream",
                                          "http://127.0.0.1:1", "--fault", "abort"},
                                         std::chrono::seconds(20));
  CHECK(busy.exit_code == 3);
  CHECK_THAT(busy.err, Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(port)));
  chaos.signal(SIGTERM);
  CHECK(chaos.wait(std::chrono::seconds(10)) == 0);
  CHECK_THAT(chaos.err(), Catch::Contains("WARNING: duplicate-forward sends requests to the upstream twice"));
  CHECK_THAT(chaos.err(), Catch::Contains("WARNING: drop-response=hang holds a worker"));
}
