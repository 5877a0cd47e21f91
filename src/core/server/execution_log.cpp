#include "idem/server/execution_log.hpp"

#include <algorithm>
#include <limits>

#include "idem/fingerprint.hpp"

namespace idem {

namespace {

constexpr long long kMaxSeconds = std::numeric_limits<std::uint32_t>::max() / 2;

bool expired(std::uint32_t expires, std::uint32_t now) { return expires <= now; }

}  // namespace

ExecutionLog::ExecutionLog(Millis retention, const Clock& clock)
    : retention_seconds_(static_cast<std::uint32_t>(
          std::clamp<long long>((retention.count() + 999) / 1000, 1, kMaxSeconds))),
      clock_(clock),
      epoch_(clock.now()) {}

ExecutionLog::Shard& ExecutionLog::shard_for(const Digest& key) {
  return shards_[key.back() % kShardCount];  // the table hash uses the front bytes
}

// Rounded down, so an entry stamped "now + retention" (now rounded down as well, plus one) never
// expires before its retention has passed.
std::uint32_t ExecutionLog::seconds_now() const {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - epoch_).count();
  return static_cast<std::uint32_t>(std::clamp<long long>(s, 0, kMaxSeconds));
}

void ExecutionLog::sweep(Shard& shard, std::uint32_t now) {
  for (size_t visited = 0; visited < kSweepSlotsPerRecord; ++visited) {
    const Entry& e = shard.table.slot(shard.sweep_at);
    if (!EntryTraits::empty(e) && expired(e.expires, now)) {
      shard.table.erase_at(shard.sweep_at);  // something may have moved in: look again next time
    } else {
      shard.sweep_at = (shard.sweep_at + 1) % shard.table.capacity();
    }
  }
}

void ExecutionLog::record(const std::string& scoped_key) {
  ++total_;
  if (scoped_key.empty()) return;
  const Digest key = digest128(scoped_key);
  Shard& shard = shard_for(key);
  const std::uint32_t now = seconds_now();
  const std::uint32_t expires = now + 1 + retention_seconds_;
  std::lock_guard lock(shard.mu);
  sweep(shard, now);
  if (Entry* found = shard.table.find(key)) {
    if (expired(found->expires, now)) {
      found->count = 1;
    } else if (found->count != std::numeric_limits<std::uint32_t>::max()) {
      ++found->count;  // saturates rather than wrapping to "never executed"
    }
    found->expires = expires;
    return;
  }
  shard.table.insert(Entry{key, 1, expires});
}

long long ExecutionLog::count(const std::string& scoped_key) {
  const Digest key = digest128(scoped_key);
  Shard& shard = shard_for(key);
  const std::uint32_t now = seconds_now();
  std::lock_guard lock(shard.mu);
  const Entry* e = shard.table.find(key);
  return e == nullptr || expired(e->expires, now) ? 0 : e->count;
}

size_t ExecutionLog::entries() {
  size_t n = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.table.size();
  }
  return n;
}

}  // namespace idem
