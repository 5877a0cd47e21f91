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

void write_problem(int fd, int status, const std::string& reason) {
  const HttpResponse p = make_problem(status, edge_problem_slug(status), edge_reason_phrase(status), reason);
  std::string wire = "HTTP/1.1 " + std::to_string(status) + " " +
                     std::string(edge_reason_phrase(status)) + "\r\n";
  for (const auto& [name, value] : p.headers) wire += name + ": " + value + "\r\n";
  wire += "Content-Length: " + std::to_string(p.body.size()) + "\r\nConnection: close\r\n\r\n";
  wire += p.body;
  // Best effort: a problem is small, so it fits the socket buffer of any live peer.
  (void)::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

HeadReader::HeadReader(int listen_fd, HeadReaderLimits limits, Dispatch dispatch, EdgeLog log)
    : listen_fd_(listen_fd),
      limits_(limits),
      dispatch_(std::move(dispatch)),
      log_(std::move(log)) {
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

void HeadReader::resume(int fd, std::string unread) {
  {
    std::lock_guard lock(resumed_mu_);
    if (stopping_) {
      close_connection(fd);
      return;
    }
    resumed_.emplace_back(fd, std::move(unread));
  }
  const std::uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof(one));
}

void HeadReader::close_connection(int fd) {
  ::shutdown(fd, SHUT_RDWR);
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
        on_readable(fd);
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
      write_problem(fd, 503, "too many open connections; retry later");
      ::close(fd);
      if (log_) log_(503, "connection refused: too many open connections");
      continue;
    }
    ++open_;
    int yes = 1;  // with Nagle on, small answers wait ~40 ms for an ACK
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    Pending p;
    p.deadline = std::chrono::steady_clock::now() + limits_.head_timeout;
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

void HeadReader::refuse(int fd, const HeadCheck& check) {
  forget(fd);
  write_problem(fd, check.status, check.reason);
  close_connection(fd);
  if (log_) log_(check.status, check.reason);
}

void HeadReader::on_readable(int fd) {
  auto it = pending_.find(fd);
  if (it == pending_.end()) return;
  Pending& p = it->second;
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      if (!p.started) {
        p.started = true;
        p.deadline = std::chrono::steady_clock::now() + limits_.head_timeout;
      }
      p.bytes.append(buf, static_cast<size_t>(n));
      // Never buffer more than a head and a prefetched body: the check rejects what is larger.
      if (p.bytes.size() > kMaxHeadBytes + kPrefetchBody) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // EOF or reset: the client is gone (or half-closed before finishing a request).
    forget(fd);
    close_connection(fd);
    return;
  }
  advance(fd, p);
}

void HeadReader::advance(int fd, Pending& p) {
  HeadCheck check = check_request_head(p.bytes, limits_.max_body);
  if (check.state == HeadCheck::State::Incomplete) return;
  if (check.state == HeadCheck::State::Rejected) {
    refuse(fd, check);
    return;
  }
  // A small declared body is waited for here, not in a worker.
  const std::size_t wanted = check.head_size + static_cast<std::size_t>(check.content_length);
  if (!check.chunked && check.content_length <= kPrefetchBody && p.bytes.size() < wanted) return;
  ReadyConnection ready{fd, std::move(p.bytes), std::move(check)};
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
    const bool started = pending_[fd].started;
    forget(fd);
    if (started) {
      write_problem(fd, 408, "the request head did not arrive in time");
      close_connection(fd);
      if (log_) log_(408, "request head timed out");
    } else {
      close_connection(fd);  // an idle keep-alive connection, or one that never spoke
    }
  }
}

void HeadReader::take_resumed() {
  std::vector<std::pair<int, std::string>> batch;
  {
    std::lock_guard lock(resumed_mu_);
    batch.swap(resumed_);
  }
  for (auto& [fd, unread] : batch) {
    if (stopping_) {
      close_connection(fd);
      continue;
    }
    Pending p;
    p.started = !unread.empty();
    p.bytes = std::move(unread);
    p.deadline = std::chrono::steady_clock::now() +
                 (p.started ? limits_.head_timeout : limits_.idle_timeout);
    watch(fd, std::move(p));
    // A pipelined request may already be whole.
    if (auto it = pending_.find(fd); it != pending_.end() && !it->second.bytes.empty()) {
      advance(fd, it->second);
    }
  }
}

}  // namespace idem
