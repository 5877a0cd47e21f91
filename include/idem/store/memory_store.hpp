// MemoryStore: the in-process Store, sharded so unrelated keys never wait on one lock.
// Safe for concurrent use. Expired records are reclaimed as their shard is used.
#pragma once

#include <array>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <vector>

#include "idem/store/store.hpp"

namespace idem {

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(const Clock& clock = system_clock());

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

 private:
  static constexpr size_t kShardCount = 64;

  struct Entry {
    std::string fingerprint;
    OwnerToken owner;  // empty once completed
    Clock::TimePoint expires_at;
    std::shared_ptr<const HttpResponse> response;  // null while locked
  };
  struct Expiry {
    Clock::TimePoint at;
    std::string key;
    bool operator>(const Expiry& other) const { return at > other.at; }
  };
  using Entries = std::unordered_map<std::string, Entry>;
  struct Shard {
    std::mutex mu;  // guards entries and expiries
    std::condition_variable settled;  // notified when a lock of the shard completes or is released
    Entries entries;
    // Min-heap of expiry times; an item whose entry has since changed is stale and skipped.
    std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiries;
  };

  Shard& shard_for(const std::string& key);
  // The entry of `key` if it is a lock held by `owner`, else entries.end(). Shard mutex held.
  static Entries::iterator find_held_lock(Shard& shard, const std::string& key,
                                          const OwnerToken& owner);
  // Drops entries whose time has passed. Called with the shard's mutex held.
  void reclaim_expired(Shard& shard, Clock::TimePoint now);

  const Clock& clock_;
  std::array<Shard, kShardCount> shards_;
};

}  // namespace idem
