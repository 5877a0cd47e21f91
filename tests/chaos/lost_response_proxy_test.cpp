// The lost-response proxy of verify and stress: the chaos proxy with one rule
// (chaos::lost_response_rules), and the forwarding every chaos rule builds on.
#include "idem/chaos/chaos_proxy.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "idem/client/http_client.hpp"
#include "idem/key.hpp"
#include "support/echo_server.hpp"
#include "support/raw_server.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;
using idem::chaos::ChaosProxy;
using idem::chaos::kDropResponseHeader;

namespace {

std::string base_url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

ClientRequest payment(const std::string& base, const std::string& key, HeaderList extra = {}) {
  ClientRequest r;
  r.url = base + "/payments";
  r.headers = {{"Idempotency-Key", key}, {"Content-Type", "application/json"}};
  r.headers.insert(r.headers.end(), extra.begin(), extra.end());
  r.body = kPaymentBody;
  return r;
}

/// A proxy in front of `upstream`, started on a free port.
struct StartedProxy {
  explicit StartedProxy(const std::string& upstream)
      : proxy(chaos::lost_response_proxy(upstream)) {
    auto port = proxy.start();
    REQUIRE(port.ok());
    REQUIRE(*port > 0);
  }
  ChaosProxy proxy;
};

}  // namespace

TEST_CASE("lost-response proxy: a POST passes through with status, Location and body intact", "[proxy][chaos]") {
  TestServer ts(quiet_config());
  StartedProxy p(base_url(ts.port()));
  HttpClient client;
  const std::string key = new_uuid4();
  const ClientResponse via = client.send(payment(p.proxy.base_url(), key));
  INFO(via.error_message);
  REQUIRE(via.ok());
  CHECK(via.response.status == 201);
  // The server's own replay of the same key is the reference for what the proxy must deliver.
  const ClientResponse direct = client.send(payment(base_url(ts.port()), key));
  REQUIRE(direct.ok());
  CHECK(direct.response.status == 201);
  CHECK(find_header(direct.response.headers, "Idempotent-Replayed") == "true");
  CHECK(via.response.body == direct.response.body);
  REQUIRE(find_header(via.response.headers, "Location"));
  CHECK(find_header(via.response.headers, "Location") ==
        find_header(direct.response.headers, "Location"));
  CHECK(find_header(via.response.headers, "Content-Type") == "application/json");
  CHECK(ts.executions(key) == 1);
  CHECK(p.proxy.dropped() == 0);
}

TEST_CASE("lost-response proxy: method, path, query, headers and a multi-MiB body are forwarded exactly",
          "[proxy][chaos]") {
  EchoServer echo;
  StartedProxy p(base_url(echo.port()));
  HttpClient client;
  ClientRequest r;
  r.method = "PUT";
  r.url = p.proxy.base_url() + "/echo?a=1&b=x%20y";
  r.headers = {{"X-One", "1"}, {"X-Two", "two"}, {"Authorization", "Bearer t"}};
  r.body = big_body(3u << 20);
  const ClientResponse answer = client.send(r);
  INFO(answer.error_message);
  REQUIRE(answer.ok());
  CHECK(answer.response.status == 200);
  CHECK(answer.response.body == r.body);
  CHECK(header_values(answer.response.headers, "X-Order") == std::vector<std::string>{"b", "a"});
  const SeenRequest seen = echo.seen().back();
  CHECK(seen.method == "PUT");
  CHECK(seen.path == "/echo");
  CHECK(seen.body == r.body);
  CHECK(find_header(seen.headers, "X-One") == "1");
  CHECK(find_header(seen.headers, "X-Two") == "two");
  CHECK(find_header(seen.headers, "Authorization") == "Bearer t");

  ClientRequest head;
  head.method = "HEAD";
  head.url = p.proxy.base_url() + "/echo";
  const ClientResponse h = client.send(head);
  REQUIRE(h.ok());
  CHECK(h.response.status == 200);
  CHECK(echo.seen().back().method == "HEAD");
}

TEST_CASE("lost-response proxy: the drop header loses the answer after one execution; a retry replays",
          "[proxy][chaos]") {
  TestServer ts(quiet_config());
  StartedProxy p(base_url(ts.port()));
  HttpClient client;
  const std::string key = new_uuid4();
  const ClientResponse lost =
      client.send(payment(p.proxy.base_url(), key, {{std::string(kDropResponseHeader), "1"}}));
  CHECK(lost.error == TransportError::Closed);
  CHECK(p.proxy.dropped() == 1);
  CHECK(ts.executions(key) == 1);

  const ClientResponse retry = client.send(payment(p.proxy.base_url(), key));
  INFO(retry.error_message);
  REQUIRE(retry.ok());
  CHECK(retry.response.status == 201);
  CHECK(find_header(retry.response.headers, "Idempotent-Replayed") == "true");
  CHECK(ts.executions(key) == 1);
  CHECK(p.proxy.dropped() == 1);
}

TEST_CASE("lost-response proxy: the drop header is not forwarded, and other values do not drop", "[proxy][chaos]") {
  EchoServer echo;
  StartedProxy p(base_url(echo.port()));
  HttpClient client;
  ClientRequest r;
  r.url = p.proxy.base_url() + "/echo";
  r.body = "payload";
  r.headers = {{std::string(kDropResponseHeader), "1"}};
  const ClientResponse lost = client.send(r);
  CHECK(lost.error == TransportError::Closed);
  REQUIRE(echo.seen().size() == 1);
  CHECK(echo.seen()[0].body == "payload");
  CHECK_FALSE(find_header(echo.seen()[0].headers, kDropResponseHeader));

  r.headers = {{std::string(kDropResponseHeader), "0"}};
  const ClientResponse kept = client.send(r);
  REQUIRE(kept.ok());
  CHECK(kept.response.body == "payload");
  CHECK(p.proxy.dropped() == 1);
}

TEST_CASE("lost-response proxy: 16 duplicates released together through the proxy execute once",
          "[proxy][chaos][concurrency]") {
  ServerConfig config = quiet_config();
  config.handler_delay = Millis(300);
  TestServer ts(config);
  StartedProxy p(base_url(ts.port()));
  const std::string key = new_uuid4();
  const std::vector<ClientResponse> responses =
      send_burst(std::vector<ClientRequest>(16, payment(p.proxy.base_url(), key)));
  int created = 0;
  int conflicts = 0;
  for (const ClientResponse& r : responses) {
    INFO(r.error_message);
    REQUIRE(r.ok());
    created += r.response.status == 201 ? 1 : 0;
    conflicts += r.response.status == 409 ? 1 : 0;
  }
  CHECK(ts.executions(key) == 1);
  CHECK(created == 1);
  CHECK(conflicts == 15);
}

TEST_CASE("lost-response proxy: an upstream that closes without answering is passed on as a close",
          "[proxy][chaos]") {
  TestServer ts(quiet_config());
  StartedProxy p(base_url(ts.port()));
  HttpClient client;
  const std::string key = new_uuid4();
  const ClientResponse lost =
      client.send(payment(p.proxy.base_url(), key, {{"Idemctl-Fault", "drop"}}));
  CHECK(lost.error == TransportError::Closed);
  CHECK(ts.executions(key) == 1);
  CHECK(p.proxy.dropped() == 0);  // the upstream dropped it, not the proxy
  const ClientResponse retry = client.send(payment(p.proxy.base_url(), key));
  REQUIRE(retry.ok());
  CHECK(find_header(retry.response.headers, "Idempotent-Replayed") == "true");
}

TEST_CASE("lost-response proxy: an unreachable upstream is a 502 problem", "[proxy][chaos]") {
  StartedProxy p("http://127.0.0.1:1");
  HttpClient client;
  ClientRequest r;
  r.url = p.proxy.base_url() + "/payments";
  r.body = "{}";
  const ClientResponse answer = client.send(r);
  REQUIRE(answer.ok());
  CHECK(answer.response.status == 502);
  CHECK(find_header(answer.response.headers, "Content-Type") == "application/problem+json");
  CHECK(nlohmann::json::parse(answer.response.body).at("status") == 502);
}

TEST_CASE("lost-response proxy: start reports a busy port, stop is idempotent", "[proxy][chaos]") {
  StartedProxy first("http://127.0.0.1:1");
  const int port = std::stoi(first.proxy.base_url().substr(first.proxy.base_url().rfind(':') + 1));
  chaos::ChaosOptions taken = chaos::lost_response_proxy("http://127.0.0.1:1");
  taken.port = port;
  ChaosProxy second(taken);
  const Result<int> busy = second.start();
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.error().code == ErrorCode::Unavailable);
  CHECK_FALSE(first.proxy.start().ok());
  first.proxy.stop();
  first.proxy.stop();
}

TEST_CASE("lost-response proxy: request headers reach the upstream's wire verbatim", "[proxy][chaos]") {
  RawServer raw("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  StartedProxy p(base_url(raw.port()));
  HttpClient client;
  ClientRequest r;
  r.method = "GET";
  r.url = p.proxy.base_url() + "/x?q=1";
  // Not '%': cpp-httplib 0.11 percent-decodes header values while parsing (see the report).
  r.headers = {{"Idempotency-Key", "\"a+b c\\\"\""}, {"X-Dup", "1"}, {"X-Dup", "2"}};
  REQUIRE(client.send(r).ok());
  const std::vector<std::string> seen = raw.seen();
  REQUIRE(seen.size() == 1);
  const std::string& wire = seen[0];
  CHECK(wire.starts_with("GET /x?q=1 HTTP/1.1\r\n"));
  CHECK(wire.find("\r\nIdempotency-Key: \"a+b c\\\"\"\r\n") != std::string::npos);
  CHECK(wire.find("\r\nX-Dup: 1\r\nX-Dup: 2\r\n") != std::string::npos);
  CHECK(wire.find("REMOTE_ADDR") == std::string::npos);
  CHECK(wire.find(std::string(kDropResponseHeader)) == std::string::npos);
}
