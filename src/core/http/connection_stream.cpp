#include "connection_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "tls_session.hpp"

namespace idem {
namespace {

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

// Size of one socket read when the prefetched bytes are used up.
constexpr size_t kReadChunk = 16 * 1024;

ConnectionStream::ConnectionStream(socket_t sock, std::chrono::microseconds read_timeout,
                                   std::chrono::microseconds write_timeout,
                                   std::string prefetched, TlsSession* tls)
    : sock_(sock),
      tls_(tls),
      read_timeout_(read_timeout),
      write_timeout_(write_timeout),
      buffer_(std::move(prefetched)) {}

bool ConnectionStream::poll_socket(short events, std::chrono::microseconds timeout) const {
  pollfd pfd{sock_, events, 0};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  int rc = 0;
  do {
    rc = ::poll(&pfd, 1, static_cast<int>(ms));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

bool ConnectionStream::is_readable() const {
  // Bytes the TLS session holds make the socket no more readable than it was.
  return buffer_begin_ < buffer_.size() || (tls_ != nullptr && tls_->has_pending()) ||
         poll_socket(POLLIN, read_timeout_);
}

ssize_t ConnectionStream::receive(char* ptr, size_t size) {
  if (tls_ == nullptr) {
    ssize_t n = 0;
    // The socket is non-blocking (the HeadReader's): wait, then read what is there.
    do {
      if (dropped_ || !poll_socket(POLLIN, read_timeout_)) return -1;
      n = ::recv(sock_, ptr, size, 0);
    } while (n < 0 && (errno == EINTR || errno == EAGAIN));
    return n;
  }
  for (;;) {
    if (dropped_) return -1;
    std::size_t got = 0;
    // Read first, wait only when the session asks: it may hold a whole request already.
    switch (tls_->read(ptr, size, got)) {
      case TlsIo::Ok:
        return static_cast<ssize_t>(got);
      case TlsIo::WantRead:
        if (!poll_socket(POLLIN, read_timeout_)) return -1;
        break;
      case TlsIo::WantWrite:
        if (!poll_socket(POLLOUT, write_timeout_)) return -1;
        break;
      case TlsIo::Closed:
        return 0;
      case TlsIo::Failed:
        return -1;
    }
  }
}

ssize_t ConnectionStream::send_all(const char* ptr, size_t size) {
  if (tls_ == nullptr) {
    ssize_t n = 0;
    do {
      if (!is_writable()) return -1;
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && (errno == EINTR || errno == EAGAIN));
    return n;
  }
  for (;;) {
    if (dropped_) return -1;
    std::size_t sent = 0;
    switch (tls_->write(ptr, size, sent)) {
      case TlsIo::Ok:
        return static_cast<ssize_t>(sent);
      case TlsIo::WantWrite:
        if (!poll_socket(POLLOUT, write_timeout_)) return -1;
        break;
      case TlsIo::WantRead:
        if (!poll_socket(POLLIN, read_timeout_)) return -1;
        break;
      case TlsIo::Closed:
      case TlsIo::Failed:
        return -1;
    }
  }
}

bool ConnectionStream::is_writable() const {
  return !dropped_ && poll_socket(POLLOUT, write_timeout_);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (buffer_begin_ == buffer_.size()) {
    buffer_.resize(kReadChunk);
    buffer_begin_ = 0;
    const ssize_t n = receive(buffer_.data(), buffer_.size());
    buffer_.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (n <= 0) return n;
  }
  const size_t n = std::min(size, buffer_.size() - buffer_begin_);
  std::memcpy(ptr, buffer_.data() + buffer_begin_, n);
  if (!head_complete_) {
    const size_t old_size = head_.size();
    head_.append(buffer_.data() + buffer_begin_, n);
    head_complete_ = head_.size() >= kMaxHead ||
                     head_.find("\r\n\r\n", old_size >= 3 ? old_size - 3 : 0) != std::string::npos;
  }
  buffer_begin_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  const ssize_t n = send_all(ptr, size);
  if (n > 0) written_ += static_cast<size_t>(n);
  return n;
}

std::string ConnectionStream::take_unread() {
  std::string rest = buffer_.substr(buffer_begin_);
  buffer_.clear();
  buffer_begin_ = 0;
  return rest;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
}

void ConnectionStream::start_request() {
  head_.clear();
  head_complete_ = false;
}

void ConnectionStream::drop() {
  dropped_ = true;
  ::shutdown(sock_, SHUT_RDWR);
}

void ConnectionStream::reset() {
  // SO_LINGER with a zero timeout makes the close send RST and discard unsent bytes.
  linger abort{};
  abort.l_onoff = 1;
  abort.l_linger = 0;
  ::setsockopt(sock_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  dropped_ = true;
  reset_ = true;
}

void ConnectionStream::hold(std::chrono::milliseconds limit, const std::atomic<bool>& stop) {
  // Slices, so that a listener shutting down ends the hold within one slice.
  constexpr std::chrono::milliseconds kSlice{50};
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    pollfd p{sock_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(kSlice.count()));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) break;
    // Readable: the peer hung up (0) or sent more (a pipelined request, left unread but
    // drained so the poll does not spin).
    char sink[4096];
    const ssize_t n = ::recv(sock_, sink, sizeof sink, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
  }
  drop();
}

bool ConnectionStream::write_all_then_drop(std::string_view bytes) {
  bool whole = true;
  while (!bytes.empty()) {
    const ssize_t n = write(bytes.data(), bytes.size());
    if (n <= 0) {
      whole = false;
      break;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  drop();
  return whole;
}

void restore_raw_header_values(const std::string& raw_head, httplib::Request& req) {
  // httplib's decoding only ever touches a '%', so a head without one needs no work (the usual
  // case, and this runs on every request).
  if (raw_head.find('%') == std::string::npos) return;
  std::map<std::string, std::vector<std::string>, httplib::detail::ci> raw;
  std::string_view rest = raw_head;
  bool request_line = true;
  while (!rest.empty()) {
    const size_t eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
    if (request_line) {
      request_line = false;
      continue;
    }
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    raw[std::string(line.substr(0, colon))].emplace_back(trim(line.substr(colon + 1)));
  }
  // Only headers with a '%' in some value can differ from what httplib parsed.
  std::erase_if(raw, [](const auto& entry) {
    return std::none_of(entry.second.begin(), entry.second.end(),
                        [](const std::string& v) { return v.find('%') != std::string::npos; });
  });
  for (auto& [name, values] : raw) {
    req.headers.erase(name);
    for (auto& v : values) req.headers.emplace(name, std::move(v));
  }
}

}  // namespace idem
