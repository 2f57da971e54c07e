#pragma once
// StreamEvents: one stream's events of one join key, as the key's slot holds them. Most keys
// hold one event per stream (each of the seed's keys does): that event and up to kInlineBytes
// of its values live in the 40 bytes of the StreamEvents itself, so that a key's slot holds
// its key and three streams in three cache lines. A second event, or values too long for that
// room, move the stream's events to an EventList on the heap; they stay there until the key
// is released.
//
// Indices are positions in event-time order, as EventList's. The closed bits of driving events
// (EventList::Entry::closed) are the list's once the events are on the heap; an inline event's
// are the caller's to keep (JoinOperator keeps them in the slot), and Insert takes them along
// when the events move to the heap.

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "base/types.h"
#include "join/event_list.h"

namespace braid {

class StreamEvents {
 public:
  static constexpr size_t kInlineBytes = 30;

  StreamEvents() = default;
  StreamEvents(const StreamEvents&) = delete;
  StreamEvents& operator=(const StreamEvents&) = delete;
  ~StreamEvents() { Release(); }

  size_t size() const { return mode_ == kHeap ? list().size() : mode_; }
  bool empty() const { return mode_ == kEmpty || (mode_ == kHeap && list().empty()); }
  /// Whether the events are in an EventList on the heap (list()); otherwise there are at most
  /// one, inline.
  bool on_heap() const { return mode_ == kHeap; }
  EventList& list() { return *heap(); }
  const EventList& list() const { return *heap(); }

  Timestamp ts(size_t i) const { return mode_ == kHeap ? list()[i].ts : ts_; }
  std::string_view values(size_t i) const {
    if (mode_ != kHeap) return {bytes_, length_};
    const EventList& l = list();
    return l.values(l[i]);
  }

  /// Inserts an event after every one with the same or an earlier time; returns its index.
  /// `closed` is its closed bits; `inline_closed` those of the inline event, if there is one,
  /// for when the events move to the heap.
  size_t Insert(Timestamp ts, uint64_t closed, std::string_view values, uint64_t inline_closed) {
    if (mode_ == kEmpty && values.size() <= kInlineBytes) {
      ts_ = ts;
      length_ = static_cast<uint8_t>(values.size());
      if (!values.empty()) std::memcpy(bytes_, values.data(), values.size());
      mode_ = kInline;
      return 0;
    }
    if (mode_ != kHeap) MoveToHeap(inline_closed);
    return list().Insert(ts, closed, values);
  }
  /// The index of the first event with ts >= t (size() if none).
  size_t LowerBound(Timestamp t) const {
    if (mode_ == kHeap) return list().LowerBound(t);
    return mode_ == kInline && ts_ < t ? 1 : 0;
  }
  /// The index range [first, last) of the events with lo <= ts <= hi.
  std::pair<size_t, size_t> Range(Timestamp lo, Timestamp hi) const {
    if (mode_ == kHeap) return list().Range(lo, hi);
    if (mode_ == kInline && ts_ >= lo && ts_ <= hi) return {0, 1};
    return {0, 0};
  }
  /// Removes the first `n` events (n <= size()).
  void PopFront(size_t n) {
    if (mode_ == kHeap) {
      list().PopFront(n);
    } else if (n != 0) {
      mode_ = kEmpty;
    }
  }
  /// Removes every event, and frees the heap list.
  void Release();

 private:
  enum Mode : uint8_t { kEmpty = 0, kInline = 1, kHeap = 2 };
  // The heap list's address, kept in the first bytes of bytes_ (copied: bytes_ is not aligned
  // for a pointer).
  EventList* heap() const {
    EventList* p;
    std::memcpy(&p, bytes_, sizeof p);
    return p;
  }
  void MoveToHeap(uint64_t inline_closed);

  Timestamp ts_;  // the inline event's
  uint8_t mode_ = kEmpty;
  uint8_t length_ = 0;  // of the inline event's values
  char bytes_[kInlineBytes] = {};
};
static_assert(sizeof(StreamEvents) == 40, "three streams and a key fill three cache lines");

}  // namespace braid
