#include "idem/server/execution_log.hpp"

#include <cstring>

#include "idem/fingerprint.hpp"

namespace idem {

ExecutionLog::ExecutionLog(Millis retention, const Clock& clock)
    : retention_(retention), clock_(clock) {}

size_t ExecutionLog::DigestHash::operator()(const Digest& d) const noexcept {
  size_t h = 0;
  std::memcpy(&h, d.data(), sizeof h);  // a SHA-256 prefix is already uniform
  return h;
}

ExecutionLog::Shard& ExecutionLog::shard_for(const Digest& key) {
  return shards_[key.back() % kShardCount];
}

void ExecutionLog::drop_expired(Shard& shard, Clock::TimePoint now) {
  while (!shard.order.empty() && shard.order.front().first <= now) {
    auto it = shard.counters.find(shard.order.front().second);
    if (it != shard.counters.end() && it->second.expires_at <= now) shard.counters.erase(it);
    shard.order.pop_front();
  }
}

void ExecutionLog::record(const std::string& scoped_key) {
  ++total_;
  if (scoped_key.empty()) return;
  const Digest key = digest128(scoped_key);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  const auto now = clock_.now();
  drop_expired(shard, now);
  Counter& c = shard.counters[key];
  ++c.count;
  c.expires_at = now + retention_;
  shard.order.emplace_back(c.expires_at, key);
}

long long ExecutionLog::count(const std::string& scoped_key) {
  const Digest key = digest128(scoped_key);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  drop_expired(shard, clock_.now());
  auto it = shard.counters.find(key);
  return it == shard.counters.end() ? 0 : it->second.count;
}

}  // namespace idem
