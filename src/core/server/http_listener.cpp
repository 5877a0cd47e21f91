#include "http_listener.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

namespace idem {
namespace {

int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  return -1;
}

}  // namespace

Result<int> HttpListener::bind(const std::string& host, int port, int backlog) {
  // httplib's default also sets SO_REUSEPORT, which lets a second server bind a port that is
  // already serving and silently split its traffic. Only SO_REUSEADDR (fast restarts) is kept.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  int bound = port;
  if (port == 0) {
    bound = bind_to_any_port(host);
    if (bound <= 0) bound = -1;
  } else if (!bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound < 0) {
    return make_error(ErrorCode::Unavailable, "cannot listen on " + host + ":" +
                                                  std::to_string(port) +
                                                  " (address in use or not local)");
  }
  // httplib listens with a backlog of 5: a burst of clients connecting at once would see dropped
  // SYNs and 1 s retransmit stalls. listen() again on the bound socket raises it.
  ::listen(svr_sock_, backlog);
  return bound;
}

bool drop_connection(const httplib::Request& req) {
  // httplib does not expose the connection's socket to handlers, so find it: the one whose
  // local port is ours and whose peer port is the client's. Only the fault path pays for this.
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool dropped = false;
  while (dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == dirfd(dir)) continue;
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_len = sizeof(local);
    socklen_t peer_len = sizeof(peer);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (port_of(local) == req.local_port && port_of(peer) == req.remote_port) {
      ::shutdown(fd, SHUT_RDWR);
      dropped = true;
      break;
    }
  }
  closedir(dir);
  return dropped;
}

}  // namespace idem
