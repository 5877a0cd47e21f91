// cpp-httplib's Server (routes, handlers, request parsing) behind idemctl's own edge: an epoll
// HeadReader that holds every connection between requests and hands only complete, checked
// heads to a fixed WorkerPool, so slow or idle clients never hold a worker. Why not httplib's
// loop: 0.11 serves one connection per thread for its whole life (200 slow clients block all),
// keeps a connection alive after an over-long header (the rest runs as a new request), and
// takes the first of two Content-Length headers. Also: a real listen backlog, no SO_REUSEPORT,
// header values byte for byte, a way to drop one exchange unanswered, problem+json for every
// error httplib raises. Configure before start; shutdown() from any thread.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "idem/result.hpp"

namespace idem {

class HeadReader;
class TlsContext;
class WorkerPool;
struct ReadyConnection;

/// From a request's first byte to its blank line; slower clients get 408 and a close.
inline constexpr std::chrono::milliseconds kHeadTimeout{10'000};
/// Connections open at once; more are answered 503 and closed.
inline constexpr std::size_t kMaxConnections = 4096;

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  ///< 0 picks a free port
  /// Workers; each serves one request at a time (not one connection).
  size_t threads = 64;
  /// Extra workers only for requests whose path `reserved_for` accepts (health, metrics,
  /// admin), so that busy workers never starve them. 0 or no predicate: none.
  size_t reserved_threads = 0;
  std::function<bool(std::string_view path)> reserved_for;
  std::chrono::milliseconds head_timeout = kHeadTimeout;
  std::size_t max_connections = kMaxConnections;
  /// Set: HTTPS on every connection (handshake in the HeadReader, bounded by head_timeout).
  std::shared_ptr<const TlsContext> tls;
};

/// One line about a request the edge refused or httplib failed: status, method, path (empty
/// when the head was not parsed) and why. Called from the reader or a worker thread.
using EdgeLog = std::function<void(int status, std::string_view method, std::string_view path,
                                   std::string_view reason)>;

class HttpListener : public httplib::Server {
 public:
  HttpListener();
  ~HttpListener() override;

  /// Binds (no SO_REUSEPORT, backlog 1024) and serves in background threads. Returns the port,
  /// or Unavailable naming the address when it cannot be bound. Routes and handlers must be
  /// installed before. Call once.
  Result<int> start(const ListenerOptions& options);
  /// Stops accepting, closes idle connections, lets in-flight requests finish, and joins.
  /// Idempotent.
  void shutdown();
  void set_edge_log(EdgeLog log) { edge_log_ = std::move(log); }
  bool stopping() const { return stopping_.load(); }

 private:
  void serve(ReadyConnection& connection);
  void install_error_handler();

  EdgeLog edge_log_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<HeadReader> reader_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<WorkerPool> reserved_;
  std::function<bool(std::string_view)> reserved_for_;
};

/// Closes the connection that carries `req` without writing anything, as a crashed server or a
/// lost response would. Call it from the handler serving `req`. Returns false if called
/// elsewhere.
bool drop_connection(const httplib::Request& req);
/// As drop_connection, with a TCP reset instead of a close.
bool reset_connection(const httplib::Request& req);
/// Holds the connection carrying `req` unanswered until the client hangs up, `limit` passes or
/// the listener shuts down, then drops it. Blocks the calling worker meanwhile.
bool hold_connection(const httplib::Request& req, std::chrono::milliseconds limit);
/// Writes `bytes` raw on the connection carrying `req` (a partial answer), then drops it.
bool write_and_drop_connection(const httplib::Request& req, std::string_view bytes);
/// "http://HOST:PORT", an IPv6 host in brackets.
std::string http_url(const std::string& host, int port);
/// True once the listener serving `req` has begun to shut down (a handler's waits end early).
bool listener_stopping(const httplib::Request& req);

}  // namespace idem
