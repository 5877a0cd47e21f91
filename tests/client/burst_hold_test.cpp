// Proof that send_burst() holds every last byte until all requests are ready: a raw server that
// refuses to read one request's large body must see neither the other request's last byte nor
// any byte of a bodiless request, until it reads the large body.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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

/// Reads what is there (one recv) into `c`, noting where the body starts. False on close.
bool read_chunk(Conn& c) {
  char buf[1 << 16];
  const ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
  if (n <= 0) return false;
  c.data.append(buf, static_cast<size_t>(n));
  if (c.body_start == 0) {
    const auto end = c.data.find("\r\n\r\n");
    if (end != std::string::npos) {
      c.body_start = end + 4;
      const auto cl = c.data.find("Content-Length: ");
      c.length = cl == std::string::npos ? 0 : std::strtoull(c.data.c_str() + cl + 16, nullptr, 10);
    }
  }
  return true;
}

/// Reads from `c` until `want(c)` holds or `limit` passes; false on timeout or close.
template <class Pred>
bool read_until(Conn& c, Pred want, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!want(c)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{c.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    if (!read_chunk(c)) return false;
  }
  return true;
}

/// Reads from every connection in `conns` that has no complete head yet, until `count` of them
/// have one or `limit` passes. Body bytes that come with a head stay in that connection's data.
bool read_heads(std::vector<Conn*> conns, size_t count, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  const auto with_head = [&conns] {
    return static_cast<size_t>(
        std::count_if(conns.begin(), conns.end(), [](const Conn* c) { return c->body_start; }));
  };
  while (with_head() < count && Clock::now() < deadline) {
    for (Conn* c : conns) {
      if (c->body_start != 0) continue;
      pollfd p{c->fd, POLLIN, 0};
      if (::poll(&p, 1, 10) > 0) (void)read_chunk(*c);
    }
  }
  return with_head() >= count;
}

bool readable(const Conn& c) {
  pollfd p{c.fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

struct Observed {
  bool accepted = false;
  bool two_heads = false;
  bool get_silent = false;  ///< the bodiless request waits for the release
  bool small_all_but_last = false;
  bool small_last_byte_held = false;  ///< nothing more came while the big body was unread
  bool big_all_but_last = false;
  bool all_completed = false;
};

}  // namespace

TEST_CASE("send_burst: nothing is released before every request holds its last byte", "[client]") {
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

  ClientRequest get;
  get.method = "GET";
  get.url = url;

  Observed seen;
  std::thread server([&] {
    Conn conns[3];
    for (Conn& c : conns) {
      pollfd p{listener, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      c.fd = ::accept(listener, nullptr, nullptr);
    }
    seen.accepted = true;
    // The two POSTs send their heads at once; the GET is connected but must stay silent.
    seen.two_heads = read_heads({&conns[0], &conns[1], &conns[2]}, 2, std::chrono::seconds(5));
    if (!seen.two_heads) return;
    Conn* g = nullptr;
    Conn* sp = nullptr;
    Conn* bp = nullptr;
    for (Conn& c : conns) {
      if (c.body_start == 0) {
        g = &c;
      } else if (c.length == small.body.size()) {
        sp = &c;
      } else {
        bp = &c;
      }
    }
    if (g == nullptr || sp == nullptr || bp == nullptr) return;
    Conn& s = *sp;
    Conn& b = *bp;
    const auto all_but_last = [](const Conn& x) { return x.body_received() + 1 >= x.length; };
    const auto complete = [](const Conn& x) {
      return x.body_start != 0 && x.body_received() >= x.length;
    };
    seen.small_all_but_last =
        read_until(s, all_but_last, std::chrono::seconds(5)) && s.body_received() == s.length - 1;
    // The big request cannot reach its pause point while we do not read it, so the small
    // request's last byte, and the whole GET, must stay in the client while we wait here.
    seen.small_last_byte_held = !read_until(s, complete, std::chrono::milliseconds(300));
    seen.get_silent = g->data.empty() && !readable(*g);
    seen.big_all_but_last = read_until(b, all_but_last, std::chrono::seconds(10));
    seen.all_completed = read_until(s, complete, std::chrono::seconds(5)) &&
                         read_until(b, complete, std::chrono::seconds(5)) &&
                         read_until(*g, complete, std::chrono::seconds(5));
    const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    for (Conn& c : conns) {
      (void)::send(c.fd, ok.data(), ok.size(), MSG_NOSIGNAL);
      ::close(c.fd);
    }
  });
  const std::vector<ClientResponse> responses = send_burst({small, big, get});
  server.join();
  ::close(listener);

  CHECK(seen.accepted);
  CHECK(seen.two_heads);
  CHECK(seen.get_silent);
  CHECK(seen.small_all_but_last);
  CHECK(seen.small_last_byte_held);
  CHECK(seen.big_all_but_last);
  CHECK(seen.all_completed);
  REQUIRE(responses.size() == 3);
  for (const ClientResponse& r : responses) {
    INFO(r.error_message);
    CHECK(r.ok());
    CHECK(r.response.body == "ok");
  }
}
