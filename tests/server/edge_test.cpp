// The HTTP edge against hostile input, over real sockets: bytes a normal client never sends,
// framing that could smuggle a second request, and clients too slow to finish a head.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "json_text.hpp"
#include "http/request_head.hpp"
#include "support/raw_client.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

const std::string kKey = "0f8fad5b-d9cb-469f-a165-70867728950e";

std::string payment_post(const std::string& key, const std::string& extra_headers = "") {
  return "POST /payments HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + key +
         "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(kPaymentBody.size()) + "\r\n" + extra_headers + "\r\n" + kPaymentBody;
}

int status_of(const std::string& wire) {
  if (wire.rfind("HTTP/1.1 ", 0) != 0 || wire.size() < 12) return 0;
  return std::stoi(wire.substr(9, 3));
}

std::string body_of(const std::string& wire) {
  const size_t at = wire.find("\r\n\r\n");
  return at == std::string::npos ? "" : wire.substr(at + 4);
}

long long executions_total(int port) {
  const auto r = send(port, "GET", "/__idem/stats");
  return nlohmann::json::parse(r.body).at("executions_total").get<long long>();
}

}  // namespace

TEST_CASE("Edge: a path that decodes to invalid UTF-8 gets a 404 problem, and the server lives",
          "[edge]") {
  TestServer ts(quiet_config());
  const std::string wire = raw_exchange(ts.port(), "GET /%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(status_of(wire) == 404);
  const auto body = nlohmann::json::parse(body_of(wire), nullptr, false);
  CHECK(body.is_object());
  CHECK(send(ts.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("Edge: invalid UTF-8 in a query key or a payment id is answered, not a 500", "[edge]") {
  TestServer ts(quiet_config());
  CHECK(send(ts.port(), "GET", "/__idem/executions?key=%ff").status == 200);
  CHECK(send(ts.port(), "GET", "/payments/%ff").status == 404);
}

TEST_CASE("Edge: a body nested deeper than kMaxJsonDepth is a 400 problem under --fingerprint json",
          "[edge]") {
  ServerConfig c = quiet_config();
  c.guard.fingerprint = FingerprintMode::Json;
  TestServer ts(c);
  const std::string deep = std::string(70'000, '[') + std::string(70'000, ']');
  const auto r = post_with_key(ts.port(), kKey, deep);
  CHECK(r.status == 400);
  CHECK(r.header("Content-Type") == "application/problem+json");
  const std::string at_limit = "{\"amount\":1,\"currency\":\"EUR\",\"x\":" +
                               std::string(kMaxJsonDepth - 1, '[') +
                               std::string(kMaxJsonDepth - 1, ']') + "}";
  CHECK(post_with_key(ts.port(), "1f8fad5b-d9cb-469f-a165-70867728950e", at_limit).status == 201);
}

TEST_CASE("Edge: an over-long header line is 431 and a close; the bytes after it never run",
          "[edge]") {
  TestServer ts(quiet_config());
  const std::string smuggle = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70 * 1024, 'a') +
                              "\r\n\r\n" + payment_post(kKey);
  const std::string wire = raw_exchange(ts.port(), smuggle);
  CHECK(status_of(wire) == 431);
  CHECK(count_responses(wire) == 1);
  CHECK(body_of(wire).find("/problems/") != std::string::npos);
  CHECK(executions_total(ts.port()) == 0);
  // The refusal is counted where an operator looks.
  CHECK_THAT(send(ts.port(), "GET", "/metrics").body,
             Catch::Contains("idem_edge_refusals_total{status=\"431\"} 1\n"));
}

TEST_CASE("Edge: too many header lines is 431 and a close", "[edge]") {
  TestServer ts(quiet_config());
  std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (size_t i = 0; i < kMaxHeaderCount + 1; ++i) head += "X-" + std::to_string(i) + ": y\r\n";
  const std::string wire = raw_exchange(ts.port(), head + "\r\n" + payment_post(kKey));
  CHECK(status_of(wire) == 431);
  CHECK(count_responses(wire) == 1);
  CHECK(executions_total(ts.port()) == 0);
}

TEST_CASE("Edge: conflicting framing is 400 and a close; nothing is smuggled", "[edge]") {
  TestServer ts(quiet_config());
  const std::string second = payment_post("2f8fad5b-d9cb-469f-a165-70867728950e");
  const std::vector<std::string> framings = {
      "Content-Length: 0\r\nContent-Length: " + std::to_string(second.size()) + "\r\n",
      "Content-Length: 5\r\nContent-Length: 5\r\n",
      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
      "Content-Length: -1\r\n",
      "Content-Length: 99999999999999999999999\r\n",
      "Content-Length: 5, 5\r\n",
      "Content-Length : 0\r\n",
      "Transfer-Encoding: gzip, chunked\r\n",
  };
  for (const auto& framing : framings) {
    INFO(framing);
    const std::string wire = raw_exchange(
        ts.port(), "POST /payments HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + kKey + "\r\n" +
                       framing + "\r\n" + second);
    const int status = status_of(wire);
    CHECK((status == 400 || status == 501));
    CHECK(count_responses(wire) == 1);
  }
  CHECK(executions_total(ts.port()) == 0);
}

TEST_CASE("Edge: a body past the 64 KiB prefetch and a chunked body are read whole by the worker",
          "[edge]") {
  TestServer ts(quiet_config());
  // The payment body followed by 200 KiB of JSON whitespace: past what the head reader
  // prefetches, so the worker reads the rest from the socket.
  const std::string body = kPaymentBody + std::string(200 * 1024, ' ');
  const auto post = [](const std::string& framing, const std::string& payload) {
    return "POST /payments HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + kKey +
           "\r\nContent-Type: application/json\r\n" + framing +
           "Connection: close\r\n\r\n" + payload;
  };
  const std::string first =
      raw_exchange(ts.port(), post("Content-Length: " + std::to_string(body.size()) + "\r\n", body));
  CHECK(status_of(first) == 201);
  // The same bytes again, chunked in three pieces: the same request, so a replay.
  std::string chunked;
  for (size_t at = 0; at < body.size(); at += 90 * 1024) {
    const std::string piece = body.substr(at, 90 * 1024);
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
    chunked += size + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";
  const std::string retry = raw_exchange(ts.port(), post("Transfer-Encoding: chunked\r\n", chunked));
  CHECK(status_of(retry) == 201);
  CHECK_THAT(retry, Catch::Contains("Idempotent-Replayed: true"));
  CHECK(body_of(retry) == body_of(first));
  CHECK(executions_total(ts.port()) == 1);
}

TEST_CASE("Edge: pipelined requests on one connection are each answered in order", "[edge]") {
  TestServer ts(quiet_config());
  RawConnection c(ts.port());
  REQUIRE(c.send(payment_post(kKey) + payment_post(kKey, "Connection: close\r\n")));
  const std::string wire = c.read_until_close();
  CHECK(count_responses(wire) == 2);
  CHECK(wire.find("Idempotent-Replayed: true") != std::string::npos);
  CHECK(executions_total(ts.port()) == 1);
}

TEST_CASE("Edge: 200 slow clients do not delay a normal one, and are closed at the head deadline",
          "[edge]") {
  ServerConfig c = quiet_config();
  c.threads = 4;
  c.head_timeout = std::chrono::milliseconds(1500);
  TestServer ts(c);
  constexpr int kSlow = 200;
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawConnection>(ts.port()));
    REQUIRE(slow.back()->connected());
    REQUIRE(slow.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n"));
  }
  const auto started = std::chrono::steady_clock::now();
  const auto r = send(ts.port(), "GET", "/healthz");
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(r.status == 200);
  CHECK(took < std::chrono::seconds(1));
  int closed = 0;
  for (auto& s : slow) closed += s->closed_by_peer(std::chrono::seconds(10)) ? 1 : 0;
  CHECK(closed == kSlow);
}

TEST_CASE("Edge: /healthz is answered while every worker sleeps in a delayed handler", "[edge]") {
  ServerConfig c = quiet_config();
  c.threads = 2;
  TestServer ts(c);
  std::vector<std::unique_ptr<RawConnection>> busy;
  for (int i = 0; i < 2; ++i) {
    busy.push_back(std::make_unique<RawConnection>(ts.port()));
    REQUIRE(busy.back()->send(payment_post(std::to_string(i) + "f8fad5b-d9cb-469f-a165-70867728950e",
                                           "Idemctl-Fault: delay=3s\r\n")));
  }
  const auto started = std::chrono::steady_clock::now();
  const auto r = send(ts.port(), "GET", "/healthz");
  CHECK(r.status == 200);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
}

TEST_CASE("check_request_head: limits and framing, byte by byte", "[edge]") {
  const auto check = [](const std::string& head) { return check_request_head(head, 1000); };
  using State = HeadCheck::State;
  CHECK(check("GET / HTTP/1.1\r\nHost: x\r\n").state == State::Incomplete);
  const HeadCheck ok = check("POST /p?q=1 HTTP/1.1\r\nContent-Length: 12\r\n\r\nbody");
  REQUIRE(ok.state == State::Complete);
  CHECK(ok.content_length == 12);
  CHECK(ok.head_size == std::string("POST /p?q=1 HTTP/1.1\r\nContent-Length: 12\r\n\r\n").size());
  CHECK(check("GET / HTTP/1.1\r\nX: a\n\r\n").status == 400);
  CHECK(check("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n").status == 400);
  CHECK(check("GET / HTTP/1.1\r\n folded\r\n\r\n").status == 400);
  CHECK(check("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n").status == 413);
  CHECK(check("GET /" + std::string(kMaxRequestLine, 'a')).status == 414);
  CHECK(check("GET / HTTP/1.1\r\nX: " + std::string(kMaxHeaderLine, 'a')).status == 431);
  CHECK(check("GET / HTTP/1.1\r\nX: " + std::string(kMaxHeaderLine - 8, 'a') + "\r\n\r\n").state ==
        State::Complete);
}

TEST_CASE("json_depth_within: kMaxJsonDepth is the deepest nesting accepted", "[edge]") {
  CHECK(json_depth_within(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
  CHECK_FALSE(json_depth_within(std::string(kMaxJsonDepth + 1, '[')));
  CHECK(json_depth_within("\"[[[[[[\"", 2));
  CHECK(json_depth_within(R"({"a":"\"[[["})", 1));
}
