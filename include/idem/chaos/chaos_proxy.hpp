// The chaos proxy: an HTTP proxy in front of one upstream whose rules (fault_rule.hpp) fault
// chosen requests: lose the answer after the upstream executed, replace it, abort before it,
// delay either way, or forward twice. `idemctl chaos`, stress's --chaos and verify's
// lost-response check all run this one implementation. start()/stop() from any thread;
// replace_rules() while it serves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "idem/chaos/fault_rule.hpp"
#include "idem/chaos/journal.hpp"
#include "idem/chaos/rule_set.hpp"
#include "idem/client/http_client.hpp"
#include "idem/result.hpp"

namespace idem::chaos {

/// Every answer a fault touched carries this header, naming the faults (comma-separated), so a
/// client can tell an injected failure from a real one.
inline constexpr std::string_view kChaosHeader = "Idemctl-Chaos";
/// verify's and stress's lost-response requests carry this header (value "1"); the proxy they
/// start has one rule for it (lost_response_rules) and never forwards the header.
inline constexpr std::string_view kDropResponseHeader = "Idemctl-Proxy-Drop-Response";

/// Bursts go through the proxy: every request of a burst needs its own worker, or the proxy
/// would serialise what the client released together.
inline constexpr size_t kDefaultWorkers = 64;
inline constexpr Millis kDefaultUpstreamTimeout{30'000};
/// Request and response bodies are buffered: a request body past this is refused with 413, an
/// upstream answer past it is a 502.
inline constexpr size_t kDefaultMaxBody = 64u << 20;
/// How long drop-response=hang holds a connection when the client does not give up first.
inline constexpr Millis kDefaultHangLimit{60'000};

struct ChaosOptions {
  std::string host = "127.0.0.1";
  int port = 0;          ///< 0 picks a free port
  std::string upstream;  ///< base URL
  TlsClientOptions tls;  ///< for an https:// upstream
  std::vector<FaultRule> rules;
  uint64_t seed = 0;
  std::string key_header = "Idempotency-Key";
  size_t workers = kDefaultWorkers;
  Millis upstream_timeout = kDefaultUpstreamTimeout;
  size_t max_body = kDefaultMaxBody;
  Millis hang_limit = kDefaultHangLimit;
  std::string journal_path;  ///< empty: journal kept in memory only
  /// Request headers read by the proxy and not forwarded (kDropResponseHeader for verify's).
  std::vector<std::string> control_headers;
};

/// The rule verify and stress run: lose the answer of every request carrying
/// kDropResponseHeader: 1.
std::vector<FaultRule> lost_response_rules();
/// ChaosOptions for that proxy in front of `upstream`.
ChaosOptions lost_response_proxy(std::string upstream, TlsClientOptions tls = {});

struct ChaosCounters {
  uint64_t requests = 0;
  uint64_t forwarded = 0;  ///< exchanges with the upstream, duplicates included
  uint64_t faulted = 0;    ///< requests at least one rule applied to
  uint64_t lost = 0;       ///< answers kept from the client after the upstream had it
  uint64_t upstream_errors = 0;
  std::vector<RuleCounters> rules;
};

class ChaosProxy {
 public:
  explicit ChaosProxy(ChaosOptions options);
  ~ChaosProxy();
  ChaosProxy(const ChaosProxy&) = delete;
  ChaosProxy& operator=(const ChaosProxy&) = delete;

  /// Opens the journal and listens; returns the port. InvalidArgument for the journal,
  /// Unavailable when the address cannot be bound.
  Result<int> start();
  /// Stops accepting, ends held connections, lets in-flight requests finish. Idempotent.
  void stop();
  std::string base_url() const;

  /// Swaps every rule at once (their selection state starts afresh). Thread-safe.
  void replace_rules(std::vector<FaultRule> rules);
  std::vector<FaultRule> rules() const;
  ChaosCounters counters() const;
  /// Zeroes the counters, forgets every key the rules saw, empties the in-memory journal.
  void reset();
  /// Prometheus text exposition of the counters.
  std::string metrics_text() const;
  const Journal& journal() const;
  /// Answers kept from the client so far (counters().lost).
  long long dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace idem::chaos
