// Counts handler executions per scoped key, so tests and `verify` observe the truth instead of
// inferring it. Safe for concurrent use. Entries expire after the record TTL (plus the lock TTL),
// so a flood of unique keys does not grow it without bound. Keys are held as 16-byte digests, so
// an entry costs the same whatever the key.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "idem/clock.hpp"

namespace idem {

class ExecutionLog {
 public:
  ExecutionLog(Millis retention, const Clock& clock = system_clock());

  /// Counts one execution; an empty key counts towards the total only.
  void record(const std::string& scoped_key);
  long long count(const std::string& scoped_key);
  long long total() const { return total_.load(); }

 private:
  static constexpr size_t kShardCount = 16;
  using Digest = std::array<std::uint8_t, 16>;
  struct DigestHash {
    size_t operator()(const Digest& d) const noexcept;
  };
  struct Counter {
    long long count = 0;
    Clock::TimePoint expires_at;
  };
  struct Shard {
    std::mutex mu;  // guards counters and order
    std::unordered_map<Digest, Counter, DigestHash> counters;
    // Retention is constant, so expiry times arrive in order and a FIFO suffices.
    std::deque<std::pair<Clock::TimePoint, Digest>> order;
  };
  Shard& shard_for(const Digest& key);
  static void drop_expired(Shard& shard, Clock::TimePoint now);

  Millis retention_;
  const Clock& clock_;
  std::array<Shard, kShardCount> shards_;
  std::atomic<long long> total_{0};
};

}  // namespace idem
