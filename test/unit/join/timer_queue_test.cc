// TimerQueue: hands out exactly the timers due before each limit, in deadline order, whatever
// the pushes — near the limit, far beyond the ring, behind where it started, negative times,
// an unbounded final limit — checked against an ordered multiset.

#include "join/timer_queue.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <utility>

namespace braid {
namespace {

using Timer = TimerQueue::Timer;

// (deadline, slot): the slot tells apart timers of one deadline.
using Model = std::multiset<std::pair<int64_t, uint32_t>>;

// Pops everything before `limit` from both and checks they agree: same deadlines in order,
// and the same set of timers per deadline.
void DrainBoth(TimerQueue* q, Model* m, Timestamp limit) {
  Timer t;
  int64_t last = std::numeric_limits<int64_t>::min();
  Model popped;
  while (q->PopBefore(limit, &t)) {
    ASSERT_LT(t.deadline, limit);
    ASSERT_GE(t.deadline.micros(), last) << "out of deadline order";
    last = t.deadline.micros();
    popped.insert({t.deadline.micros(), t.slot});
  }
  Model due(m->begin(), m->lower_bound({limit.micros(), 0}));
  if (limit == Timestamp::Max()) due = *m;
  ASSERT_EQ(popped, due);
  for (const auto& e : due) m->erase(m->find(e));
  ASSERT_EQ(q->size(), m->size());
}

TEST(TimerQueue, HandsOutExactlyTheDueTimersInDeadlineOrder) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 30; ++round) {
    const Duration horizon = Duration::Seconds(1 + static_cast<int64_t>(rng() % 600));
    TimerQueue q(horizon);
    Model m;
    // Rounds differ in where time starts (negative in some) and in how far timers reach.
    int64_t now = round % 3 == 0 ? -50'000'000'000 : 1'700'000'000'000'000;
    const int64_t reach = round % 2 ? horizon.micros() * 3 : horizon.micros() / 2;
    uint32_t slot = 0;
    for (int step = 0; step < 400; ++step) {
      const int pushes = static_cast<int>(rng() % 40);
      for (int k = 0; k < pushes; ++k) {
        int64_t d = now + static_cast<int64_t>(rng() % static_cast<uint64_t>(reach + 1));
        if (rng() % 50 == 0) d = now + 4000LL * 1000 * 1000 * 3600;  // hours past the ring
        q.Push(Timer{Timestamp(d), slot, 0});
        m.insert({d, slot++});
      }
      now += static_cast<int64_t>(rng() % static_cast<uint64_t>(horizon.micros() / 20 + 1));
      DrainBoth(&q, &m, Timestamp(now));
      if (HasFatalFailure()) return;
    }
    DrainBoth(&q, &m, Timestamp::Max());
    if (HasFatalFailure()) return;
    EXPECT_TRUE(q.empty());
  }
}

TEST(TimerQueue, ATimerBehindTheRingsStartComesOutFirst) {
  TimerQueue q(Duration::Seconds(60));
  q.Push(Timer{Timestamp(10'000'000), 1, 0});  // the ring starts here
  q.Push(Timer{Timestamp(5'000'000), 2, 0});   // before it
  q.Push(Timer{Timestamp(10'000'000'000), 3, 0});  // far past the ring
  Timer t;
  ASSERT_FALSE(q.PopBefore(Timestamp(5'000'000), &t));  // due means strictly before the limit
  ASSERT_TRUE(q.PopBefore(Timestamp(5'000'001), &t));
  EXPECT_EQ(t.slot, 2u);
  ASSERT_FALSE(q.PopBefore(Timestamp(10'000'000), &t));
  ASSERT_TRUE(q.PopBefore(Timestamp(20'000'000), &t));
  EXPECT_EQ(t.slot, 1u);
  ASSERT_FALSE(q.PopBefore(Timestamp(9'000'000'000), &t));
  EXPECT_EQ(q.size(), 1u);
  // A timer pushed now, between the last handed out and the far one, still comes first.
  q.Push(Timer{Timestamp(30'000'000), 4, 0});
  ASSERT_TRUE(q.PopBefore(Timestamp::Max(), &t));
  EXPECT_EQ(t.slot, 4u);
  ASSERT_TRUE(q.PopBefore(Timestamp::Max(), &t));
  EXPECT_EQ(t.slot, 3u);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.PopBefore(Timestamp::Max(), &t));
}


// The ring starts where the first timer falls. When the first key to arrive is from a partition
// ahead in event time, every timer of the partitions behind it lands in a bucket already taken:
// 100,000 of them here, pushed while the limit stands still, then handed out in order.
TEST(TimerQueue, ManyTimersBehindTheFirstComeOutInOrder) {
  TimerQueue q(Duration::Seconds(600));
  Model m;
  const int64_t t0 = 1'700'000'000'000'000;
  q.Push(Timer{Timestamp(t0 + 3'600'000'000), 0, 0});
  m.insert({t0 + 3'600'000'000, 0});
  std::mt19937_64 rng(9);
  for (uint32_t slot = 1; slot <= 100'000; ++slot) {
    // Partitions at different places in event time: deadlines all over the half hour.
    const int64_t d = t0 + static_cast<int64_t>(rng() % 1'800'000'000);
    q.Push(Timer{Timestamp(d), slot, 0});
    m.insert({d, slot});
    if (slot % 10'000 == 0) {
      DrainBoth(&q, &m, Timestamp(t0));  // nothing is due yet: the limit stands still
      if (HasFatalFailure()) return;
    }
  }
  DrainBoth(&q, &m, Timestamp(t0 + 900'000'000));
  if (HasFatalFailure()) return;
  DrainBoth(&q, &m, Timestamp::Max());
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace braid
