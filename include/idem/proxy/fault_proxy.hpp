// An HTTP proxy on loopback that forwards to one upstream and injects faults on the way back.
// First fault: lose the response after the upstream produced it (the "lost response" case).
// Later the `chaos` command grows more rules here. start()/stop() from any thread.
#pragma once

#include <memory>
#include <string>

#include "idem/client/http_client.hpp"
#include "idem/result.hpp"

namespace idem {

/// A request carrying this header (value "1") is forwarded without it; the upstream's answer is
/// then discarded and the client's connection closed without a response.
inline constexpr std::string_view kDropResponseHeader = "Idemctl-Proxy-Drop-Response";

class FaultProxy {
 public:
  /// `upstream` is a base URL, "http://127.0.0.1:8080"; an https:// one is reached with `tls`.
  explicit FaultProxy(std::string upstream, TlsClientOptions tls = {});
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  /// Listens on 127.0.0.1:`port` (0 = free port) and returns the port.
  Result<int> start(int port = 0);
  void stop();
  std::string base_url() const;
  /// Responses dropped so far.
  long long dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace idem
