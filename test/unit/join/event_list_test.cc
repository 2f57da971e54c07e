// EventList: events of one key and stream in event-time order, evicted from the front.

#include "join/event_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace braid {
namespace {

Timestamp T(int64_t s) { return Timestamp(s * 1000000); }

TEST(EventList, InsertsInTimeOrderAndKeepsEachValue) {
  EventList list;
  EXPECT_EQ(list.Insert(T(10), 0, "a"), 0u);
  EXPECT_EQ(list.Insert(T(30), 0, "c"), 1u);
  EXPECT_EQ(list.Insert(T(20), 0, "b"), 1u);  // out of order: in between
  EXPECT_EQ(list.Insert(T(20), 0, "b2"), 2u);  // same time: after the earlier one
  ASSERT_EQ(list.size(), 4u);
  const std::string expected[] = {"a", "b", "b2", "c"};
  for (size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list.values(list[i]), expected[i]);
}

TEST(EventList, RangeIsInclusiveAtBothEnds) {
  EventList list;
  for (int s : {10, 20, 20, 30, 40}) list.Insert(T(s), 0, "v");
  EXPECT_EQ(list.Range(T(20), T(30)), (std::pair<size_t, size_t>{1, 4}));
  EXPECT_EQ(list.Range(T(21), T(29)), (std::pair<size_t, size_t>{3, 3}));  // empty
  EXPECT_EQ(list.LowerBound(T(41)), list.size());
}

TEST(EventList, ClosedPrefixCountsTheLeadingEventsWithTheBit) {
  EventList list;
  for (uint64_t closed : {3, 1, 1, 2, 0}) list.Insert(T(static_cast<int64_t>(list.size())), closed, "v");
  EXPECT_EQ(list.ClosedPrefix(1), 3u);
  EXPECT_TRUE(list.ClosedIsPrefix(1));
  EXPECT_FALSE(list.ClosedIsPrefix(2));  // set on the first and the fourth only
  list.PopFront(1);  // 1, 1, 2, 0
  EXPECT_EQ(list.ClosedPrefix(1), 2u);
  EXPECT_FALSE(list.ClosedIsPrefix(2));  // ClosedPrefix(2) means nothing here
  list.PopFront(2);  // 2, 0
  EXPECT_TRUE(list.ClosedIsPrefix(2));
  EXPECT_EQ(list.ClosedPrefix(2), 1u);
}

TEST(EventList, PopFrontCompactsWithoutLosingValues) {
  EventList list;
  for (int s = 0; s < 100; ++s) list.Insert(T(s), 0, std::string(1 + s % 7, 'a' + s % 26));
  list.PopFront(60);  // more than half: the buffer is compacted
  ASSERT_EQ(list.size(), 40u);
  for (size_t i = 0; i < list.size(); ++i) {
    const int s = 60 + static_cast<int>(i);
    EXPECT_EQ(list[i].ts, T(s));
    EXPECT_EQ(list.values(list[i]), std::string(1 + s % 7, 'a' + s % 26));
  }
  list.PopFront(40);
  EXPECT_TRUE(list.empty());
}

TEST(EventList, ReleasedListIsEmptyAndTakesNewEvents) {
  for (int n : {1, 3, 2000}) {  // inline only, just past it, and a hot key's big buffers
    EventList list;
    for (int s = 0; s < n; ++s) list.Insert(T(s), 0, std::string(40, static_cast<char>('a' + s % 26)));
    list.Release();
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.LowerBound(T(0)), 0u);
    EXPECT_EQ(list.Insert(T(7), 0, "x"), 0u);
    EXPECT_EQ(list.Insert(T(5), 0, "yy"), 0u);  // out of order, after a release
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list.values(list[0]), "yy");
    EXPECT_EQ(list.values(list[1]), "x");
  }
}

// Random inserts (in and out of order, values empty to long), evictions from the front,
// releases and moves, against a sorted vector: the list holds the same events in the same
// order with the same values, and its searches agree, through every change between inline
// and heap storage and every compaction.
TEST(EventList, AgreesWithASortedVectorThroughRandomChanges) {
  std::mt19937_64 rng(11);
  struct Event {
    int64_t ts;
    uint64_t closed;
    std::string values;
  };
  for (int round = 0; round < 200; ++round) {
    EventList list;
    std::vector<Event> model;
    int64_t now = 0;
    const int steps = 1 + static_cast<int>(rng() % 400);
    for (int step = 0; step < steps; ++step) {
      const uint64_t op = rng() % 100;
      if (op < 70) {
        const bool late = rng() % 5 == 0;
        const int64_t ts = late ? now - static_cast<int64_t>(rng() % 50) : (now += static_cast<int64_t>(rng() % 3));
        const size_t length = rng() % 4 == 0 ? rng() % 100 : rng() % 6;
        std::string v(length, static_cast<char>('a' + step % 26));
        const uint64_t closed = rng() % 8;
        const size_t at = list.Insert(Timestamp(ts), closed, v);
        auto it = std::upper_bound(model.begin(), model.end(), ts,
                                   [](int64_t t, const Event& e) { return t < e.ts; });
        ASSERT_EQ(at, static_cast<size_t>(it - model.begin()));
        model.insert(it, Event{ts, closed, v});
      } else if (op < 90) {
        const size_t n = model.empty() ? 0 : rng() % (model.size() + 1);
        list.PopFront(n);
        model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
      } else if (op < 93) {
        list.Release();
        model.clear();
      } else if (op < 96) {
        EventList moved(std::move(list));
        list = std::move(moved);
      } else {
        const int64_t lo = now - static_cast<int64_t>(rng() % 80), hi = lo + static_cast<int64_t>(rng() % 40);
        auto first = std::lower_bound(model.begin(), model.end(), lo,
                                      [](const Event& e, int64_t t) { return e.ts < t; });
        auto last = std::upper_bound(model.begin(), model.end(), hi,
                                     [](int64_t t, const Event& e) { return t < e.ts; });
        const auto [f, l] = list.Range(Timestamp(lo), Timestamp(hi));
        ASSERT_EQ(f, static_cast<size_t>(first - model.begin()));
        ASSERT_EQ(l, std::max(f, static_cast<size_t>(last - model.begin())));
        ASSERT_EQ(list.LowerBound(Timestamp(lo)), f);
      }
      ASSERT_EQ(list.size(), model.size());
      for (size_t i = 0; i < model.size(); ++i) {
        ASSERT_EQ(list[i].ts, Timestamp(model[i].ts)) << "round " << round << " step " << step;
        ASSERT_EQ(list[i].closed, model[i].closed);
        ASSERT_EQ(list.values(list[i]), model[i].values) << "round " << round << " step " << step;
      }
    }
  }
}

}  // namespace
}  // namespace braid
