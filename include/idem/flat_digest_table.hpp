// An open-addressing hash table keyed by 16-byte digests (SHA-256 prefixes, already uniform),
// for the per-key tables that must stay small with millions of entries: a flat array of entries,
// linear probing, at most 7/8 full, backward-shift deletion (no tombstones). Node-based maps
// cost ~40-60 bytes of nodes and buckets per entry on top of the entry itself; this costs the
// entry divided by the load. Not thread-safe: callers hold their own lock.
//
// Traits: `static const Digest& key(const Entry&)` and `static bool empty(const Entry&)`; a
// value-initialised Entry must be empty.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace idem {

template <class Entry, class Traits>
class FlatDigestTable {
 public:
  using Digest = std::array<std::uint8_t, 16>;
  static constexpr size_t kInitialSlots = 16;  // a power of two

  /// The entry of `key`, or null. Invalidated by insert() and erase().
  Entry* find(const Digest& key) {
    Entry& e = slots_[probe(key)];
    return Traits::empty(e) ? nullptr : &e;
  }
  /// Adds `entry`, whose key must not be present. Returns where it now lives.
  Entry* insert(Entry entry) {
    if ((used_ + 1) * 8 > slots_.size() * 7) grow();
    Entry& slot = slots_[probe(Traits::key(entry))];
    slot = std::move(entry);
    ++used_;
    return &slot;
  }
  /// Removes the entry at `e` (a pointer find() or insert() returned).
  void erase(Entry* e) { erase_at(static_cast<size_t>(e - slots_.data())); }

  size_t size() const { return used_; }
  size_t capacity() const { return slots_.size(); }
  /// Slot access for sweeps that walk the table.
  Entry& slot(size_t i) { return slots_[i & (slots_.size() - 1)]; }
  /// Removes the entry in slot `i`; a later entry may move into `i`.
  void erase_at(size_t i) {
    const size_t mask = slots_.size() - 1;
    i &= mask;
    size_t j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (Traits::empty(slots_[j])) break;
      const size_t home = home_of(Traits::key(slots_[j]));
      // The entry at j may fill the hole at i only if i lies on its probe path (home .. j).
      if (((j - home) & mask) >= ((j - i) & mask)) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i] = Entry{};
    --used_;
  }

 private:
  size_t home_of(const Digest& key) const {
    size_t h = 0;
    std::memcpy(&h, key.data(), sizeof h);
    return h & (slots_.size() - 1);
  }
  size_t probe(const Digest& key) const {
    const size_t mask = slots_.size() - 1;
    size_t i = home_of(key);
    while (!Traits::empty(slots_[i]) && Traits::key(slots_[i]) != key) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<Entry> old(slots_.size() * 2);
    old.swap(slots_);
    for (Entry& e : old) {
      if (!Traits::empty(e)) slots_[probe(Traits::key(e))] = std::move(e);
    }
  }

  std::vector<Entry> slots_ = std::vector<Entry>(kInitialSlots);
  size_t used_ = 0;
};

}  // namespace idem
