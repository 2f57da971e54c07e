#include "join/key_index.h"

#include <cassert>

namespace braid {

void KeyIndex::Insert(size_t hash, uint32_t slot) {
  assert(slot != kNone);
  // At most 5/8 full: linear probing stays short.
  if ((size_ + 1) * 8 > entries_.size() * 5) Grow();
  size_t i = Home(hash);
  while (entries_[i].slot != kNone) i = (i + 1) & mask_;
  entries_[i] = Entry{slot, static_cast<uint32_t>(hash)};
  ++size_;
}

void KeyIndex::Erase(size_t hash, uint32_t slot) {
  size_t i = Home(hash);
  while (entries_[i].slot != slot) {
    assert(entries_[i].slot != kNone && "erasing a slot that is not in the index");
    i = (i + 1) & mask_;
  }
  // Backward shift: each later entry of the run moves into the hole unless its home lies
  // cyclically in (hole, its position], where it would no longer be found.
  for (size_t j = (i + 1) & mask_; entries_[j].slot != kNone; j = (j + 1) & mask_) {
    const size_t home = entries_[j].hash & mask_;
    const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    entries_[i] = entries_[j];
    i = j;
  }
  entries_[i] = Entry{};
  --size_;
}

void KeyIndex::Grow() {
  std::vector<Entry> old;
  old.swap(entries_);
  entries_.assign(old.empty() ? 16 : old.size() * 2, Entry{});
  mask_ = entries_.size() - 1;
  for (const Entry& e : old) {
    if (e.slot == kNone) continue;
    size_t i = e.hash & mask_;
    while (entries_[i].slot != kNone) i = (i + 1) & mask_;
    entries_[i] = e;
  }
}

}  // namespace braid
