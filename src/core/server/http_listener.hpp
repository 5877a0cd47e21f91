// cpp-httplib's Server with the three fixes the reference server needs under load: a real listen
// backlog (httplib hard-codes 5), Nagle off, and a way to drop one exchange without answering.
// Same thread-safety as httplib::Server: configure before start, stop() from any thread.
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
};

/// Closes the connection that carries `req` without writing anything, as a crashed server or a
/// lost response would. Returns false if the socket was not found.
bool drop_connection(const httplib::Request& req);

}  // namespace idem
