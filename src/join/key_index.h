#pragma once
// KeyIndex: the join's map from a key to its slot, an open-addressing table with linear
// probing. Each entry holds the slot number and the low 32 bits of the key's hash, so:
//  - a lookup compares a slot's key only when those bits match (nearly always the key);
//  - Prefetch(hash) starts loading a key's entry, and Candidate(hash), once it has arrived,
//    names the key's slot without reading any key, so that the slot can be loaded in turn;
//  - an erase shifts the entries behind back (no tombstones) using the stored bits alone.
// Why not absl::flat_hash_set: its prefetch() compiles to nothing in our release builds (GCC
// drops it), and it cannot name a slot without comparing its key.
//
// The caller hashes (JoinOperator::KeyHash) and compares keys (KeyOf); the index stores no key.

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/prefetch.h"

namespace braid {

class KeyIndex {
 public:
  static constexpr uint32_t kNone = ~uint32_t{0};

  size_t size() const { return size_; }

  void Prefetch(size_t hash) const {
    if (!entries_.empty()) PrefetchRead(&entries_[Home(hash)]);
  }
  /// The slot of the first entry whose stored hash bits match `hash`'s (the key's slot, if it
  /// is present, unless another key shares those bits: a hint only), or kNone.
  uint32_t Candidate(size_t hash) const {
    if (entries_.empty()) return kNone;
    for (size_t i = Home(hash);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone || e.hash == static_cast<uint32_t>(hash)) return e.slot;
    }
  }
  /// The slot holding `key` (hash `hash`), or kNone. `key_of(slot)` gives a slot's key.
  template <typename KeyOf>
  uint32_t Find(size_t hash, std::string_view key, const KeyOf& key_of) const {
    if (entries_.empty()) return kNone;
    for (size_t i = Home(hash);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone) return kNone;
      if (e.hash == static_cast<uint32_t>(hash) && key_of(e.slot) == key) return e.slot;
    }
  }
  /// Adds `slot` for a key of hash `hash` that is not in the index.
  void Insert(size_t hash, uint32_t slot);
  /// Removes `slot`, which is in the index under a key of hash `hash`.
  void Erase(size_t hash, uint32_t slot);
  /// Calls fn(slot) for every slot, in table order.
  template <typename Fn>
  void ForEach(const Fn& fn) const {
    for (const Entry& e : entries_) {
      if (e.slot != kNone) fn(e.slot);
    }
  }

 private:
  struct Entry {
    uint32_t slot = kNone;
    uint32_t hash = 0;  // the low 32 bits of the key's hash; the home position is hash & mask_
  };
  size_t Home(size_t hash) const { return hash & mask_; }
  void Grow();

  std::vector<Entry> entries_;  // empty, or a power of two of them
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace braid
