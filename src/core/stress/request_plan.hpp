// What every stress thread sends, prepared before the run: URLs, header lines, trigger lines,
// and per key its rendered key line and bodies (KeyEntry, which also holds the key's ledger).
// The plan is read-only once the threads start; each thread owns its KeyEntries. Private to
// src/core/stress.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "idem/client/http_client.hpp"
#include "idem/stress/stress_options.hpp"
#include "idem/stress/stress_report.hpp"
#include "idem/target/target_spec.hpp"

namespace idem::stress {

/// How a key's sends are made (the mix draws one per key).
enum class Operation : uint8_t { Normal, Mismatch, MissingKey, InvalidKey, Failure, LostResponse };

/// The over-long key sent by the invalid-key mix: longer than any key format accepts.
inline constexpr size_t kInvalidKeyLength = 300;

struct RequestPlan {
  std::vector<std::string> urls;   ///< base URL + path, one per instance
  std::vector<std::string> direct_urls;  ///< --chaos: the targets' own URLs (urls go via proxies)
  std::string proxy_url;           ///< drop proxy + path (lost-response mix), else empty
  std::string method;
  std::vector<std::string> common_lines;   ///< target headers (+ scope), "Name: value"
  std::vector<std::string> failure_lines;  ///< the failure trigger's headers
  std::string failure_body;                ///< replaces the body when the trigger has one
  bool failure_has_body = false;
  std::string drop_line;                   ///< asks the drop proxy to lose the answer
  std::string invalid_key_line;
  std::string key_header;
  std::string body_template;
  bool sends_body = true;
  /// --segment I/N (N > 1): every key of the segment starts with I as 8 hex digits (the rest a
  /// random UUIDv4), so that no two generators of a split run can share a key.
  std::string key_prefix;
  /// The run's --cacert, --insecure, --cert, --key: an example's curl command carries them.
  TlsClientOptions tls;
  /// For examples: the full request as HttpClient would send it.
  ClientRequest example_request(const struct KeyEntry& key, RequestKind kind,
                                const std::string& url) const;
};

RequestPlan make_plan(const TargetSpec& target, const StressOptions& options);

/// One logical operation: its prepared request parts and its ledger.
struct KeyEntry {
  std::string key;
  std::string key_line;
  std::string body;
  std::string alt_body;  ///< Mismatch only
  Operation op = Operation::Normal;
  uint8_t phase = 0;          ///< 0: leading sends; 1: follow-ups (after all of phase 0)
  uint16_t outstanding = 0;   ///< sends of the current phase not finished
  uint32_t url_index = 0;
  bool started = false;       ///< its first send was scheduled
  // Ledger.
  bool answered = false;       ///< a complete (non-409, non-5xx) answer was seen
  int64_t answered_at_us = 0;  ///< when it arrived, since the run started
  bool has_first = false;       ///< a 2xx was seen: later 2xx must repeat it
  int first_status = 0;
  uint64_t first_body_hash = 0;
  uint64_t first_headers_hash = 0;
  uint64_t first_identity = 0;   ///< identity of the first 2xx (body hash or resource id hash)
  bool identity_seen = false;
  bool counted_twice = false;    ///< exactly-once already reported for this key
  uint32_t successes = 0;        ///< 2xx answers
};

/// Renders key `n` (global number) for `op`.
void prepare_key(KeyEntry& entry, const RequestPlan& plan, long long n, Operation op);

}  // namespace idem::stress
