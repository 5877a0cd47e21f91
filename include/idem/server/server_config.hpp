// Configuration of the reference server (`idemctl serve`), filled in by the CLI or by tests and
// `verify` when they start one in-process. Plain value type.
#pragma once

#include <string>

#include "idem/guard.hpp"

namespace idem {

enum class LogFormat { Text, Json, None };

/// serve's --tls-cert, --tls-key and --tls-client-ca (PEM files). No certificate: plain HTTP.
struct TlsServerFiles {
  std::string cert_file;       ///< certificate chain, the server's first
  std::string key_file;        ///< its unencrypted private key
  std::string client_ca_file;  ///< set: clients must present a certificate this CA signed
  bool enabled() const { return !cert_file.empty(); }
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  ///< 0 picks a free port
  /// Worker threads. cpp-httplib serves one keep-alive connection per thread; connections beyond
  /// this wait in the queue until a worker frees (keep-alive is capped, so one always does).
  int threads = 128;
  size_t max_body = 8u << 20;
  GuardConfig guard;
  // Fault knobs (all off by default).
  Millis handler_delay{0};  ///< an operator's slow handler: shutdown waits for it
  /// Longest `Idemctl-Fault: delay=` honoured; a longer one is answered 400, so that no client
  /// can park a worker for an hour. Such delays end early (503) when the server stops.
  Millis max_fault_delay{60'000};
  double fail_rate = 0.0;     ///< share of handler runs answered 500 without effect
  bool fault_header = true;   ///< honour the Idemctl-Fault request header
  LogFormat log_format = LogFormat::Text;
  /// From a request's first byte to its blank line; slower clients get 408 and a close.
  Millis head_timeout{10'000};
  /// HTTPS when set; the TLS handshake is bounded by head_timeout too.
  TlsServerFiles tls;
};

}  // namespace idem
