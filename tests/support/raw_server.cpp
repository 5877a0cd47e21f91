#include "support/raw_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "support/loopback_listener.hpp"

namespace idem::test {
namespace {

constexpr int kPollMillis = 50;
constexpr auto kMaxRequestTime = std::chrono::seconds(10);

/// Content-Length of a request head, 0 if absent.
size_t content_length(const std::string& head) {
  std::string lower(head);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto pos = lower.find("\r\ncontent-length:");
  if (pos == std::string::npos) return 0;
  return std::strtoull(lower.c_str() + pos + 17, nullptr, 10);
}

/// Reads one request from `fd` (bounded in time). Empty when the peer closed first.
std::string read_request(int fd) {
  std::string data;
  const auto deadline = std::chrono::steady_clock::now() + kMaxRequestTime;
  char buf[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    const auto head_end = data.find("\r\n\r\n");
    if (head_end != std::string::npos &&
        data.size() >= head_end + 4 + content_length(data.substr(0, head_end))) {
      return data;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kPollMillis) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return "";
    data.append(buf, static_cast<size_t>(n));
  }
  return "";
}

}  // namespace

RawServer::RawServer(std::string response) : response_(std::move(response)) {
  const LoopbackListener listener = listen_on_loopback(16);
  listen_fd_ = listener.fd;
  port_ = listener.port;
  thread_ = std::thread([this] { serve(); });
}

RawServer::~RawServer() {
  stopping_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::string RawServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::string> RawServer::seen() const {
  const std::lock_guard lock(mu_);
  return seen_;
}

void RawServer::serve() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMillis) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    // Keep-alive: answer requests on this connection until the client closes it.
    while (!stopping_) {
      std::string request = read_request(fd);
      if (request.empty()) break;
      {
        const std::lock_guard lock(mu_);
        seen_.push_back(std::move(request));
      }
      if (::send(fd, response_.data(), response_.size(), MSG_NOSIGNAL) < 0) break;
    }
    ::close(fd);
  }
}

}  // namespace idem::test
