// cpp-httplib's Server with the fixes idemctl needs: a real listen backlog (httplib hard-codes
// 5), no SO_REUSEPORT, header values kept byte for byte (httplib 0.11 percent-decodes them), and
// a way to drop one exchange without answering. Same thread-safety as httplib::Server:
// configure before start, stop() from any thread.
#pragma once

#include <httplib.h>

#include <string>
#include <thread>

#include "idem/result.hpp"

namespace idem {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  ///< 0 picks a free port
  /// Worker threads; each serves one keep-alive connection at a time.
  size_t threads = 64;
};

class HttpListener : public httplib::Server {
 public:
  ~HttpListener() override;

  /// Binds (no SO_REUSEPORT, backlog 1024), turns Nagle off, caps keep-alive, and serves in a
  /// background thread. Returns the port, or Unavailable naming the address when it cannot be
  /// bound. Routes and handlers must be installed before. Call once.
  Result<int> start(const ListenerOptions& options);
  /// Stops accepting, lets in-flight requests finish, and joins. Idempotent.
  void shutdown();

 private:
  Result<int> bind(const std::string& host, int port);

  // Replaces httplib's per-connection loop (same keep-alive rules) with one over our own
  // ConnectionStream. Overriding a private virtual is allowed; httplib calls it per connection.
  bool process_and_close_socket(socket_t sock) override;

  std::thread listen_thread_;
};

/// Closes the connection that carries `req` without writing anything, as a crashed server or a
/// lost response would. Call it from the handler serving `req`. Returns false if called
/// elsewhere.
bool drop_connection(const httplib::Request& req);

}  // namespace idem
