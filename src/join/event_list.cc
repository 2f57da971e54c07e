#include "join/event_list.h"

#include <algorithm>
#include <cstring>

namespace braid {

size_t EventList::Insert(Timestamp ts, uint64_t closed, std::string_view values) {
  const Entry e{ts, closed, bytes_.size(), static_cast<uint32_t>(values.size())};
  // resize + memcpy: InlinedVector's range insert is a general (and slow) path.
  bytes_.resize(bytes_.size() + values.size());
  if (!values.empty()) std::memcpy(bytes_.data() + e.offset, values.data(), values.size());
  if (empty() || !(ts < entries_.back().ts)) {
    entries_.push_back(e);
    return size() - 1;
  }
  // Out of order (rare: the sources are roughly in event-time order).
  auto at = std::upper_bound(entries_.begin() + static_cast<std::ptrdiff_t>(head_),
                             entries_.end(), ts,
                             [](Timestamp t, const Entry& x) { return t < x.ts; });
  at = entries_.insert(at, e);
  return static_cast<size_t>(at - entries_.begin()) - head_;
}

size_t EventList::LowerBound(Timestamp t) const {
  auto it = std::lower_bound(entries_.begin() + static_cast<std::ptrdiff_t>(head_),
                             entries_.end(), t,
                             [](const Entry& x, Timestamp v) { return x.ts < v; });
  return static_cast<size_t>(it - entries_.begin()) - head_;
}

std::pair<size_t, size_t> EventList::Range(Timestamp lo, Timestamp hi) const {
  const size_t first = LowerBound(lo);
  auto it = std::upper_bound(entries_.begin() + static_cast<std::ptrdiff_t>(head_ + first),
                             entries_.end(), hi,
                             [](Timestamp v, const Entry& x) { return v < x.ts; });
  return {first, static_cast<size_t>(it - entries_.begin()) - head_};
}

void EventList::PopFront(size_t n) {
  head_ += n;
  if (head_ == entries_.size()) {
    Clear();
  } else if (head_ >= 16 && head_ * 2 >= entries_.size()) {
    Compact();
  }
}

void EventList::Clear() {
  entries_.clear();
  bytes_.clear();
  head_ = 0;
}

void EventList::Release() {
  constexpr size_t kKeepBytes = 4096;
  const bool big = entries_.capacity() * sizeof(Entry) + bytes_.capacity() > kKeepBytes;
  Clear();
  if (big) {
    entries_.shrink_to_fit();  // empty: back to the inline storage
    bytes_.shrink_to_fit();
  }
}

void EventList::Compact() {
  size_t total = 0;
  for (size_t i = head_; i < entries_.size(); ++i) total += entries_[i].length;
  absl::InlinedVector<Entry, 1> live;
  live.reserve(entries_.size() - head_);
  absl::InlinedVector<char, kInlineBytes> bytes;
  bytes.reserve(total);
  for (size_t i = head_; i < entries_.size(); ++i) {
    Entry e = entries_[i];
    const char* from = bytes_.data() + e.offset;
    e.offset = bytes.size();
    bytes.resize(bytes.size() + e.length);
    if (e.length != 0) std::memcpy(bytes.data() + e.offset, from, e.length);
    live.push_back(e);
  }
  entries_ = std::move(live);
  bytes_ = std::move(bytes);
  head_ = 0;
}

}  // namespace braid
