#include "idem/store/memory_store.hpp"

#include <functional>

namespace idem {
namespace {

Error lock_lost() {
  return make_error(ErrorCode::Conflict, "the lock on this key is no longer held");
}

}  // namespace

MemoryStore::MemoryStore(const Clock& clock) : clock_(clock) {}

MemoryStore::Shard& MemoryStore::shard_for(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShardCount];
}

void MemoryStore::reclaim_expired(Shard& shard, Clock::TimePoint now) {
  while (!shard.expiries.empty() && shard.expiries.top().at <= now) {
    const Expiry& top = shard.expiries.top();
    auto it = shard.entries.find(top.key);
    if (it != shard.entries.end() && it->second.expires_at <= now) shard.entries.erase(it);
    shard.expiries.pop();
  }
}

MemoryStore::Entries::iterator MemoryStore::find_held_lock(Shard& shard, const std::string& key,
                                                         const OwnerToken& owner) {
  auto it = shard.entries.find(key);
  if (it == shard.entries.end() || it->second.response || it->second.owner != owner) {
    return shard.entries.end();
  }
  return it;
}

Result<Claim> MemoryStore::claim(const std::string& key, const std::string& fingerprint,
                                 Millis lease) {
  const auto now = clock_.now();
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  Claim result;
  {
    auto old = shard.entries.find(key);
    result.took_over = old != shard.entries.end() && !old->second.response &&
                       old->second.expires_at <= now;
  }
  reclaim_expired(shard, now);

  auto it = shard.entries.find(key);
  if (it != shard.entries.end()) {
    Entry& entry = it->second;
    if (entry.response) {
      result.state = ClaimState::Completed;
      result.fingerprint = entry.fingerprint;
      result.response = entry.response;
      return result;
    }
    if (entry.expires_at > now) {
      result.state = ClaimState::InFlight;
      result.fingerprint = entry.fingerprint;
      result.lock_remaining = std::chrono::duration_cast<Millis>(entry.expires_at - now);
      return result;
    }
    result.took_over = true;
  }
  result.state = ClaimState::Claimed;
  result.owner = new_owner_token();
  const auto expires_at = now + lease;
  shard.entries.insert_or_assign(key, Entry{fingerprint, result.owner, expires_at, nullptr});
  shard.expiries.push(Expiry{expires_at, key});
  return result;
}

Result<void> MemoryStore::complete(const std::string& key, const OwnerToken& owner,
                                   const HttpResponse& response, Millis ttl) {
  const auto now = clock_.now();
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  reclaim_expired(shard, now);
  auto it = find_held_lock(shard, key, owner);
  if (it == shard.entries.end()) return lock_lost();
  it->second.owner.clear();
  it->second.response = std::make_shared<const HttpResponse>(response);
  it->second.expires_at = now + ttl;
  shard.expiries.push(Expiry{it->second.expires_at, key});
  shard.settled.notify_all();
  return {};
}

Result<void> MemoryStore::release(const std::string& key, const OwnerToken& owner) {
  const auto now = clock_.now();
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  reclaim_expired(shard, now);
  auto it = find_held_lock(shard, key, owner);
  if (it == shard.entries.end()) return lock_lost();
  shard.entries.erase(it);
  shard.settled.notify_all();
  return {};
}

void MemoryStore::await_settled(const std::string& key, Millis timeout) {
  Shard& shard = shard_for(key);
  std::unique_lock lock(shard.mu);
  shard.settled.wait_for(lock, timeout, [&] {
    auto it = shard.entries.find(key);
    return it == shard.entries.end() || it->second.response ||
           it->second.expires_at <= clock_.now();
  });
}

Result<StoreStats> MemoryStore::stats() {
  StoreStats out;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    out.records += static_cast<long long>(shard.entries.size());
    for (const auto& [key, entry] : shard.entries) {
      if (!entry.response) ++out.locked;
    }
  }
  return out;
}

}  // namespace idem
