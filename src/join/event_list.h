#pragma once
// EventList: one stream's events of one join key, in event-time order. Values live in one
// byte buffer per list (no allocation per event); eviction takes events from the front, and
// the buffer is compacted once the evicted part is the larger half, so each event is copied
// O(1) times amortised. Lookups of a window are binary searches.
//
// A key's slot holds one event per stream itself (StreamEvents); an EventList, on the heap,
// holds a stream's events once there are more. Its own room for one entry and kInlineBytes of
// values spares the small lists a second allocation.
//
// Written by hand rather than on two small vectors (absl::InlinedVector): the join inserts,
// searches and evicts millions of times a second, and those vectors' general paths (a resize
// that value-initialises byte by byte, size and allocation flags packed in one word) cost
// several times the instructions of the few this needs (BM_JoinUniformKeys under callgrind).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "base/types.h"

namespace braid {

class EventList {
 public:
  struct Entry {
    Timestamp ts;
    /// Driving events only: bit i set once the LEFT window of enriching stream i is closed
    /// for this event (the watermark passed ts + W_i); its NULL rows, if any, were emitted.
    uint64_t closed = 0;
    uint32_t offset = 0;  // of the values in the buffer
    uint32_t length = 0;
  };

  EventList() = default;
  EventList(EventList&& other) noexcept { MoveFrom(other); }
  EventList& operator=(EventList&& other) noexcept;
  EventList(const EventList&) = delete;
  EventList& operator=(const EventList&) = delete;
  ~EventList() { FreeHeap(); }

  size_t size() const { return end_ - head_; }
  bool empty() const { return end_ == head_; }
  const Entry& operator[](size_t i) const { return entries()[head_ + i]; }
  Entry& operator[](size_t i) { return entries()[head_ + i]; }
  const Entry& front() const { return entries()[head_]; }
  std::string_view values(const Entry& e) const {
    return std::string_view(bytes() + e.offset, e.length);
  }

  /// Inserts after every event with the same or an earlier time; returns its index.
  size_t Insert(Timestamp ts, uint64_t closed, std::string_view values);
  /// The index of the first event with ts >= t (size() if none).
  size_t LowerBound(Timestamp t) const;
  /// The index range [first, last) of the events with lo <= ts <= hi.
  std::pair<size_t, size_t> Range(Timestamp lo, Timestamp hi) const;
  /// How many events lead with `bit` set in their closed bits, those being a prefix.
  size_t ClosedPrefix(uint64_t bit) const {
    const Entry* es = entries();
    return static_cast<size_t>(std::partition_point(es + head_, es + end_, [bit](const Entry& e) {
                                 return (e.closed & bit) != 0;
                               }) - es) - head_;
  }
  /// Whether the events with `bit` set in their closed bits are a prefix.
  bool ClosedIsPrefix(uint64_t bit) const {
    const Entry* es = entries();
    return std::is_partitioned(es + head_, es + end_,
                               [bit](const Entry& e) { return (e.closed & bit) != 0; });
  }
  /// Removes the first `n` events (n <= size()).
  void PopFront(size_t n) {
    head_ += static_cast<uint32_t>(n);
    if (head_ == end_) {
      Clear();
    } else if (head_ >= 16 && head_ * 2 >= end_) {
      Compact();
    }
  }
  void Clear() { head_ = end_ = bytes_used_ = 0; }
  /// Clear(), and gives the memory back unless it is small: a slot reused for another key
  /// keeps small heap buffers, a hot key's big ones are freed.
  void Release();

 private:
  static constexpr uint32_t kInlineBytes = 28;
  static_assert(kInlineBytes >= sizeof(char*));

  // The entries are on the heap once there is room for more than one; the values once there
  // is room for more than kInlineBytes (a heap buffer is always larger).
  bool entries_on_heap() const { return entry_capacity_ > 1; }
  bool bytes_on_heap() const { return bytes_capacity_ > kInlineBytes; }
  Entry* entries() { return entries_on_heap() ? entries_.heap : &entries_.inline_entry; }
  const Entry* entries() const { return entries_on_heap() ? entries_.heap : &entries_.inline_entry; }
  char* bytes() { return bytes_on_heap() ? heap_bytes() : bytes_; }
  const char* bytes() const { return bytes_on_heap() ? heap_bytes() : bytes_; }
  // The heap buffer's address, kept in the first bytes of bytes_ (copied, as bytes_ is not
  // aligned for a pointer: aligning it would cost the list 8 bytes).
  char* heap_bytes() const {
    char* p;
    std::memcpy(&p, bytes_, sizeof p);
    return p;
  }
  void set_heap_bytes(char* p) { std::memcpy(bytes_, &p, sizeof p); }
  // Room for one more entry, and for `n` more value bytes.
  void GrowEntries();
  void GrowBytes(size_t n);
  void Compact();
  void FreeHeap();
  void MoveFrom(EventList& other);

  union Entries {
    Entry inline_entry;  // entry_capacity_ == 1
    Entry* heap;         // entry_capacity_ > 1
  } entries_{.inline_entry = {}};
  // The values (bytes_capacity_ == kInlineBytes), or the heap buffer's address (larger).
  char bytes_[kInlineBytes] = {};
  uint32_t head_ = 0;  // entries [head_, end_) are held, [0, head_) evicted
  uint32_t end_ = 0;
  uint32_t entry_capacity_ = 1;
  uint32_t bytes_used_ = 0;
  uint32_t bytes_capacity_ = kInlineBytes;
};

}  // namespace braid
