// cpp-httplib's Server with the fixes idemctl needs: a real listen backlog (httplib hard-codes
// 5), no SO_REUSEPORT, header values kept byte for byte (httplib 0.11 percent-decodes them), and
// a way to drop one exchange without answering. Same thread-safety as httplib::Server:
// configure before start, stop() from any thread.
#pragma once

#include <httplib.h>

#include <string>

#include "idem/result.hpp"

namespace idem {

class HttpListener : public httplib::Server {
 public:
  /// Binds `host:port` (0 = any free port) and re-listens with `backlog`. Returns the port, or
  /// Unavailable naming the address when it cannot be bound.
  Result<int> bind(const std::string& host, int port, int backlog);

 private:
  // Replaces httplib's per-connection loop (same keep-alive rules) with one over our own
  // ConnectionStream. Overriding a private virtual is allowed; httplib calls it per connection.
  bool process_and_close_socket(socket_t sock) override;
};

/// Closes the connection that carries `req` without writing anything, as a crashed server or a
/// lost response would. Call it from the handler serving `req`. Returns false if called
/// elsewhere.
bool drop_connection(const httplib::Request& req);

}  // namespace idem
