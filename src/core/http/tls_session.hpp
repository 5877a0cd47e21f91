// TLS for serve's own edge: a server context (certificate chain, key, optional client CA) and
// one session per connection. The HeadReader drives a session without blocking (handshake and
// head under epoll); a worker then reads and writes through it, waiting with poll. OpenSSL's
// types stay in tls_session.cpp. A context is safe for concurrent use; a session is used by one
// thread at a time (handed over with the connection).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "idem/result.hpp"
#include "idem/server/server_config.hpp"

struct ssl_st;
struct ssl_ctx_st;

namespace idem {

/// What a non-blocking TLS step needs next.
enum class TlsIo {
  Ok,         ///< done (for read/write: some bytes moved)
  WantRead,   ///< wait until the socket is readable, then call again
  WantWrite,  ///< wait until the socket is writable, then call again
  Closed,     ///< the peer closed the connection (close_notify or EOF)
  Failed,     ///< a protocol error: close the connection
};

class TlsSession {
 public:
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  /// Advances the server side of the handshake.
  TlsIo handshake();
  /// Decrypted bytes into `buffer`: Ok with `n` > 0, or what is needed first.
  TlsIo read(char* buffer, std::size_t size, std::size_t& n);
  /// Encrypts and sends `size` bytes: Ok with `n` == size (a WantWrite must be retried with the
  /// same bytes).
  TlsIo write(const char* buffer, std::size_t size, std::size_t& n);
  /// True when decrypted or received-but-unprocessed bytes wait in the session: the socket may
  /// not be readable although a request is there.
  bool has_pending() const;
  /// Sends close_notify, best effort and without waiting.
  void close_notify();
  /// Why the last step Failed (OpenSSL's reason, never key material).
  const std::string& failure() const { return failure_; }
  /// The last handshake failed because the client spoke plain HTTP.
  bool plain_http() const { return plain_http_; }

 private:
  friend class TlsContext;
  explicit TlsSession(ssl_st* ssl) : ssl_(ssl) {}
  TlsIo outcome(int rc);

  ssl_st* ssl_;
  std::string failure_;
  bool plain_http_ = false;
};

class TlsContext {
 public:
  /// Loads `files` (PEM). InvalidArgument naming the flag (--tls-cert, --tls-key,
  /// --tls-client-ca) and the file that cannot be used.
  static Result<std::shared_ptr<TlsContext>> load(const TlsServerFiles& files);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  /// A server session on the connected socket `fd` (not owned); null when out of memory.
  std::unique_ptr<TlsSession> accept(int fd) const;

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

}  // namespace idem
