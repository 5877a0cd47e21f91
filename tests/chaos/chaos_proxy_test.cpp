// The chaos proxy in front of a real reference server on loopback: each fault, then the retry a
// client would send, judged by the server's own execution counter and the proxy's journal.
#include "idem/chaos/chaos_proxy.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <thread>

#include "idem/client/http_client.hpp"
#include "idem/key.hpp"
#include "support/echo_server.hpp"
#include "support/raw_client.hpp"
#include "support/raw_server.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::chaos;
using namespace idem::test;

namespace {

std::string base_url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

ClientRequest payment(const std::string& base, const std::string& key,
                      Millis timeout = Millis{10'000}) {
  ClientRequest r;
  r.url = base + "/payments";
  r.headers = {{"Idempotency-Key", key}, {"Content-Type", "application/json"}};
  r.body = kPaymentBody;
  r.timeout = timeout;
  return r;
}

struct Chaos {
  Chaos(int upstream_port, const std::vector<std::string>& specs, uint64_t seed = 1,
        const std::string& journal = "") {
    ChaosOptions o;
    o.upstream = base_url(upstream_port);
    auto rules = parse_fault_rules(specs);
    REQUIRE(rules.ok());
    o.rules = *rules;
    o.seed = seed;
    o.journal_path = journal;
    o.hang_limit = Millis{20'000};
    proxy = std::make_unique<ChaosProxy>(o);
    auto port = proxy->start();
    REQUIRE(port.ok());
    url = proxy->base_url();
  }
  std::unique_ptr<ChaosProxy> proxy;
  std::string url;
};

/// The journal once it holds `n` entries (a hung exchange's entry is written when its hold
/// ends), waiting at most 10 s; oldest request first.
std::vector<JournalEntry> journal_of(const ChaosProxy& proxy, size_t n) {
  std::vector<JournalEntry> entries;
  for (int i = 0; i < 1000; ++i) {
    entries = proxy.journal().entries();
    if (entries.size() >= n) break;
    std::this_thread::sleep_for(Millis{10});
  }
  std::sort(entries.begin(), entries.end(),
            [](const JournalEntry& a, const JournalEntry& b) { return a.at_ms < b.at_ms; });
  return entries;
}

/// Fault, then retry: the retry must be a replay of the one execution.
void check_lost_then_replayed(const std::string& spec, TransportError expected,
                              const std::string& expected_message) {
  INFO(spec);
  TestServer ts(quiet_config());
  Chaos c(ts.port(), {spec + ",first-attempt-per-key"});
  HttpClient client;
  const std::string key = new_uuid4();
  const ClientResponse lost = client.send(payment(c.url, key, Millis{1'500}));
  INFO(lost.error_message);
  CHECK(lost.error == expected);
  CHECK_THAT(lost.error_message, Catch::Contains(expected_message));
  CHECK(ts.executions(key) == 1);
  CHECK(c.proxy->counters().lost == 1);

  HttpClient fresh;  // a retrying client on a new connection
  const ClientResponse retry = fresh.send(payment(c.url, key));
  INFO(retry.error_message);
  REQUIRE(retry.ok());
  CHECK(retry.response.status == 201);
  CHECK(find_header(retry.response.headers, "Idempotent-Replayed") == "true");
  CHECK_FALSE(find_header(retry.response.headers, kChaosHeader));
  CHECK(ts.executions(key) == 1);

  const std::vector<JournalEntry> journal = journal_of(*c.proxy, 2);
  REQUIRE(journal.size() == 2);
  CHECK(journal[0].key == key);
  REQUIRE(journal[0].upstream);
  CHECK(journal[0].upstream->status == 201);
  CHECK_FALSE(journal[0].upstream->replayed);
  CHECK(journal[0].faults == std::vector<std::string>{fault_name(parse_fault_rule(spec).value())});
  REQUIRE(journal[1].upstream);
  CHECK(journal[1].upstream->replayed);
  CHECK(journal[1].upstream->body_sha256 == journal[0].upstream->body_sha256);
  CHECK(journal[1].faults.empty());
}

}  // namespace

TEST_CASE("chaos: drop-response=close loses the answer; the retry is a replay", "[chaos]") {
  check_lost_then_replayed("drop-response", TransportError::Closed, "Empty reply");
}

TEST_CASE("chaos: drop-response=reset aborts the connection; the retry is a replay", "[chaos]") {
  check_lost_then_replayed("drop-response=reset", TransportError::Closed, "reset");
}

TEST_CASE("chaos: drop-response=hang holds the connection until the client gives up",
          "[chaos]") {
  check_lost_then_replayed("drop-response=hang", TransportError::Timeout, "");
}

TEST_CASE("chaos: drop-response=truncate sends part of the answer; the retry is a replay",
          "[chaos]") {
  check_lost_then_replayed("drop-response=truncate", TransportError::Closed, "");
}

TEST_CASE("chaos: replace-status answers 502/503/504 after the upstream committed", "[chaos]") {
  for (const int status : {502, 503, 504}) {
    INFO(status);
    TestServer ts(quiet_config());
    Chaos c(ts.port(), {"replace-status=" + std::to_string(status) + ",first-attempt-per-key"});
    HttpClient client;
    const std::string key = new_uuid4();
    const ClientResponse injected = client.send(payment(c.url, key));
    REQUIRE(injected.ok());
    CHECK(injected.response.status == status);
    CHECK(find_header(injected.response.headers, kChaosHeader) ==
          "replace-status=" + std::to_string(status));
    CHECK(find_header(injected.response.headers, "Content-Type") == "application/problem+json");
    CHECK(ts.executions(key) == 1);
    const ClientResponse retry = client.send(payment(c.url, key));
    REQUIRE(retry.ok());
    CHECK(retry.response.status == 201);
    CHECK(find_header(retry.response.headers, "Idempotent-Replayed") == "true");
    CHECK(ts.executions(key) == 1);
  }
}

TEST_CASE("chaos: a truncated answer announces its whole length and sends half", "[chaos]") {
  TestServer ts(quiet_config());
  Chaos c(ts.port(), {"drop-response=truncate"});
  const int port = std::stoi(c.url.substr(c.url.rfind(':') + 1));
  RawConnection raw(port);
  REQUIRE(raw.connected());
  REQUIRE(raw.send("POST /payments HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + new_uuid4() +
                   "\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(kPaymentBody.size()) + "\r\n\r\n" + kPaymentBody));
  const std::string wire = raw.read_until_close();
  REQUIRE(wire.rfind("HTTP/1.1 201", 0) == 0);
  CHECK_THAT(wire, Catch::Contains("Idemctl-Chaos: drop-response=truncate"));
  const size_t blank = wire.find("\r\n\r\n");
  REQUIRE(blank != std::string::npos);
  const std::string head = wire.substr(0, blank);
  const size_t cl = head.find("Content-Length: ");
  REQUIRE(cl != std::string::npos);
  const size_t announced = std::stoul(head.substr(cl + 16));
  const size_t sent = wire.size() - blank - 4;
  CHECK(announced > 0);
  CHECK(sent == announced / 2);
}

TEST_CASE("chaos: abort answers without forwarding; nothing executes", "[chaos]") {
  TestServer ts(quiet_config());
  Chaos c(ts.port(), {"abort=503,first-attempt-per-key"});
  HttpClient client;
  const std::string key = new_uuid4();
  const ClientResponse aborted = client.send(payment(c.url, key));
  REQUIRE(aborted.ok());
  CHECK(aborted.response.status == 503);
  CHECK(find_header(aborted.response.headers, kChaosHeader) == "abort=503");
  CHECK(ts.executions(key) == 0);
  const ClientResponse retry = client.send(payment(c.url, key));
  REQUIRE(retry.ok());
  CHECK(retry.response.status == 201);
  CHECK_FALSE(find_header(retry.response.headers, "Idempotent-Replayed"));
  CHECK(ts.executions(key) == 1);
  const auto journal = c.proxy->journal().entries();
  REQUIRE(journal.size() == 2);
  CHECK_FALSE(journal[0].upstream);
  CHECK(journal[0].client_status == 503);
}

TEST_CASE("chaos: duplicate-forward against a healthy server executes once", "[chaos]") {
  ServerConfig config = quiet_config();
  config.handler_delay = Millis{200};  // the copy arrives while the original runs
  TestServer ts(config);
  Chaos c(ts.port(), {"duplicate-forward"});
  HttpClient client;
  for (int round = 0; round < 10; ++round) {
    const std::string key = new_uuid4();
    const ClientResponse answer = client.send(payment(c.url, key));
    REQUIRE(answer.ok());
    CHECK(find_header(answer.response.headers, kChaosHeader) == "duplicate-forward");
    CHECK(ts.executions(key) == 1);
  }
  int conflicts_or_replays = 0, created = 0;
  for (const JournalEntry& e : c.proxy->journal().entries()) {
    REQUIRE(e.upstream);
    REQUIRE(e.duplicate);
    for (const UpstreamExchange* u : {&*e.upstream, &*e.duplicate}) {
      if (u->status == 201 && !u->replayed) ++created;
      if (u->status == 409 || u->replayed) ++conflicts_or_replays;
    }
  }
  CHECK(created == 10);
  CHECK(conflicts_or_replays == 10);
  CHECK(c.proxy->counters().forwarded == 20);
}

TEST_CASE("chaos: duplicate-forward in front of serve --bug no-lock executes twice", "[chaos]") {
  ServerConfig config = quiet_config();
  config.guard.bug = BugMode::NoLock;
  config.handler_delay = Millis{200};
  TestServer ts(config);
  Chaos c(ts.port(), {"duplicate-forward"});
  HttpClient client;
  const std::string key = new_uuid4();
  REQUIRE(client.send(payment(c.url, key)).ok());
  CHECK(ts.executions(key) == 2);
}

TEST_CASE("chaos: through serve --bug no-replay the journal shows the double execution",
          "[chaos]") {
  ServerConfig config = quiet_config();
  config.guard.bug = BugMode::NoReplay;
  TestServer ts(config);
  const std::string journal_path = "chaos-no-replay-journal.ndjson";
  Chaos c(ts.port(), {"drop-response,first-attempt-per-key"}, 1, journal_path);
  HttpClient client;
  const std::string key = new_uuid4();
  CHECK(client.send(payment(c.url, key)).error == TransportError::Closed);
  const ClientResponse retry = client.send(payment(c.url, key));
  REQUIRE(retry.ok());
  CHECK(ts.executions(key) == 2);
  c.proxy->stop();
  std::ifstream in(journal_path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["key"] == key);
  CHECK(lines[0]["faults"] == nlohmann::json::array({"drop-response=close"}));
  CHECK(lines[0]["client"] == "closed");
  CHECK(lines[0]["upstream"]["status"] == 201);
  CHECK(lines[1]["client"] == "answered");
  CHECK(lines[1]["client_status"] == 201);
  // Two fresh executions of one key: neither answer is a replay, and they differ.
  CHECK(lines[0]["upstream"]["replayed"] == false);
  CHECK(lines[1]["upstream"]["replayed"] == false);
  CHECK(lines[0]["upstream"]["body_sha256"] != lines[1]["upstream"]["body_sha256"]);
  std::remove(journal_path.c_str());
}

TEST_CASE("chaos: delays hold the request or the answer", "[chaos]") {
  EchoServer echo;
  Chaos c(echo.port(), {"delay-request=300ms,path=/echo", "delay-response=300ms,path=/echo"});
  HttpClient client;
  ClientRequest r;
  r.method = "POST";
  r.url = c.url + "/echo";
  r.body = "x";
  const ClientResponse answer = client.send(r);
  REQUIRE(answer.ok());
  CHECK(answer.response.body == "x");
  CHECK(find_header(answer.response.headers, kChaosHeader) ==
        "delay-request=300ms, delay-response=300ms");
  // Both delays elapsed: the proxy's own account, not a timing assertion on the machine.
  const auto journal = c.proxy->journal().entries();
  REQUIRE(journal.size() == 1);
  CHECK(journal[0].total_ms >= 600);
}

TEST_CASE("chaos: with no fault applied, 4 MiB and chunked bodies pass byte for byte",
          "[chaos]") {
  EchoServer echo;
  Chaos c(echo.port(), {"abort,path=/never"});
  HttpClient client;
  ClientRequest r;
  r.method = "PUT";
  r.url = c.url + "/echo";
  r.body = big_body(4u << 20);
  const ClientResponse answer = client.send(r);
  REQUIRE(answer.ok());
  CHECK(answer.response.body == r.body);
  CHECK_FALSE(find_header(answer.response.headers, kChaosHeader));

  // A chunked request body, sent raw: the upstream gets the same bytes.
  const int port = std::stoi(c.url.substr(c.url.rfind(':') + 1));
  const std::string body = big_body(300 * 1024);
  std::string chunked;
  for (size_t at = 0; at < body.size(); at += 70 * 1024) {
    const std::string piece = body.substr(at, 70 * 1024);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    chunked += size + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";
  const std::string wire = raw_exchange(
      port, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n" + chunked);
  REQUIRE(wire.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(echo.seen().back().body == body);
  CHECK(wire.substr(wire.find("\r\n\r\n") + 4) == body);
}

TEST_CASE("chaos: a chunked answer from the upstream reaches the client whole", "[chaos]") {
  RawServer raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  Chaos c(raw.port(), {"abort,path=/never"});
  HttpClient client;
  ClientRequest r;
  r.method = "GET";
  r.url = c.url + "/x";
  const ClientResponse answer = client.send(r);
  REQUIRE(answer.ok());
  CHECK(answer.response.body == "hello world");
}

TEST_CASE("chaos: rules are replaced at once while the proxy serves", "[chaos]") {
  TestServer ts(quiet_config());
  Chaos c(ts.port(), {"abort=503"});
  HttpClient client;
  CHECK(client.send(payment(c.url, new_uuid4())).response.status == 503);
  c.proxy->replace_rules({parse_fault_rule("replace-status=504").value()});
  CHECK(client.send(payment(c.url, new_uuid4())).response.status == 504);
  c.proxy->replace_rules({});
  CHECK(client.send(payment(c.url, new_uuid4())).response.status == 201);
  const ChaosCounters counters = c.proxy->counters();
  CHECK(counters.requests == 3);
  CHECK(counters.faulted == 2);
  CHECK(counters.lost == 1);
  c.proxy->reset();
  CHECK(c.proxy->counters().requests == 0);
  CHECK(c.proxy->journal().entries().empty());
}

TEST_CASE("chaos: stop ends a hung connection at once", "[chaos]") {
  TestServer ts(quiet_config());
  Chaos c(ts.port(), {"drop-response=hang"});
  std::thread client([&] {
    HttpClient hc;
    (void)hc.send(payment(c.url, new_uuid4(), Millis{30'000}));
  });
  // Bounded wait until the proxy holds the request (it was counted as lost before the hold).
  for (int i = 0; i < 1000 && c.proxy->counters().lost == 0; ++i) {
    std::this_thread::sleep_for(Millis{10});
  }
  REQUIRE(c.proxy->counters().lost == 1);
  const auto before = std::chrono::steady_clock::now();
  c.proxy->stop();
  client.join();
  // Far below the 20 s hang limit and the client's 30 s timeout.
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(10));
}

TEST_CASE("chaos: --max-body bounds both ways: 413 for the request, 502 for the answer",
          "[chaos]") {
  EchoServer echo;
  ChaosOptions o;
  o.upstream = base_url(echo.port());
  o.max_body = 1u << 20;
  ChaosProxy proxy(o);
  REQUIRE(proxy.start().ok());
  HttpClient client;
  ClientRequest r;
  r.method = "POST";
  r.url = proxy.base_url() + "/echo";
  r.body = big_body((1u << 20) + 1);
  const ClientResponse too_big = client.send(r);
  REQUIRE(too_big.ok());
  CHECK(too_big.response.status == 413);
  r.method = "GET";
  r.body.clear();
  r.url = proxy.base_url() + "/big?bytes=" + std::to_string(2u << 20);
  const ClientResponse answer = client.send(r);
  REQUIRE(answer.ok());
  CHECK(answer.response.status == 502);
  CHECK_THAT(answer.response.body, Catch::Contains("more than 1048576 body bytes"));
  r.url = proxy.base_url() + "/big?bytes=" + std::to_string(1u << 20);
  const ClientResponse fits = client.send(r);
  REQUIRE(fits.ok());
  CHECK(fits.response.status == 200);
  CHECK(fits.response.body.size() == (1u << 20));
}
