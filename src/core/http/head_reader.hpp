// The edge's event loop: one thread accepts connections and reads request heads with epoll,
// so slow or idle clients cost a buffer, not a worker. Only a complete head that passed
// check_request_head (and a small body, when it fits) is handed to a worker; a broken head is
// answered with a problem and the connection closed. Workers give kept-alive connections back
// with resume(). With a TlsContext every connection first completes a non-blocking TLS handshake
// here (bounded by the head timeout), and its session travels with it to the worker and back.
// start/stop from one thread; resume() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "request_head.hpp"
#include "tls_session.hpp"

namespace idem {

/// A connection whose next request head is complete and valid. `bytes` starts with that head
/// and may hold more (body bytes, a pipelined request).
struct ReadyConnection {
  int fd = -1;
  std::string bytes;
  HeadCheck head;
  std::unique_ptr<TlsSession> tls;  ///< null on a plain-HTTP connection
  std::string_view path() const {
    return std::string_view(bytes).substr(head.path_offset, head.path_size);
  }
};

struct HeadReaderLimits {
  std::chrono::milliseconds head_timeout{10'000};  ///< from a request's first byte to its blank line
  std::chrono::milliseconds idle_timeout{5'000};   ///< between requests on a kept-alive connection
  std::size_t max_connections = 4096;              ///< held at once; more are closed on accept
  unsigned long long max_body = 8u << 20;
};

class HeadReader {
 public:
  using Dispatch = std::function<void(ReadyConnection&&)>;
  /// Called (on the reader thread) for every head refused at the edge: status, reason, peer.
  using EdgeLog = std::function<void(int status, const std::string& reason)>;

  /// Takes ownership of the listening socket `listen_fd` and of every connection accepted.
  /// `tls` set: every connection speaks TLS (the context must outlive the reader).
  HeadReader(int listen_fd, HeadReaderLimits limits, Dispatch dispatch, EdgeLog log,
             std::shared_ptr<const TlsContext> tls = nullptr);
  ~HeadReader();
  HeadReader(const HeadReader&) = delete;
  HeadReader& operator=(const HeadReader&) = delete;

  void start();
  /// Stops accepting, closes every connection it holds, joins. Idempotent.
  void stop();
  /// A worker hands back a kept-alive connection; `unread` holds bytes read past the request it
  /// served, `tls` its session (null for plain HTTP). After stop() the connection is closed.
  void resume(int fd, std::string unread, std::unique_ptr<TlsSession> tls = nullptr);
  /// A worker is done with a connection: closes it and frees its place. `abortive`: the
  /// socket's SO_LINGER is set to reset it, so no FIN goes first.
  void close_connection(int fd, bool abortive = false);
  /// Connections held by the reader right now (waiting for a head), for tests and stats.
  std::size_t held() const { return held_.load(); }

 private:
  struct Pending {
    std::string bytes;
    std::chrono::steady_clock::time_point deadline;
    bool started = false;  // a byte of this request has arrived
    std::unique_ptr<TlsSession> tls;  // null: plain HTTP
    bool handshaking = false;         // the TLS handshake is not done yet
    bool wants_write = false;         // epoll waits for EPOLLOUT (TLS needs to send first)
  };
  struct Resumed {
    int fd;
    std::string unread;
    std::unique_ptr<TlsSession> tls;
  };

  void loop();
  void accept_all();
  void on_event(int fd);
  // Completes the TLS handshake of `p`; false when the connection was closed.
  bool shake_hands(int fd, Pending& p);
  // Reads what the socket (or the TLS session) has; false when the connection was closed.
  bool read_available(int fd, Pending& p);
  // Makes epoll wait for writability (TLS wants to send) or readability.
  void want_write(int fd, Pending& p, bool write);
  // Checks `p`; dispatches or rejects (both remove it) or leaves it pending.
  void advance(int fd, Pending& p);
  // A problem answer, through the TLS session when there is one (best effort).
  void send_problem(int fd, Pending& p, int status, const std::string& reason);
  void watch(int fd, Pending p);
  void forget(int fd);
  void refuse(int fd, Pending& p, const HeadCheck& check);
  void sweep_deadlines();
  void take_resumed();

  int listen_fd_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: resume() and stop() wake the loop
  HeadReaderLimits limits_;
  Dispatch dispatch_;
  EdgeLog log_;
  std::unordered_map<int, Pending> pending_;  // only the reader thread touches it
  std::atomic<std::size_t> held_{0};
  std::atomic<std::size_t> open_{0};  // connections open anywhere (held or in a worker)
  std::atomic<bool> stopping_{false};
  std::mutex resumed_mu_;  // guards resumed_ and the setting of stopping_
  std::vector<Resumed> resumed_;
  std::shared_ptr<const TlsContext> tls_;
  std::thread thread_;
};

/// The reason phrase and problem slug the edge uses for `status`.
std::string_view edge_reason_phrase(int status);
std::string_view edge_problem_slug(int status);

/// The bytes of an RFC 9457 problem answer with `Connection: close`.
std::string problem_wire(int status, const std::string& reason);

/// Writes an RFC 9457 problem with `Connection: close` on `fd` (best effort, non-blocking); the
/// caller closes.
void write_problem(int fd, int status, const std::string& reason);

}  // namespace idem
