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
#include <unordered_map>
#include <utility>
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
  bool answer_lost = false;  ///< the upstream answered and the client did not get that answer
  int client_status = 0;  ///< 0 unless answered or truncated
  double total_ms = 0;
};

std::string to_ndjson(const JournalEntry& entry);

/// Keys whose story the journal keeps; past it new keys are not followed (key_stories_complete
/// says so).
inline constexpr size_t kMaxStoryKeys = 1'000'000;

/// One key's story across every request that carried it.
struct KeyStory {
  uint32_t requests = 0;
  uint32_t lost = 0;  ///< answers kept from the client after the upstream answered
  /// Distinct 2xx bodies the upstream answered (capped at 255): more than one means it executed
  /// the key more than once, whether or not it marks its replays.
  uint8_t distinct_2xx_bodies = 0;
  bool answered_after_loss = false;  ///< a later request of the key got the upstream's answer
  std::string first_2xx_sha256;
};

class Journal {
 public:
  /// Opens (truncates) `path` when not empty; InvalidArgument naming the file otherwise.
  Result<void> open(const std::string& path);
  /// Thread-safe; assigns seq.
  void write(JournalEntry entry);
  /// A copy of the in-memory entries, oldest first.
  std::vector<JournalEntry> entries() const;
  void clear();
  /// Every followed key's story (unordered).
  std::vector<std::pair<std::string, KeyStory>> key_stories() const;
  bool key_stories_complete() const;
  ~Journal();

 private:
  void follow(const JournalEntry& entry);  // under mutex_

  mutable std::mutex mutex_;
  std::FILE* file_ = nullptr;
  uint64_t next_seq_ = 1;
  std::vector<JournalEntry> kept_;
  std::unordered_map<std::string, KeyStory> stories_;
  bool stories_overflow_ = false;
};

}  // namespace idem::chaos
