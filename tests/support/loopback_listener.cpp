#include "support/loopback_listener.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

namespace idem::test {

LoopbackListener listen_on_loopback(int backlog) {
  LoopbackListener out;
  out.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(out.fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  REQUIRE(::bind(out.fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
  REQUIRE(::listen(out.fd, backlog) == 0);
  REQUIRE(::getsockname(out.fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  out.port = ntohs(addr.sin_port);
  return out;
}

}  // namespace idem::test
