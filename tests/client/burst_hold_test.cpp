// Proof that send_burst() holds every last byte until all requests are ready: a raw server that
// refuses to read one request's large body must not see the other request's last byte.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "idem/client/http_client.hpp"

using namespace idem;

namespace {

using Clock = std::chrono::steady_clock;

struct Conn {
  int fd = -1;
  std::string data;
  size_t body_start = 0;  ///< 0 until the head is complete
  size_t length = 0;      ///< Content-Length
  size_t body_received() const { return body_start == 0 ? 0 : data.size() - body_start; }
};

/// Reads from `c` until `want(c)` holds or `limit` passes; false on timeout or close.
template <class Pred>
bool read_until(Conn& c, Pred want, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  char buf[1 << 16];
  while (!want(c)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{c.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    const ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    c.data.append(buf, static_cast<size_t>(n));
    if (c.body_start == 0) {
      const auto end = c.data.find("\r\n\r\n");
      if (end != std::string::npos) {
        c.body_start = end + 4;
        const auto cl = c.data.find("Content-Length: ");
        c.length = std::strtoull(c.data.c_str() + cl + 16, nullptr, 10);
      }
    }
  }
  return true;
}

struct Observed {
  bool accepted = false;
  bool small_all_but_last = false;
  bool small_last_byte_held = false;  ///< nothing more came while the big body was unread
  bool big_all_but_last = false;
  bool both_completed = false;
};

}  // namespace

TEST_CASE("send_burst: no last byte leaves before every request holds its own", "[client]") {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) == 0);
  REQUIRE(::listen(listener, 4) == 0);
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";

  ClientRequest small;
  small.url = url;
  small.body = "hello";
  ClientRequest big = small;
  big.body = std::string(32u << 20, 'x');  // far more than loopback socket buffers hold

  Observed seen;
  std::thread server([&] {
    Conn conns[2];
    for (Conn& c : conns) {
      pollfd p{listener, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      c.fd = ::accept(listener, nullptr, nullptr);
    }
    seen.accepted = true;
    // Read both heads to tell the small request from the big one.
    for (Conn& c : conns) {
      if (!read_until(
              c, [](const Conn& x) { return x.body_start != 0; }, std::chrono::seconds(5))) {
        return;
      }
    }
    Conn& s = conns[0].length == small.body.size() ? conns[0] : conns[1];
    Conn& b = &s == &conns[0] ? conns[1] : conns[0];
    const auto all_but_last = [](const Conn& x) { return x.body_received() + 1 >= x.length; };
    const auto complete = [](const Conn& x) { return x.body_received() >= x.length; };
    seen.small_all_but_last =
        read_until(s, all_but_last, std::chrono::seconds(5)) && s.body_received() == s.length - 1;
    // The big request cannot reach its pause point while we do not read it, so the small
    // request's last byte must stay in the client for as long as we wait here.
    seen.small_last_byte_held = !read_until(s, complete, std::chrono::milliseconds(300));
    seen.big_all_but_last = read_until(b, all_but_last, std::chrono::seconds(10));
    seen.both_completed = read_until(s, complete, std::chrono::seconds(5)) &&
                          read_until(b, complete, std::chrono::seconds(5));
    const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    for (Conn& c : conns) {
      (void)::send(c.fd, ok.data(), ok.size(), MSG_NOSIGNAL);
      ::close(c.fd);
    }
  });
  const std::vector<ClientResponse> responses = send_burst({small, big});
  server.join();
  ::close(listener);

  CHECK(seen.accepted);
  CHECK(seen.small_all_but_last);
  CHECK(seen.small_last_byte_held);
  CHECK(seen.big_all_but_last);
  CHECK(seen.both_completed);
  REQUIRE(responses.size() == 2);
  for (const ClientResponse& r : responses) {
    INFO(r.error_message);
    CHECK(r.ok());
    CHECK(r.response.body == "ok");
  }
}
