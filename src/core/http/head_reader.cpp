#include "head_reader.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "idem/http.hpp"

namespace idem {
namespace {

// Bodies up to this size are read by the reader too, so a slow small upload holds no worker.
constexpr std::size_t kPrefetchBody = 64 * 1024;
// Deadlines are checked this often at least, so a slow client is closed at most this late.
constexpr int kSweepMs = 100;
constexpr int kMaxEvents = 256;

}  // namespace

std::string_view edge_reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Server Error" : "Client Error";
  }
}

std::string_view edge_problem_slug(int status) {
  switch (status) {
    case 404: return "not-found";
    case 405: return "method-not-allowed";
    case 408: return "head-timeout";
    case 413: return "body-too-large";
    case 414: return "request-line-too-long";
    case 431: return "head-too-large";
    case 501: return "not-implemented";
    case 503: return "too-many-connections";
    default: return status >= 500 ? "internal" : "bad-request";
  }
}

std::string problem_wire(int status, const std::string& reason) {
  const HttpResponse p = make_problem(status, edge_problem_slug(status), edge_reason_phrase(status), reason);
  std::string wire = "HTTP/1.1 " + std::to_string(status) + " " +
                     std::string(edge_reason_phrase(status)) + "\r\n";
  for (const auto& [name, value] : p.headers) wire += name + ": " + value + "\r\n";
  wire += "Content-Length: " + std::to_string(p.body.size()) + "\r\nConnection: close\r\n\r\n";
  wire += p.body;
  return wire;
}

void write_problem(int fd, int status, const std::string& reason) {
  const std::string wire = problem_wire(status, reason);
  // Best effort: a problem is small, so it fits the socket buffer of any live peer.
  (void)::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

HeadReader::HeadReader(int listen_fd, HeadReaderLimits limits, Dispatch dispatch, EdgeLog log,
                       std::shared_ptr<const TlsContext> tls)
    : listen_fd_(listen_fd),
      limits_(limits),
      dispatch_(std::move(dispatch)),
      log_(std::move(log)),
      tls_(std::move(tls)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

HeadReader::~HeadReader() {
  stop();
  ::close(epoll_fd_);
  ::close(wake_fd_);
}

void HeadReader::start() { thread_ = std::thread([this] { loop(); }); }

void HeadReader::stop() {
  if (!thread_.joinable()) return;
  {
    // Under the lock, so a resume() either sees stopping_ or is taken by the last sweep below.
    std::lock_guard lock(resumed_mu_);
    stopping_ = true;
  }
  const std::uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof(one));
  thread_.join();
  for (auto& [fd, p] : pending_) {
    ::close(fd);
    --open_;
  }
  pending_.clear();
  held_ = 0;
  take_resumed();  // closes them: stopping_ is set
  ::close(listen_fd_);
}

void HeadReader::resume(int fd, std::string unread, std::unique_ptr<TlsSession> tls) {
  {
    std::lock_guard lock(resumed_mu_);
    if (stopping_) {
      close_connection(fd);
      return;
    }
    resumed_.push_back(Resumed{fd, std::move(unread), std::move(tls)});
  }
  const std::uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof(one));
}

void HeadReader::close_connection(int fd, bool abortive) {
  if (!abortive) ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  --open_;
}

void HeadReader::loop() {
  epoll_event events[kMaxEvents];
  auto next_sweep = std::chrono::steady_clock::now();
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, kSweepMs);
    for (int i = 0; i < n && !stopping_; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        accept_all();
      } else if (fd == wake_fd_) {
        std::uint64_t count = 0;
        (void)::read(wake_fd_, &count, sizeof(count));
        take_resumed();
      } else {
        on_event(fd);
      }
    }
    if (std::chrono::steady_clock::now() >= next_sweep) {
      sweep_deadlines();
      next_sweep = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSweepMs);
    }
  }
}

void HeadReader::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: all taken. EMFILE and the like: the backlog keeps them until a close.
      return;
    }
    if (open_.load() >= limits_.max_connections) {
      // Plain HTTP gets a problem; a TLS client could not read one before its handshake.
      if (!tls_) write_problem(fd, 503, "too many open connections; retry later");
      ::close(fd);
      if (log_) log_(503, "connection refused: too many open connections");
      continue;
    }
    ++open_;
    int yes = 1;  // with Nagle on, small answers wait ~40 ms for an ACK
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    Pending p;
    // For TLS this deadline bounds the handshake too: `started` is set by the first byte of
    // the request, after it.
    p.deadline = std::chrono::steady_clock::now() + limits_.head_timeout;
    if (tls_) {
      p.tls = tls_->accept(fd);
      if (!p.tls) {
        close_connection(fd);
        continue;
      }
      p.handshaking = true;
    }
    watch(fd, std::move(p));
  }
}

void HeadReader::watch(int fd, Pending p) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.fd = fd;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  pending_[fd] = std::move(p);
  held_ = pending_.size();
}

void HeadReader::forget(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  pending_.erase(fd);
  held_ = pending_.size();
}

void HeadReader::send_problem(int fd, Pending& p, int status, const std::string& reason) {
  if (!p.tls) {
    write_problem(fd, status, reason);
    return;
  }
  if (p.handshaking) return;  // no channel to answer on yet
  const std::string wire = problem_wire(status, reason);
  std::size_t n = 0;
  // Best effort and non-blocking, as write_problem: a small answer fits a live peer's buffer.
  (void)p.tls->write(wire.data(), wire.size(), n);
  p.tls->close_notify();
}

void HeadReader::refuse(int fd, Pending& p, const HeadCheck& check) {
  send_problem(fd, p, check.status, check.reason);
  forget(fd);
  close_connection(fd);
  if (log_) log_(check.status, check.reason);
}

void HeadReader::want_write(int fd, Pending& p, bool write) {
  if (p.wants_write == write) return;
  p.wants_write = write;
  epoll_event ev{};
  ev.events = (write ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP;
  ev.data.fd = fd;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

bool HeadReader::shake_hands(int fd, Pending& p) {
  const TlsIo step = p.tls->handshake();
  if (step == TlsIo::WantRead || step == TlsIo::WantWrite) {
    want_write(fd, p, step == TlsIo::WantWrite);
    return true;
  }
  if (step == TlsIo::Closed) {
    // Gone before the handshake ended (a TCP health check, a client that distrusts us): as
    // quiet as an idle close.
    forget(fd);
    close_connection(fd);
    return false;
  }
  if (step != TlsIo::Ok) {
    // Garbage, a plain-HTTP request, a client that sent no certificate we trust: one log line
    // and a close. A plain-HTTP client is told in plain HTTP where it went wrong.
    const bool plain_http = p.tls->plain_http();
    const std::string reason = plain_http ? "plain HTTP request on the HTTPS port"
                                          : "TLS handshake failed: " + p.tls->failure();
    forget(fd);
    if (plain_http) write_problem(fd, 400, "this port serves HTTPS: use an https:// URL");
    close_connection(fd);
    if (log_) log_(400, reason);
    return false;
  }
  p.handshaking = false;
  want_write(fd, p, false);
  return true;
}

bool HeadReader::read_available(int fd, Pending& p) {
  char buf[16 * 1024];
  // Never buffer more than a head and a prefetched body: the check rejects what is larger.
  while (p.bytes.size() <= kMaxHeadBytes + kPrefetchBody) {
    std::size_t got = 0;
    if (p.tls) {
      const TlsIo step = p.tls->read(buf, sizeof(buf), got);
      if (step == TlsIo::WantRead || step == TlsIo::WantWrite) {
        want_write(fd, p, step == TlsIo::WantWrite);
        return true;
      }
      if (step != TlsIo::Ok) got = 0;  // closed or broken: the client is gone
    } else {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      got = n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    if (got == 0) {
      // EOF or reset: the client is gone (or half-closed before finishing a request).
      forget(fd);
      close_connection(fd);
      return false;
    }
    if (!p.started) {
      p.started = true;
      p.deadline = std::chrono::steady_clock::now() + limits_.head_timeout;
    }
    p.bytes.append(buf, got);
  }
  return true;
}

void HeadReader::on_event(int fd) {
  auto it = pending_.find(fd);
  if (it == pending_.end()) return;
  Pending& p = it->second;
  if (p.handshaking && (!shake_hands(fd, p) || p.handshaking)) return;
  if (!read_available(fd, p)) return;
  advance(fd, p);
}

void HeadReader::advance(int fd, Pending& p) {
  HeadCheck check = check_request_head(p.bytes, limits_.max_body);
  if (check.state == HeadCheck::State::Incomplete) return;
  if (check.state == HeadCheck::State::Rejected) {
    refuse(fd, p, check);
    return;
  }
  // A small declared body is waited for here, not in a worker.
  const std::size_t wanted = check.head_size + static_cast<std::size_t>(check.content_length);
  if (!check.chunked && check.content_length <= kPrefetchBody && p.bytes.size() < wanted) return;
  // Bytes the session decrypted past this head stay in it and are read by the worker.
  ReadyConnection ready{fd, std::move(p.bytes), std::move(check), std::move(p.tls)};
  forget(fd);
  dispatch_(std::move(ready));
}

void HeadReader::sweep_deadlines() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<int> late;
  for (const auto& [fd, p] : pending_) {
    if (p.deadline <= now) late.push_back(fd);
  }
  for (const int fd : late) {
    Pending& p = pending_[fd];
    const bool started = p.started;
    if (started) send_problem(fd, p, 408, "the request head did not arrive in time");
    forget(fd);
    if (started) {
      close_connection(fd);
      if (log_) log_(408, "request head timed out");
    } else {
      close_connection(fd);  // an idle keep-alive connection, or one that never spoke
    }
  }
}

void HeadReader::take_resumed() {
  std::vector<Resumed> batch;
  {
    std::lock_guard lock(resumed_mu_);
    batch.swap(resumed_);
  }
  for (auto& [fd, unread, tls] : batch) {
    if (stopping_) {
      close_connection(fd);
      continue;
    }
    Pending p;
    p.started = !unread.empty();
    p.bytes = std::move(unread);
    p.tls = std::move(tls);
    p.deadline = std::chrono::steady_clock::now() +
                 (p.started ? limits_.head_timeout : limits_.idle_timeout);
    watch(fd, std::move(p));
    auto it = pending_.find(fd);
    if (it == pending_.end()) continue;
    if (it->second.tls && it->second.tls->has_pending()) {
      // Decrypted (or buffered) bytes of the next request make no epoll event: read them now.
      on_event(fd);
    } else if (!it->second.bytes.empty()) {
      advance(fd, it->second);  // a pipelined request may already be whole
    }
  }
}

}  // namespace idem
