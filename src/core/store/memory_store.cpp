#include "idem/store/memory_store.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>
#include <span>

#include "idem/fingerprint.hpp"
#include "idem/random.hpp"

namespace idem {

// The fixed part at the start of a record's block; what follows it is the owner token (locks
// only), the fingerprint, and the packed response (completed records only). Trivially
// destructible, so freeing the block is all it takes.
struct MemoryStore::Head {
  Head* prev = nullptr;  // expiry list neighbours
  Head* next = nullptr;
  Clock::TimePoint expires_at;
  Digest key{};
  std::uint32_t fp_size = 0;  // bytes of fingerprint stored after the owner token
  std::uint8_t list = 0;      // index of its expiry list in the shard
  bool locked = false;
  bool fp_hex = false;  // the fingerprint was 64 lowercase hex digits, stored as kStoredFpBytes
};

namespace {

using Head = MemoryStore::Head;
constexpr size_t kFpHexDigits = 64;
// A SHA-256 fingerprint keeps its first 128 bits: a different body still differs with
// probability 1 - 2^-128, and every record is 16 bytes smaller.
constexpr size_t kStoredFpBytes = 16;

Error lock_lost() {
  return make_error(ErrorCode::Conflict, "the lock on this key is no longer held");
}

constexpr size_t align8(size_t n) { return (n + 7) & ~size_t{7}; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes exactly out.size() * 2 lowercase hex digits; false for anything else.
bool decode_hex(std::string_view text, std::span<std::uint8_t> out) {
  if (text.size() != out.size() * 2) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(text[2 * i]);
    const int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::string encode_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

std::uint8_t* owner_bytes(Head& h) { return reinterpret_cast<std::uint8_t*>(&h + 1); }
const std::uint8_t* fp_bytes(const Head& h) {
  return reinterpret_cast<const std::uint8_t*>(&h + 1) + (h.locked ? kOwnerTokenBytes : 0);
}
const StoredResponse* response_of(const Head& h) {
  const size_t offset = align8(sizeof(Head) + h.fp_size);
  return reinterpret_cast<const StoredResponse*>(reinterpret_cast<const std::byte*>(&h) + offset);
}

// What the record's block occupies, as make_block() sized it.
size_t block_bytes(const Head& h) {
  const size_t fixed = sizeof(Head) + (h.locked ? kOwnerTokenBytes : 0) + h.fp_size;
  return h.locked ? fixed : align8(sizeof(Head) + h.fp_size) + response_of(h)->packed_bytes();
}

// The caller's fingerprint as decoded for storing: the stored bytes of a SHA-256 digest (hex) or
// the text itself.
struct FingerprintBytes {
  std::array<std::uint8_t, kFpHexDigits / 2> raw{};
  bool hex = false;
  std::span<const std::uint8_t> stored;

  explicit FingerprintBytes(const std::string& text) : hex(decode_hex(text, raw)) {
    stored = hex ? std::span<const std::uint8_t>(raw.data(), kStoredFpBytes)
                 : std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  }
};

// What Claim::fingerprint reports: the caller's own text when the record's fingerprint matches
// it, else the record's (for a SHA-256 digest, the hex of the 128 bits kept), which then differs.
std::string fingerprint_seen(const Head& h, const std::string& caller, const FingerprintBytes& fp) {
  const std::span<const std::uint8_t> stored(fp_bytes(h), h.fp_size);
  if (h.fp_hex == fp.hex && std::equal(stored.begin(), stored.end(), fp.stored.begin(),
                                       fp.stored.end())) {
    return caller;
  }
  if (h.fp_hex) return encode_hex(stored);
  return std::string(reinterpret_cast<const char*>(stored.data()), stored.size());
}

// A block for one record: Head, then the owner token (locks), the fingerprint, and the packed
// response (completed). `fp` is the caller's text or the stored bytes of another record.
struct BlockSpec {
  const std::array<std::uint8_t, 16>& key;
  Clock::TimePoint expires_at;
  std::span<const std::uint8_t> fp;
  bool fp_hex;
  const std::uint8_t* owner;     // locks: kOwnerTokenBytes, else null
  const HttpResponse* response;  // completed: the response, else null
};

std::shared_ptr<std::uint64_t[]> make_block(const BlockSpec& spec) {
  const size_t owner = spec.owner ? kOwnerTokenBytes : 0;
  size_t bytes = sizeof(Head) + owner + spec.fp.size();
  if (spec.response) bytes = align8(bytes) + StoredResponse::bytes_for(*spec.response);
  auto block = std::make_shared_for_overwrite<std::uint64_t[]>((bytes + 7) / 8);
  auto* head = new (block.get()) Head();
  head->expires_at = spec.expires_at;
  head->key = spec.key;
  head->fp_size = static_cast<std::uint32_t>(spec.fp.size());
  head->fp_hex = spec.fp_hex;
  head->locked = spec.owner != nullptr;
  auto* p = reinterpret_cast<std::uint8_t*>(head + 1);
  if (spec.owner) std::memcpy(p, spec.owner, owner);
  if (!spec.fp.empty()) std::memcpy(p + owner, spec.fp.data(), spec.fp.size());
  if (spec.response) {
    StoredResponse::write(
        reinterpret_cast<std::byte*>(block.get()) + align8(sizeof(Head) + spec.fp.size()),
        *spec.response);
  }
  return block;
}

}  // namespace

const MemoryStore::Digest& MemoryStore::SlotTraits::key(const Slot& s) { return s.head().key; }

MemoryStore::MemoryStore(const Clock& clock, MemoryStoreLimits limits)
    : clock_(clock), limits_(limits) {}

MemoryStore::Shard& MemoryStore::shard_for(const Digest& digest) {
  return shards_[digest.back() % kShardCount];  // the hash uses the front bytes
}

void MemoryStore::link(Shard& shard, Head& head, Millis lifetime) {
  size_t i = 0;
  while (i < shard.lists.size() && shard.lists[i].lifetime != lifetime) ++i;
  if (i == shard.lists.size()) shard.lists.push_back(ExpiryList{lifetime, nullptr, nullptr});
  ExpiryList& list = shard.lists[i];
  // Lifetimes come from configuration (lease, TTL), so a shard sees a handful at most.
  assert(i < 256);
  head.list = static_cast<std::uint8_t>(i);
  head.prev = list.last;
  head.next = nullptr;
  (list.last ? list.last->next : list.first) = &head;
  list.last = &head;
}

void MemoryStore::unlink(Shard& shard, Head& head) {
  ExpiryList& list = shard.lists[head.list];
  (head.prev ? head.prev->next : list.first) = head.next;
  (head.next ? head.next->prev : list.last) = head.prev;
  head.prev = head.next = nullptr;
}

void MemoryStore::erase(Shard& shard, Slot* it) {
  Head& head = it->head();
  unlink(shard, head);
  if (head.locked) --locked_;
  --records_;
  bytes_ -= block_bytes(head) + kRecordOverheadBytes;
  shard.records.erase(it);  // frees the block unless a replay still holds its response
}

void MemoryStore::reclaim_expired(Shard& shard, Clock::TimePoint now) {
  for (ExpiryList& list : shard.lists) {
    while (list.first && list.first->expires_at <= now) {
      Slot* it = shard.records.find(list.first->key);
      erase(shard, it);
    }
  }
}

void MemoryStore::reclaim_others(const Shard& held, Clock::TimePoint now) {
  for (Shard& shard : shards_) {
    if (&shard == &held) continue;
    std::unique_lock lock(shard.mu, std::try_to_lock);
    if (lock.owns_lock()) reclaim_expired(shard, now);
  }
}

bool MemoryStore::reserve_record() {
  if (bytes_.load() >= limits_.max_bytes) return false;
  size_t n = records_.load();
  while (n < limits_.max_records) {
    if (records_.compare_exchange_weak(n, n + 1)) return true;
  }
  return false;
}

Result<Claim> MemoryStore::claim(const std::string& key, const std::string& fingerprint,
                                 Millis lease) {
  const Digest digest = digest128(key);
  Shard& shard = shard_for(digest);
  std::lock_guard lock(shard.mu);
  const auto now = clock_.now();  // read under the lock, so appends stay in expiry order
  Claim result;
  const FingerprintBytes fp(fingerprint);
  Slot* it = shard.records.find(digest);
  if (it != nullptr && it->head().expires_at > now) {
    const Head& head = it->head();
    result.fingerprint = fingerprint_seen(head, fingerprint, fp);
    if (!head.locked) {
      result.state = ClaimState::Completed;
      result.response = std::shared_ptr<const StoredResponse>(it->block, response_of(head));
    } else {
      result.state = ClaimState::InFlight;
      result.lock_remaining = std::chrono::duration_cast<Millis>(head.expires_at - now);
    }
    return result;
  }
  // An expired record of this key is replaced in place below: that never grows the store.
  const bool replacing = it != nullptr;
  if (!replacing && !reserve_record()) {
    reclaim_expired(shard, now);
    reclaim_others(shard, now);  // expired records elsewhere may free room
    if (!reserve_record()) {
      result.state = ClaimState::Full;
      return result;
    }
  }

  std::array<std::uint8_t, kOwnerTokenBytes> owner{};
  random_bytes(std::as_writable_bytes(std::span(owner)));
  Block block = make_block({digest, now + lease, fp.stored, fp.hex, owner.data(), nullptr});
  if (replacing) {
    result.took_over = it->head().locked;
    if (!it->head().locked) ++locked_;
    unlink(shard, it->head());
    bytes_ -= block_bytes(it->head());
    it->block = std::move(block);
    bytes_ += block_bytes(it->head());
    link(shard, it->head(), lease);
  } else {
    Head& head = *reinterpret_cast<Head*>(block.get());
    bytes_ += block_bytes(head) + kRecordOverheadBytes;
    shard.records.insert(Slot{std::move(block)});  // the block, so `head`, stays put
    link(shard, head, lease);
    ++locked_;
  }
  reclaim_expired(shard, now);
  // Every claim also sweeps one other shard, so records of shards no request touches expire too.
  Shard& other = shards_[next_sweep_++ % kShardCount];
  if (&other != &shard) {
    std::unique_lock other_lock(other.mu, std::try_to_lock);
    if (other_lock.owns_lock()) reclaim_expired(other, now);
  }
  result.state = ClaimState::Claimed;
  result.owner = encode_hex(owner);
  return result;
}

Result<void> MemoryStore::complete(const std::string& key, const OwnerToken& owner,
                                   const HttpResponse& response, Millis ttl) {
  const Digest digest = digest128(key);
  std::array<std::uint8_t, kOwnerTokenBytes> token{};
  if (!decode_hex(owner, token)) return lock_lost();
  Shard& shard = shard_for(digest);
  std::lock_guard lock(shard.mu);
  const auto now = clock_.now();
  reclaim_expired(shard, now);
  Slot* it = shard.records.find(digest);
  if (it == nullptr || !it->head().locked ||
      std::memcmp(owner_bytes(it->head()), token.data(), token.size()) != 0) {
    return lock_lost();
  }
  Head& old = it->head();
  Block done =
      make_block({digest, now + ttl, {fp_bytes(old), old.fp_size}, old.fp_hex, nullptr, &response});
  unlink(shard, old);
  bytes_ -= block_bytes(old);
  it->block = std::move(done);  // same key, so the set's hash of this slot is unchanged
  bytes_ += block_bytes(it->head());
  link(shard, it->head(), ttl);
  --locked_;
  shard.settled.notify_all();  // wakes duplicates waiting in the guard (in-flight wait)
  return {};
}

Result<void> MemoryStore::release(const std::string& key, const OwnerToken& owner) {
  const Digest digest = digest128(key);
  std::array<std::uint8_t, kOwnerTokenBytes> token{};
  if (!decode_hex(owner, token)) return lock_lost();
  Shard& shard = shard_for(digest);
  std::lock_guard lock(shard.mu);
  reclaim_expired(shard, clock_.now());
  Slot* it = shard.records.find(digest);
  if (it == nullptr || !it->head().locked ||
      std::memcmp(owner_bytes(it->head()), token.data(), token.size()) != 0) {
    return lock_lost();
  }
  erase(shard, it);
  shard.settled.notify_all();
  return {};
}

void MemoryStore::await_settled(const std::string& key, Millis timeout) {
  const Digest digest = digest128(key);
  Shard& shard = shard_for(digest);
  std::unique_lock lock(shard.mu);
  shard.settled.wait_for(lock, timeout, [&] {
    Slot* it = shard.records.find(digest);
    return it == nullptr || !it->head().locked ||
           it->head().expires_at <= clock_.now();
  });
}

Result<StoreStats> MemoryStore::stats() {
  StoreStats out;
  out.records = static_cast<long long>(records_.load());
  out.locked = locked_.load();
  out.max_records =
      limits_.max_records == kUnlimitedRecords ? -1 : static_cast<long long>(limits_.max_records);
  return out;
}

}  // namespace idem
