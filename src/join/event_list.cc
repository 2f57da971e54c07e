#include "join/event_list.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>

namespace braid {
namespace {

template <typename T>
T* Allocate(size_t n) {
  void* p = std::malloc(n * sizeof(T));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<T*>(p);
}

}  // namespace

EventList& EventList::operator=(EventList&& other) noexcept {
  if (this != &other) {
    FreeHeap();
    MoveFrom(other);
  }
  return *this;
}

void EventList::MoveFrom(EventList& other) {
  // The unions are copied whole: inline bytes or heap pointers, as the capacities say.
  entries_ = other.entries_;
  std::memcpy(bytes_, other.bytes_, kInlineBytes);
  head_ = std::exchange(other.head_, 0);
  end_ = std::exchange(other.end_, 0);
  entry_capacity_ = std::exchange(other.entry_capacity_, 1);
  bytes_used_ = std::exchange(other.bytes_used_, 0);
  bytes_capacity_ = std::exchange(other.bytes_capacity_, kInlineBytes);
}

void EventList::FreeHeap() {
  if (entries_on_heap()) std::free(entries_.heap);
  if (bytes_on_heap()) std::free(heap_bytes());
  entry_capacity_ = 1;
  bytes_capacity_ = kInlineBytes;
}

size_t EventList::Insert(Timestamp ts, uint64_t closed, std::string_view values) {
  const uint32_t length = static_cast<uint32_t>(values.size());
  if (length > bytes_capacity_ - bytes_used_) GrowBytes(length);
  if (length != 0) std::memcpy(bytes() + bytes_used_, values.data(), length);
  const Entry e{ts, closed, bytes_used_, length};
  bytes_used_ += length;
  if (end_ == entry_capacity_) GrowEntries();
  Entry* es = entries();
  if (head_ == end_ || !(ts < es[end_ - 1].ts)) {
    es[end_] = e;
    return end_++ - head_;
  }
  // Out of order (rare: the sources are roughly in event-time order).
  Entry* at = std::upper_bound(es + head_, es + end_, ts,
                               [](Timestamp t, const Entry& x) { return t < x.ts; });
  std::memmove(at + 1, at, static_cast<size_t>(es + end_ - at) * sizeof(Entry));
  *at = e;
  ++end_;
  return static_cast<size_t>(at - es) - head_;
}

size_t EventList::LowerBound(Timestamp t) const {
  const Entry* es = entries();
  const Entry* it = std::lower_bound(es + head_, es + end_, t,
                                     [](const Entry& x, Timestamp v) { return x.ts < v; });
  return static_cast<size_t>(it - es) - head_;
}

std::pair<size_t, size_t> EventList::Range(Timestamp lo, Timestamp hi) const {
  const Entry* es = entries();
  const Entry* first = es + head_ + LowerBound(lo);
  const Entry* last = std::upper_bound(first, es + end_, hi,
                                       [](Timestamp v, const Entry& x) { return v < x.ts; });
  return {static_cast<size_t>(first - es) - head_, static_cast<size_t>(last - es) - head_};
}

void EventList::GrowEntries() {
  // The evicted entries are dropped on the way: the new array holds the live ones only.
  const uint32_t live = end_ - head_;
  const uint32_t capacity = std::max<uint32_t>(4, live * 2);
  Entry* grown = Allocate<Entry>(capacity);
  std::memcpy(static_cast<void*>(grown), entries() + head_, live * sizeof(Entry));
  if (entries_on_heap()) std::free(entries_.heap);
  entries_.heap = grown;
  entry_capacity_ = capacity;
  head_ = 0;
  end_ = live;
}

void EventList::GrowBytes(size_t n) {
  const size_t capacity = std::max<size_t>(bytes_used_ + n, size_t{bytes_capacity_} * 2);
  if (capacity > UINT32_MAX) {
    throw std::length_error("a join key holds more than 4 GiB of event values in one stream's window");
  }
  char* grown = Allocate<char>(capacity);
  std::memcpy(grown, bytes(), bytes_used_);
  if (bytes_on_heap()) std::free(heap_bytes());
  set_heap_bytes(grown);
  bytes_capacity_ = static_cast<uint32_t>(capacity);
}

void EventList::Compact() {
  // Out-of-order inserts leave offsets out of entry order: the live values go to a fresh
  // buffer (inline if they fit), never within the one they are read from.
  Entry* es = entries();
  size_t total = 0;
  for (uint32_t i = head_; i < end_; ++i) total += es[i].length;
  char saved[kInlineBytes];
  char* const old_heap = bytes_on_heap() ? heap_bytes() : nullptr;
  const char* from = old_heap;
  if (from == nullptr) from = static_cast<const char*>(std::memcpy(saved, bytes_, bytes_used_));
  const bool fits = total <= kInlineBytes;
  char* to = fits ? bytes_ : Allocate<char>(total);
  uint32_t used = 0;
  const uint32_t live = end_ - head_;
  for (uint32_t i = 0; i < live; ++i) {
    Entry e = es[head_ + i];
    if (e.length != 0) std::memcpy(to + used, from + e.offset, e.length);
    e.offset = used;
    used += e.length;
    es[i] = e;
  }
  std::free(old_heap);
  if (!fits) set_heap_bytes(to);
  bytes_capacity_ = fits ? kInlineBytes : static_cast<uint32_t>(total);
  bytes_used_ = used;
  head_ = 0;
  end_ = live;
}

void EventList::Release() {
  constexpr size_t kKeepBytes = 4096;
  const bool big = size_t{entry_capacity_} * sizeof(Entry) + bytes_capacity_ > kKeepBytes;
  Clear();
  if (big) FreeHeap();
}

}  // namespace braid
