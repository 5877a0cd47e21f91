// Counts handler executions per scoped key, so tests and `verify` observe the truth instead of
// inferring it. Safe for concurrent use. Entries expire after the retention (the record TTL plus
// the lock TTL), so a flood of unique keys does not grow it without bound.
//
// Layout: one flat open-addressing table per shard (linear probing, 24 bytes an entry: a 16-byte
// key digest, the count, the expiry in whole seconds), instead of a node-based map plus an expiry
// queue (~84 bytes an entry, measured). Expired entries are reclaimed by a sweep that visits a
// few slots at every record(), so reclaiming keeps pace with creation without a queue.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "idem/clock.hpp"
#include "idem/flat_digest_table.hpp"

namespace idem {

class ExecutionLog {
 public:
  /// Slots the sweep visits per record(): with the table at most 7/8 full, the sweep passes over
  /// every slot within ~capacity/4 records, so an expired entry lingers far less than a retention.
  static constexpr size_t kSweepSlotsPerRecord = 4;

  ExecutionLog(Millis retention, const Clock& clock = system_clock());

  /// Counts one execution; an empty key counts towards the total only.
  void record(const std::string& scoped_key);
  long long count(const std::string& scoped_key);
  long long total() const { return total_.load(); }
  /// Entries held, including expired ones the sweep has not reached yet (for tests and sizing).
  size_t entries();

 private:
  static constexpr size_t kShardCount = 16;
  using Digest = std::array<std::uint8_t, 16>;
  struct Entry {
    Digest key{};
    std::uint32_t count = 0;    // 0: the slot is empty
    std::uint32_t expires = 0;  // whole seconds since epoch_
  };
  struct EntryTraits {
    static const Digest& key(const Entry& e) { return e.key; }
    static bool empty(const Entry& e) { return e.count == 0; }
  };
  struct Shard {
    std::mutex mu;  // guards everything below
    FlatDigestTable<Entry, EntryTraits> table;
    size_t sweep_at = 0;
  };
  Shard& shard_for(const Digest& key);
  std::uint32_t seconds_now() const;
  static void sweep(Shard& shard, std::uint32_t now);

  std::uint32_t retention_seconds_;
  const Clock& clock_;
  Clock::TimePoint epoch_;
  std::array<Shard, kShardCount> shards_;
  std::atomic<long long> total_{0};
};

}  // namespace idem
