#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>

#include "idem/client/http_client.hpp"
#include "idem/key.hpp"
#include "support/echo_server.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

ClientRequest payment(int port, const std::string& key) {
  ClientRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/payments";
  r.headers = {{"Idempotency-Key", key}, {"Content-Type", "application/json"}};
  r.body = kPaymentBody;
  return r;
}

}  // namespace

TEST_CASE("send_burst: 16 duplicates released together execute once, the rest get 409",
          "[client][concurrency]") {
  ServerConfig config = quiet_config();
  // Keep the winner in flight while the others arrive, even on a loaded machine where a server
  // thread can wait tens of milliseconds for a core.
  config.handler_delay = Millis(300);
  TestServer ts(config);
  constexpr int kRounds = 10;
  constexpr int kDuplicates = 16;
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = new_uuid4();
    const std::vector<ClientRequest> requests(kDuplicates, payment(ts.port(), key));
    const std::vector<ClientResponse> responses = send_burst(requests);
    REQUIRE(responses.size() == kDuplicates);
    int created = 0;
    int conflicts = 0;
    for (const ClientResponse& r : responses) {
      INFO("round " << round << ": " << to_string(r.error) << " " << r.error_message);
      REQUIRE(r.ok());
      if (r.response.status == 201) ++created;
      if (r.response.status == 409) ++conflicts;
    }
    INFO("round " << round << ": created " << created << ", conflicts " << conflicts);
    CHECK(ts.executions(key) == 1);
    CHECK(created == 1);
    CHECK(conflicts == kDuplicates - 1);
  }
}

TEST_CASE("send_burst: 16 distinct keys on a slow handler all execute, results in order",
          "[client][concurrency]") {
  ServerConfig config = quiet_config();
  config.handler_delay = Millis(300);
  TestServer ts(config);
  std::vector<std::string> keys;
  std::vector<ClientRequest> requests;
  for (int i = 0; i < 16; ++i) {
    keys.push_back(new_uuid4());
    requests.push_back(payment(ts.port(), keys.back()));
  }
  const auto started = std::chrono::steady_clock::now();
  const std::vector<ClientResponse> responses = send_burst(requests);
  const auto wall = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  // Informational only: parallel requests take about one handler delay, serial ones 16.
  std::cout << "send_burst: 16 keys x 300 ms handler in " << wall.count() << " ms\n";
  REQUIRE(responses.size() == keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    INFO(i << ": " << responses[i].error_message);
    REQUIRE(responses[i].ok());
    CHECK(responses[i].response.status == 201);
    CHECK(ts.executions(keys[i]) == 1);
  }
}

TEST_CASE("send_burst: bodies of every size arrive whole, bodiless requests too", "[client]") {
  EchoServer echo;
  std::vector<ClientRequest> requests;
  for (const size_t size : {size_t{0}, size_t{1}, size_t{2}, size_t{1000}, size_t{3u << 20}}) {
    ClientRequest r;
    r.method = size == 0 ? "GET" : "PUT";
    r.url = echo.url("/echo");
    r.body = big_body(size);
    requests.push_back(r);
  }
  const std::vector<ClientResponse> responses = send_burst(requests);
  REQUIRE(responses.size() == requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    INFO(i << ": " << responses[i].error_message);
    REQUIRE(responses[i].ok());
    CHECK(responses[i].response.status == 200);
    CHECK(responses[i].response.body == requests[i].body);
  }
}

TEST_CASE("send_burst: a refused request fails alone and does not hold back the others",
          "[client]") {
  EchoServer echo;
  ClientRequest good;
  good.url = echo.url("/echo");
  good.body = "hello";
  ClientRequest bad = good;
  bad.url = "http://127.0.0.1:1/echo";  // nothing listens on port 1 here
  ClientRequest bad_get = bad;
  bad_get.method = "GET";
  bad_get.body.clear();
  ClientRequest good_get = bad_get;
  good_get.url = good.url;
  const std::vector<ClientResponse> responses = send_burst({good, bad, good, bad_get, good_get});
  REQUIRE(responses.size() == 5);
  CHECK(responses[0].ok());
  CHECK(responses[1].error == TransportError::Connect);
  CHECK(responses[2].ok());
  CHECK(responses[2].response.body == "hello");
  CHECK(responses[3].error == TransportError::Connect);
  CHECK(responses[4].ok());
  CHECK(responses[4].response.status == 200);
}

TEST_CASE("send_burst: an empty burst returns nothing", "[client]") {
  CHECK(send_burst({}).empty());
}
