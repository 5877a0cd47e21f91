// MemoryStore: the in-process Store, sharded so unrelated keys never wait on one lock. Safe for
// concurrent use. A record is one allocation holding only what a replay needs (key digest,
// fingerprint, expiry, owner token while locked, packed response); expired records are
// reclaimed in expiry order as shards are used. With max_records set, a new key beyond it is
// refused (ClaimState::Full) instead of evicting a live record.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "idem/flat_digest_table.hpp"
#include "idem/store/store.hpp"

namespace idem {

/// No bound on live records (or on their bytes).
inline constexpr size_t kUnlimitedRecords = std::numeric_limits<size_t>::max();

/// What one record costs beyond its block (hash-table node, bucket, allocator headers), used
/// by the byte bound. Measured with bench/memory.sh; see README "Sizing the store".
inline constexpr size_t kRecordOverheadBytes = 64;

/// When the store refuses new keys (ClaimState::Full). Both bounds apply; a completion is never
/// refused (its handler already ran), so the byte bound may be passed by responses in flight.
struct MemoryStoreLimits {
  size_t max_records = kUnlimitedRecords;
  size_t max_bytes = kUnlimitedRecords;  ///< record blocks plus kRecordOverheadBytes each
};

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(const Clock& clock = system_clock(), MemoryStoreLimits limits = {});

  Result<Claim> claim(const std::string& key, const std::string& fingerprint,
                      Millis lease) override;
  Result<void> complete(const std::string& key, const OwnerToken& owner,
                        const HttpResponse& response, Millis ttl) override;
  Result<void> release(const std::string& key, const OwnerToken& owner) override;
  /// Woken by complete() or release() of any key of the shard.
  void await_settled(const std::string& key, Millis timeout) override;
  Result<void> ping() override { return {}; }
  Result<StoreStats> stats() override;
  std::string describe() const override { return "memory"; }

  struct Head;  // a record's fixed part; defined in memory_store.cpp

 private:
  static constexpr size_t kShardCount = 64;
  using Digest = std::array<std::uint8_t, 16>;
  using Block = std::shared_ptr<std::uint64_t[]>;

  struct Slot {
    mutable Block block;  // replaced in place on complete (same key, so same hash)
    Head& head() const { return *reinterpret_cast<Head*>(block.get()); }
  };
  struct SlotTraits {
    static const Digest& key(const Slot& s);
    static bool empty(const Slot& s) { return !s.block; }
  };
  using Records = FlatDigestTable<Slot, SlotTraits>;
  // Records of one lifetime, oldest first: a clock that only moves forward and one lifetime
  // make append order expiry order, so reclaiming pops from the front.
  struct ExpiryList {
    Millis lifetime{0};
    Head* first = nullptr;
    Head* last = nullptr;
  };
  struct Shard {
    std::mutex mu;  // guards records and lists
    std::condition_variable settled;  // notified when a lock of the shard completes or is released
    Records records;
    std::vector<ExpiryList> lists;
  };

  Shard& shard_for(const Digest& digest);
  static void link(Shard& shard, Head& head, Millis lifetime);
  static void unlink(Shard& shard, Head& head);
  // Drops `it`'s record (unlinked first). Shard mutex held.
  void erase(Shard& shard, Slot* slot);
  // Drops every record whose time has passed. Shard mutex held.
  void reclaim_expired(Shard& shard, Clock::TimePoint now);
  // Counts one more record if the bound allows (atomic across shards, so it is never exceeded).
  bool reserve_record();
  // Reclaims other shards it can lock without waiting (never blocks: the caller holds one).
  void reclaim_others(const Shard& held, Clock::TimePoint now);

  const Clock& clock_;
  const MemoryStoreLimits limits_;
  std::atomic<size_t> records_{0};
  std::atomic<size_t> bytes_{0};  // blocks held plus kRecordOverheadBytes per record
  std::atomic<long long> locked_{0};
  std::atomic<size_t> next_sweep_{0};
  std::array<Shard, kShardCount> shards_;
};

}  // namespace idem
