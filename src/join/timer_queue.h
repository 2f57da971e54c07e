#pragma once
// TimerQueue: the join's timers (a key's next deadline), handed out in deadline order as the
// watermark passes them.
//
// Deadlines arrive roughly in time order and are taken a little behind the newest ones, so
// the queue is a calendar: deadlines past the watermark's bucket wait unsorted in fixed-width
// time buckets (a ring covering `horizon`; appending is a sequential write), and only the
// bucket the watermark has reached is ordered: sorted once, then read from the front (a heap
// there cost several times the instructions per timer, and one over every timer missed the
// cache at nearly every level of each removal). A deadline pushed into a bucket already taken
// goes to a small heap of its own: inserting it into the sorted bucket moved the bucket's tail
// each time, quadratic when the watermark stands still while such deadlines arrive.
// Deadlines beyond the ring wait in an overflow heap until the ring reaches them; the order
// handed out is exact either way.

#include <cstdint>
#include <vector>

#include "base/types.h"

namespace braid {

class TimerQueue {
 public:
  struct Timer {
    Timestamp deadline;
    uint32_t slot = 0;
    uint32_t generation = 0;
  };

  /// Deadlines up to about `horizon` past the earliest one pending go to the ring, later ones
  /// to the overflow heap (correct, only slower).
  explicit TimerQueue(Duration horizon);

  void Push(const Timer& t);
  /// Removes the timer with the earliest deadline into `*out` if that deadline is before
  /// `limit`; false (and nothing removed) otherwise.
  bool PopBefore(Timestamp limit, Timer* out);
  /// The timer PopBefore would hand out next, when it is already ordered (else nullptr): a
  /// hint for prefetching.
  const Timer* PeekOrdered() const {
    const Timer* sorted = PeekAhead(0);
    if (late_.empty()) return sorted;
    return sorted != nullptr && sorted->deadline <= late_.front().deadline ? sorted : &late_.front();
  }

  /// A timer that PopBefore hands out later, `ahead` pops from now, as far as the sorted part
  /// tells (else nullptr): a hint for prefetching further ahead, which may name a timer that
  /// comes out later than that or a stale one.
  const Timer* PeekAhead(size_t ahead) const {
    return near_head_ + ahead < near_.size() ? &near_[near_head_ + ahead] : nullptr;
  }

  size_t size() const {
    return near_.size() - near_head_ + late_.size() + ring_count_ + overflow_.size();
  }
  bool empty() const { return size() == 0; }

 private:
  static constexpr size_t kBuckets = 4096;  // a power of two
  int64_t BucketOf(Timestamp t) const { return t.micros() >> shift_; }
  std::vector<Timer>& Bucket(int64_t b) {
    return ring_[static_cast<size_t>(b) & (kBuckets - 1)];
  }
  // Adds a timer of a bucket already taken (to late_).
  void InsertNear(const Timer& t);
  // Moves overflow timers that the ring now covers into it.
  void PullOverflow();
  static void HeapPush(std::vector<Timer>* heap, const Timer& t);
  static Timer HeapPop(std::vector<Timer>* heap);

  int shift_ = 0;  // a bucket spans 2^shift_ microseconds
  // Deadlines in buckets before next_bucket_ are in near_; the ring holds buckets
  // [next_bucket_, next_bucket_ + kBuckets), the overflow the rest.
  int64_t next_bucket_ = 0;
  // Deadlines in taken buckets: near_ (sorted on deadline; [0, near_head_) handed out) and
  // late_ (a min-heap), the earlier head first.
  std::vector<Timer> near_;
  size_t near_head_ = 0;
  std::vector<Timer> late_;
  std::vector<std::vector<Timer>> ring_;
  size_t ring_count_ = 0;
  std::vector<Timer> overflow_;  // a min-heap on deadline
};

}  // namespace braid
