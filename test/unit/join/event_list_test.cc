// EventList: events of one key and stream in event-time order, evicted from the front.

#include "join/event_list.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace braid
