#include "idem/server/execution_log.hpp"

namespace idem {

ExecutionLog::ExecutionLog(Millis retention, const Clock& clock)
    : retention_(retention), clock_(clock) {}

ExecutionLog::Shard& ExecutionLog::shard_for(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShardCount];
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
  const auto now = clock_.now();
  Shard& shard = shard_for(scoped_key);
  std::lock_guard lock(shard.mu);
  drop_expired(shard, now);
  Counter& c = shard.counters[scoped_key];
  ++c.count;
  c.expires_at = now + retention_;
  shard.order.emplace_back(c.expires_at, scoped_key);
}

long long ExecutionLog::count(const std::string& scoped_key) {
  Shard& shard = shard_for(scoped_key);
  std::lock_guard lock(shard.mu);
  drop_expired(shard, clock_.now());
  auto it = shard.counters.find(scoped_key);
  return it == shard.counters.end() ? 0 : it->second.count;
}

}  // namespace idem
