#include "idem/client/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "idem/key.hpp"
#include "support/echo_server.hpp"
#include "support/raw_server.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

ClientRequest request_to(const std::string& url, const std::string& method,
                         const std::string& body = "", HeaderList headers = {}) {
  ClientRequest r;
  r.method = method;
  r.url = url;
  r.body = body;
  r.headers = std::move(headers);
  return r;
}

std::string base_url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

TEST_CASE("HttpClient: a POST to the reference server comes back 201 with Location and body",
          "[client]") {
  TestServer ts(quiet_config());
  HttpClient client;
  const std::string key = new_uuid4();
  const ClientResponse r =
      client.send(request_to(base_url(ts.port()) + "/payments", "POST", kPaymentBody,
                             {{"Idempotency-Key", key}, {"Content-Type", "application/json"}}));
  INFO(r.error_message);
  REQUIRE(r.ok());
  CHECK(r.response.status == 201);
  REQUIRE(find_header(r.response.headers, "Location"));
  const auto body = nlohmann::json::parse(r.response.body);
  CHECK(*find_header(r.response.headers, "Location") ==
        "/payments/" + body.at("id").get<std::string>());
  CHECK(r.latency.count() > 0);
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("HttpClient: every method reaches the server with its headers and body", "[client]") {
  EchoServer echo;
  HttpClient client;
  // httplib reads bodies of POST, PUT, PATCH and DELETE only.
  for (const std::string method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    const bool has_body = method != "GET" && method != "OPTIONS";
    const std::string body = has_body ? "body of " + method : "";
    const ClientResponse r =
        client.send(request_to(echo.url("/echo"), method, body, {{"X-Test", method}}));
    INFO(method << ": " << r.error_message);
    REQUIRE(r.ok());
    CHECK(r.response.status == 200);
    CHECK(r.response.body == body);
    const SeenRequest seen = echo.seen().back();
    CHECK(seen.method == method);
    CHECK(seen.body == body);
    CHECK(find_header(seen.headers, "X-Test") == method);
    // No 100-continue handshake and no invented form Content-Type.
    CHECK_FALSE(find_header(seen.headers, "Expect"));
    CHECK_FALSE(find_header(seen.headers, "Content-Type"));
  }
}

TEST_CASE("HttpClient: HEAD returns status and headers without waiting for a body", "[client]") {
  EchoServer echo;
  HttpClient client;
  const ClientResponse r = client.send(request_to(echo.url("/echo"), "HEAD"));
  INFO(r.error_message);
  REQUIRE(r.ok());
  CHECK(r.response.status == 200);
  CHECK(r.response.body.empty());
  CHECK(echo.seen().back().method == "HEAD");
}

TEST_CASE("HttpClient: multi-MiB bodies travel byte-exactly both ways", "[client]") {
  EchoServer echo;
  HttpClient client;
  const std::string body = big_body(5u << 20);
  const ClientResponse r = client.send(request_to(echo.url("/echo"), "POST", body));
  INFO(r.error_message);
  REQUIRE(r.ok());
  CHECK(echo.seen().back().body.size() == body.size());
  CHECK(echo.seen().back().body == body);
  CHECK(r.response.body.size() == body.size());
  CHECK(r.response.body == body);

  const ClientResponse big = client.send(request_to(echo.url("/big?bytes=7340033"), "GET"));
  REQUIRE(big.ok());
  CHECK(big.response.body == big_body(7340033));
}

TEST_CASE("HttpClient: headers go out as given and come back in wire order", "[client]") {
  RawServer raw(
      "HTTP/1.1 201 Created\r\nX-Order: b\r\nContent-Length: 2\r\nX-Empty:\r\n"
      "X-Order:  a \r\nSet-Cookie: s=1\r\n\r\nok");
  HttpClient client;
  const ClientResponse r = client.send(
      request_to(raw.url("/p"), "POST", "{}",
                 {{"Idempotency-Key", "k1"}, {"X-Blank", ""}, {"Idempotency-Key", "k2"}}));
  INFO(r.error_message);
  REQUIRE(r.ok());
  CHECK(r.response.status == 201);
  CHECK(r.response.body == "ok");
  const HeaderList expected{{"X-Order", "b"},
                            {"Content-Length", "2"},
                            {"X-Empty", ""},
                            {"X-Order", "a"},
                            {"Set-Cookie", "s=1"}};
  CHECK(r.response.headers == expected);

  const auto seen = raw.seen();
  REQUIRE(seen.size() == 1);
  const std::string& wire = seen[0];
  CHECK(wire.starts_with("POST /p HTTP/1.1\r\n"));
  const auto first = wire.find("\r\nIdempotency-Key: k1\r\n");
  const auto second = wire.find("\r\nIdempotency-Key: k2\r\n");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(wire.find("\r\nX-Blank:\r\n") != std::string::npos);
  CHECK(wire.find("Expect") == std::string::npos);
  CHECK(wire.find("Content-Type") == std::string::npos);
  CHECK(wire.ends_with("\r\n\r\n{}"));
}

TEST_CASE("HttpClient: a second request reuses the kept-alive connection", "[client]") {
  EchoServer echo;
  HttpClient client;
  REQUIRE(client.send(request_to(echo.url("/echo"), "POST", "one")).ok());
  REQUIRE(client.send(request_to(echo.url("/echo"), "POST", "two")).ok());
  const auto seen = echo.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].remote_port == seen[1].remote_port);
}

TEST_CASE("HttpClient: non-2xx statuses are answers, not transport errors", "[client]") {
  EchoServer echo;
  HttpClient client;
  for (const int status : {201, 404, 409, 503}) {
    const ClientResponse r =
        client.send(request_to(echo.url("/status/" + std::to_string(status)), "POST", "x"));
    REQUIRE(r.ok());
    CHECK(r.response.status == status);
  }
}

TEST_CASE("HttpClient: a refused connection is TransportError::Connect", "[client]") {
  // A bound socket that does not listen: its port is ours, and connecting to it is refused.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  HttpClient client;
  const ClientResponse r = client.send(request_to(base_url(ntohs(addr.sin_port)) + "/", "GET"));
  ::close(fd);
  CHECK(r.error == TransportError::Connect);
  CHECK_FALSE(r.error_message.empty());
  CHECK(to_string(r.error) == "connect");
}

TEST_CASE("HttpClient: an answer slower than the timeout is TransportError::Timeout", "[client]") {
  EchoServer echo;
  HttpClient client;
  ClientRequest req = request_to(echo.url("/hold"), "GET");
  req.timeout = Millis(200);
  const ClientResponse r = client.send(req);
  echo.release_held();
  CHECK(r.error == TransportError::Timeout);
}

TEST_CASE("HttpClient: a dropped answer is Closed and is not silently resent", "[client]") {
  TestServer ts(quiet_config());
  HttpClient client;
  const std::string url = base_url(ts.port()) + "/payments";
  const HeaderList json{{"Content-Type", "application/json"}};
  HeaderList first = json;
  first.emplace_back("Idempotency-Key", new_uuid4());
  REQUIRE(client.send(request_to(url, "POST", kPaymentBody, first)).response.status == 201);

  // Same client, so the drop lands on a kept-alive connection: the case where curl on its own
  // would resend the request on a fresh one.
  const std::string key = new_uuid4();
  HeaderList dropped = json;
  dropped.emplace_back("Idempotency-Key", key);
  dropped.emplace_back("Idemctl-Fault", "drop");
  const ClientResponse r = client.send(request_to(url, "POST", kPaymentBody, dropped));
  CHECK(r.error == TransportError::Closed);
  CHECK(ts.executions(key) == 1);
  const Exchange stats = send(ts.port(), "GET", "/__idem/stats");
  REQUIRE(stats.status == 200);
  CHECK(nlohmann::json::parse(stats.body)["requests"]["replayed"] == 0);

  HeaderList retry = json;
  retry.emplace_back("Idempotency-Key", key);
  const ClientResponse again = client.send(request_to(url, "POST", kPaymentBody, retry));
  REQUIRE(again.ok());
  CHECK(again.response.status == 201);
  CHECK(find_header(again.response.headers, "Idempotent-Replayed") == "true");
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("HttpClient: an answer past its size or header-count bound is a Read error",
          "[client]") {
  EchoServer echo;
  HttpClient client;
  ClientRequest r;
  r.method = "GET";
  r.url = echo.url("/big?bytes=5000");
  r.max_response_bytes = 4999;
  const ClientResponse over = client.send(r);
  CHECK(over.error == TransportError::Read);
  CHECK_THAT(over.error_message, Catch::Contains("more than 4999 body bytes"));
  r.max_response_bytes = 5000;
  const ClientResponse exact = client.send(r);
  REQUIRE(exact.ok());
  CHECK(exact.response.body.size() == 5000);

  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n";
  for (size_t i = 0; i < kMaxResponseHeaders; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  RawServer many(head + "\r\n");
  ClientRequest h;
  h.method = "GET";
  h.url = "http://127.0.0.1:" + std::to_string(many.port()) + "/";
  const ClientResponse flooded = client.send(h);
  CHECK(flooded.error == TransportError::Read);
  CHECK_THAT(flooded.error_message, Catch::Contains("1000 header lines"));
}
