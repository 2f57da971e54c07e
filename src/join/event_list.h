#pragma once
// EventList: one stream's events of one join key, in event-time order. Values live in one
// byte buffer per list (no allocation per event); eviction takes events from the front, and
// the buffer is compacted once the evicted part is the larger half, so each event is copied
// O(1) times amortised. Lookups of a window are binary searches.
//
// Most keys hold one or two events per stream: the first entry and kInlineBytes of values live
// inside the list itself (so inside the key's slot), and such a key's events cost no
// allocation and no cache miss beyond the slot's.

#include <cstdint>
#include <string_view>
#include <utility>

#include <absl/container/inlined_vector.h>

#include "base/types.h"

namespace braid {

class EventList {
 public:
  struct Entry {
    Timestamp ts;
    /// Driving events only: bit i set once the LEFT window of enriching stream i is closed
    /// for this event (the watermark passed ts + W_i); its NULL rows, if any, were emitted.
    uint64_t closed = 0;
    uint64_t offset = 0;  // of the values in the buffer
    uint32_t length = 0;
  };

  size_t size() const { return entries_.size() - head_; }
  bool empty() const { return size() == 0; }
  const Entry& operator[](size_t i) const { return entries_[head_ + i]; }
  Entry& operator[](size_t i) { return entries_[head_ + i]; }
  const Entry& front() const { return entries_[head_]; }
  std::string_view values(const Entry& e) const {
    return std::string_view(bytes_.data() + e.offset, e.length);
  }

  /// Inserts after every event with the same or an earlier time; returns its index.
  size_t Insert(Timestamp ts, uint64_t closed, std::string_view values);
  /// The index of the first event with ts >= t (size() if none).
  size_t LowerBound(Timestamp t) const;
  /// The index range [first, last) of the events with lo <= ts <= hi.
  std::pair<size_t, size_t> Range(Timestamp lo, Timestamp hi) const;
  /// Removes the first `n` events (n <= size()).
  void PopFront(size_t n);
  void Clear();
  /// Clear(), and gives the memory back unless it is small: a slot reused for another key
  /// keeps small heap buffers, a hot key's big ones are freed.
  void Release();

 private:
  void Compact();

  static constexpr size_t kInlineBytes = 48;
  absl::InlinedVector<Entry, 1> entries_;  // [0, head_) are evicted
  size_t head_ = 0;
  absl::InlinedVector<char, kInlineBytes> bytes_;
};

}  // namespace braid
