#include "support/hanging_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/loopback_listener.hpp"

namespace idem::test {
namespace {

constexpr int kPollMillis = 50;  // how often the accept loop looks at stopping_

}  // namespace

HangingServer::HangingServer() {
  const LoopbackListener listener = listen_on_loopback(64);
  listen_fd_ = listener.fd;
  port_ = listener.port;
  thread_ = std::thread([this] { accept_loop(); });
}

HangingServer::~HangingServer() {
  stopping_ = true;
  thread_.join();
  for (int fd : held_) ::close(fd);
  ::close(listen_fd_);
}

bool HangingServer::wait_for_connections(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return accepted_.wait_for(lock, timeout, [&] { return held_.size() >= n; });
}

void HangingServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMillis) != 1) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    {
      const std::lock_guard lock(mu_);
      held_.push_back(fd);  // read nothing, answer nothing
    }
    accepted_.notify_all();
  }
}

}  // namespace idem::test
