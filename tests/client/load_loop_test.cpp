// LoadLoop: the persistent multi loop verify's bursts and stress's workers share. Against real
// loopback servers: connections survive across bursts and across load-mode requests, and the
// body sinks reduce answers as documented.
#include "idem/client/load_loop.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <set>

#include "support/echo_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

constexpr auto kLoadLimit = std::chrono::seconds(20);

ClientRequest post(const std::string& url, const std::string& body) {
  ClientRequest r;
  r.url = url;
  r.body = body;
  return r;
}

std::set<int> ports_of(const std::vector<SeenRequest>& seen, size_t from, size_t to) {
  std::set<int> out;
  for (size_t i = from; i < to && i < seen.size(); ++i) out.insert(seen[i].remote_port);
  return out;
}

/// Sends `bodies` over `loop`'s connections (round robin as they free up) and returns the
/// answers in send order. Bounded by kLoadLimit.
std::vector<LoadAnswer> run_load(LoadLoop& loop, const std::string& url,
                                 const std::vector<std::string>& bodies) {
  std::vector<LoadAnswer> answers(bodies.size());
  std::vector<int> idle;
  for (int i = 0; i < loop.connections(); ++i) idle.push_back(i);
  std::vector<size_t> sent_on(static_cast<size_t>(loop.connections()));
  std::vector<LoadCompletion> done;
  done.reserve(static_cast<size_t>(loop.connections()));
  size_t next = 0, finished = 0;
  const auto deadline = std::chrono::steady_clock::now() + kLoadLimit;
  while (finished < bodies.size() && std::chrono::steady_clock::now() < deadline) {
    while (next < bodies.size() && !idle.empty()) {
      const int c = idle.back();
      idle.pop_back();
      REQUIRE(loop.start(c, url, {}, bodies[next]));
      sent_on[static_cast<size_t>(c)] = next++;
    }
    done.clear();
    loop.step(done);
    for (const LoadCompletion& d : done) {
      answers[sent_on[static_cast<size_t>(d.connection)]] = d.answer;
      idle.push_back(d.connection);
      ++finished;
    }
    if (done.empty()) loop.wait(10);
  }
  REQUIRE(finished == bodies.size());
  return answers;
}

}  // namespace

TEST_CASE("LoadLoop: a second burst reuses the first burst's kept-alive connections",
          "[client]") {
  EchoServer echo;
  LoadLoop loop;
  std::vector<ClientRequest> requests;
  for (int i = 0; i < 4; ++i) requests.push_back(post(echo.url("/echo"), "body " + std::to_string(i)));
  const auto first = loop.burst(requests);
  const auto second = loop.burst(requests);
  REQUIRE(first.size() == 4);
  REQUIRE(second.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    INFO(first[i].error_message << " / " << second[i].error_message);
    REQUIRE(first[i].ok());
    REQUIRE(second[i].ok());
    CHECK(first[i].response.body == requests[i].body);
    CHECK(second[i].response.body == requests[i].body);
  }
  const auto seen = echo.seen();
  REQUIRE(seen.size() == 8);
  const std::set<int> first_ports = ports_of(seen, 0, 4);
  const std::set<int> second_ports = ports_of(seen, 4, 8);
  CHECK(first_ports.size() == 4);  // each request of a burst on its own connection
  CHECK(second_ports == first_ports);
}

TEST_CASE("LoadLoop: bursts of bodiless requests answer, on fresh and on kept-alive connections",
          "[client]") {
  EchoServer echo;
  LoadLoop loop;
  std::vector<ClientRequest> posts(3, post(echo.url("/echo"), "x"));
  ClientRequest get;
  get.method = "GET";
  get.url = echo.url("/echo");
  // A burst of bodiless requests only (once ended before sending anything).
  for (const auto& r : loop.burst(std::vector<ClientRequest>(3, get))) {
    INFO(r.error_message);
    CHECK(r.response.status == 200);
  }
  REQUIRE(loop.burst(posts).size() == 3);
  // Bodiless requests get connections opened ahead; where curl reuses a kept-alive one instead,
  // the one opened ahead is closed and nothing hangs.
  const auto gets = loop.burst(std::vector<ClientRequest>(3, get));
  for (const auto& r : gets) {
    INFO(r.error_message);
    CHECK(r.ok());
    CHECK(r.response.status == 200);
  }
  const auto fresh = send_burst(std::vector<ClientRequest>(2, get));
  for (const auto& r : fresh) {
    INFO(r.error_message);
    CHECK(r.response.status == 200);
  }
}

TEST_CASE("LoadLoop: load mode keeps its connections and hashes answer bodies", "[client]") {
  EchoServer echo;
  LoadLoop loop;
  constexpr int kConnections = 3;
  REQUIRE(loop.open_connections(post(echo.url("/echo"), ""), BodySink::Hash, kConnections).empty());
  std::vector<std::string> bodies;
  for (int i = 0; i < 30; ++i) bodies.push_back(i % 2 == 0 ? "even" : "odd body");
  const std::string url = echo.url("/echo");
  const auto answers = run_load(loop, url, bodies);
  for (size_t i = 0; i < answers.size(); ++i) {
    CHECK(answers[i].error == TransportError::None);
    CHECK(answers[i].status == 200);
    CHECK(answers[i].body_bytes == bodies[i].size());
    // The echo answers with the body: equal bodies hash equal, different ones differ.
    CHECK((answers[i].body_hash == answers[0].body_hash) == (bodies[i] == bodies[0]));
  }
  const auto seen = echo.seen();
  REQUIRE(seen.size() == bodies.size());
  // Connections were reused (httplib closes one after 5 requests, so not all 30 on 3).
  CHECK(ports_of(seen, 0, seen.size()).size() <= seen.size() / 2);
  // The last answer's body prefix stays readable for examples.
  bool any_prefix = false;
  for (int c = 0; c < kConnections; ++c) any_prefix = any_prefix || !loop.body(c).empty();
  CHECK(any_prefix);
}

TEST_CASE("LoadLoop: BodySink::Discard counts body bytes without hashing them", "[client]") {
  EchoServer echo;
  LoadLoop loop;
  REQUIRE(loop.open_connections(post(echo.url("/echo"), ""), BodySink::Discard, 2).empty());
  const auto answers = run_load(loop, echo.url("/echo"), {"first body", "another body!"});
  CHECK(answers[0].body_bytes == 10);
  CHECK(answers[1].body_bytes == 13);
  CHECK(answers[0].body_hash == answers[1].body_hash);
  CHECK(loop.body(0).empty());
}

TEST_CASE("LoadLoop: abandon() gives up transfers still in flight", "[client]") {
  EchoServer echo;
  LoadLoop loop;
  ClientRequest common;
  common.method = "GET";
  common.url = echo.url("/hold");
  REQUIRE(loop.open_connections(common, BodySink::Hash, 2).empty());
  REQUIRE(loop.start(0, common.url, {}, {}));
  REQUIRE(loop.start(1, common.url, {}, {}));
  std::vector<LoadCompletion> done;
  loop.step(done);
  CHECK(done.empty());
  CHECK(loop.abandon() == 2);
  echo.release_held();
}
