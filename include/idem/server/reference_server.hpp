// The reference idempotent server: the demo payments app behind the Guard, with fault knobs,
// metrics and an execution counter. Used by `idemctl serve`, by `verify` (embedded) and by the
// tests. start()/stop() may be called from any thread; the accessors are thread-safe.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "idem/result.hpp"
#include "idem/server/execution_log.hpp"
#include "idem/server/metrics.hpp"
#include "idem/server/server_config.hpp"
#include "idem/store/store.hpp"

namespace idem {

class ReferenceServer {
 public:
  /// `log` receives one line per request unless null or LogFormat::None. `clock` drives the
  /// execution log only; the store brings its own.
  ReferenceServer(ServerConfig config, std::unique_ptr<Store> store, std::ostream* log = nullptr,
                  const Clock& clock = system_clock());
  ~ReferenceServer();
  ReferenceServer(const ReferenceServer&) = delete;
  ReferenceServer& operator=(const ReferenceServer&) = delete;

  /// Binds and starts serving in background threads; returns the bound port. Unavailable if the
  /// address cannot be bound. Call once.
  Result<int> start();
  /// Stops accepting, lets in-flight requests finish, and joins. Idempotent.
  void stop();

  int port() const;
  std::string base_url() const;  ///< "http://127.0.0.1:PORT", "http://[::1]:PORT"
  const ServerConfig& config() const;
  Store& store();
  ExecutionLog& executions();
  ServerMetrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace idem
