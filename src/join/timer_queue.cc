#include "join/timer_queue.h"

#include <algorithm>

namespace braid {
namespace {

// A min-heap on deadline through the standard heap algorithms (which keep a max-heap).
bool Later(const TimerQueue::Timer& a, const TimerQueue::Timer& b) {
  return a.deadline > b.deadline;
}

bool Earlier(const TimerQueue::Timer& a, const TimerQueue::Timer& b) {
  return a.deadline < b.deadline;
}

}  // namespace

TimerQueue::TimerQueue(Duration horizon) : ring_(kBuckets) {
  constexpr int kMinShift = 10;  // buckets of at least about a millisecond
  shift_ = kMinShift;
  while (shift_ < 40 && (int64_t{kBuckets} << shift_) < horizon.micros()) ++shift_;
}

void TimerQueue::HeapPush(std::vector<Timer>* heap, const Timer& t) {
  heap->push_back(t);
  std::push_heap(heap->begin(), heap->end(), Later);
}

TimerQueue::Timer TimerQueue::HeapPop(std::vector<Timer>* heap) {
  std::pop_heap(heap->begin(), heap->end(), Later);
  const Timer t = heap->back();
  heap->pop_back();
  return t;
}

void TimerQueue::InsertNear(const Timer& t) { HeapPush(&late_, t); }

void TimerQueue::Push(const Timer& t) {
  const int64_t b = BucketOf(t.deadline);
  // An empty queue starts its ring where the timers are.
  if (empty()) next_bucket_ = b;
  if (b < next_bucket_) {
    InsertNear(t);
  } else if (b - next_bucket_ < static_cast<int64_t>(kBuckets)) {
    Bucket(b).push_back(t);
    ++ring_count_;
  } else {
    HeapPush(&overflow_, t);
  }
}

void TimerQueue::PullOverflow() {
  while (!overflow_.empty() &&
         BucketOf(overflow_.front().deadline) - next_bucket_ < static_cast<int64_t>(kBuckets)) {
    const Timer t = HeapPop(&overflow_);
    const int64_t b = BucketOf(t.deadline);
    if (b < next_bucket_) {
      InsertNear(t);
    } else {
      Bucket(b).push_back(t);
      ++ring_count_;
    }
  }
}

bool TimerQueue::PopBefore(Timestamp limit, Timer* out) {
  for (;;) {
    const bool sorted = near_head_ < near_.size();
    if (sorted || !late_.empty()) {
      // Both hold only taken buckets, before anything in the ring or the overflow.
      const bool late = !late_.empty() && (!sorted || Earlier(late_.front(), near_[near_head_]));
      if (!((late ? late_.front() : near_[near_head_]).deadline < limit)) return false;
      if (late) {
        *out = HeapPop(&late_);
        return true;
      }
      *out = near_[near_head_++];
      if (near_head_ == near_.size()) {
        near_.clear();
        near_head_ = 0;
      }
      return true;
    }
    // The taken buckets are empty: order the next bucket, if it may hold a deadline before
    // `limit`.
    if (ring_count_ == 0) {
      if (overflow_.empty() || !(overflow_.front().deadline < limit)) return false;
      next_bucket_ = std::max(next_bucket_, BucketOf(overflow_.front().deadline));
      PullOverflow();
    }
    const int64_t start = next_bucket_ * (int64_t{1} << shift_);
    if (!(Timestamp(start) < limit)) return false;
    std::vector<Timer>& bucket = Bucket(next_bucket_);
    // near_ was empty: the bucket's timers become it, sorted. The bucket starts again without
    // storage: the ring holds memory for the timers pending in it, not for each bucket's
    // busiest time.
    near_ = std::move(bucket);
    bucket = std::vector<Timer>();
    std::sort(near_.begin(), near_.end(), Earlier);
    ring_count_ -= near_.size();
    ++next_bucket_;
    PullOverflow();
  }
}

}  // namespace braid
