// The chaos proxy's journal: one NDJSON line per request it served, so a run can tell "the
// upstream executed, the client saw a failure, the retry was replayed" or "executed twice".
// Entries are kept in memory too (bounded), for stress's per-key story and the tests. Header
// values other than the idempotency key are never written: they may carry credentials.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "idem/result.hpp"

namespace idem::chaos {

/// Entries kept in memory; the file gets every entry.
inline constexpr size_t kMaxJournalEntriesInMemory = 100'000;

/// What the client got.
enum class ClientOutcome : uint8_t { Answered, Closed, Reset, Hang, Truncated };
std::string_view to_string(ClientOutcome outcome);

struct UpstreamExchange {
  int status = 0;           ///< 0: no answer (see error)
  std::string error;        ///< transport error, empty when answered
  std::string body_sha256;  ///< hex, of the upstream's body
  bool replayed = false;    ///< the upstream said Idempotent-Replayed: true
  double ms = 0;
};

struct JournalEntry {
  uint64_t seq = 0;
  double at_ms = 0;  ///< since the proxy started
  std::string method;
  std::string path;
  std::string key;  ///< empty: the request carried none
  std::vector<std::string> faults;
  std::optional<UpstreamExchange> upstream;   ///< absent: not forwarded (abort)
  std::optional<UpstreamExchange> duplicate;  ///< duplicate-forward's second exchange
  ClientOutcome client = ClientOutcome::Answered;
  int client_status = 0;  ///< 0 unless answered or truncated
  double total_ms = 0;
};

std::string to_ndjson(const JournalEntry& entry);

class Journal {
 public:
  /// Opens (truncates) `path` when not empty; InvalidArgument naming the file otherwise.
  Result<void> open(const std::string& path);
  /// Thread-safe; assigns seq.
  void write(JournalEntry entry);
  /// A copy of the in-memory entries, oldest first.
  std::vector<JournalEntry> entries() const;
  void clear();
  ~Journal();

 private:
  mutable std::mutex mutex_;
  std::FILE* file_ = nullptr;
  uint64_t next_seq_ = 1;
  std::vector<JournalEntry> kept_;
};

}  // namespace idem::chaos
