// StreamEvents: one event inline, more (or long values) in an EventList on the heap.

#include "join/stream_events.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace braid {
namespace {

Timestamp T(int64_t s) { return Timestamp(s * 1000000); }

TEST(StreamEvents, OneShortEventStaysInline) {
  StreamEvents e;
  EXPECT_TRUE(e.empty());
  EXPECT_EQ(e.Insert(T(10), 0, "abc", 0), 0u);
  EXPECT_FALSE(e.on_heap());
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e.ts(0), T(10));
  EXPECT_EQ(e.values(0), "abc");
  EXPECT_EQ(e.Range(T(10), T(10)), (std::pair<size_t, size_t>{0, 1}));  // inclusive
  EXPECT_EQ(e.Range(T(11), T(20)), (std::pair<size_t, size_t>{0, 0}));
  EXPECT_EQ(e.LowerBound(T(10)), 0u);
  EXPECT_EQ(e.LowerBound(T(11)), 1u);
  e.PopFront(1);
  EXPECT_TRUE(e.empty());
  EXPECT_EQ(e.Range(T(0), T(100)), (std::pair<size_t, size_t>{0, 0}));
}

TEST(StreamEvents, ASecondEventMovesBothToTheHeapInTimeOrderWithTheFirstsClosedBits) {
  StreamEvents e;
  e.Insert(T(20), 0, "second", 0);
  // Earlier than the inline one: it goes first; the inline event's closed bits (given by the
  // caller, who keeps them while it is inline) go with it.
  EXPECT_EQ(e.Insert(T(10), 4, "first", /*inline_closed=*/6), 0u);
  ASSERT_TRUE(e.on_heap());
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e.values(0), "first");
  EXPECT_EQ(e.values(1), "second");
  EXPECT_EQ(e.list()[0].closed, 4u);
  EXPECT_EQ(e.list()[1].closed, 6u);
  EXPECT_EQ(e.Range(T(10), T(20)), (std::pair<size_t, size_t>{0, 2}));
  e.PopFront(2);
  EXPECT_TRUE(e.empty());
  EXPECT_TRUE(e.on_heap());  // until released
  e.Release();
  EXPECT_FALSE(e.on_heap());
  e.Insert(T(30), 0, "again", 0);
  EXPECT_FALSE(e.on_heap());
  EXPECT_EQ(e.values(0), "again");
}

TEST(StreamEvents, ValuesLongerThanTheInlineRoomGoToTheHeapAtOnce) {
  const std::string fits(StreamEvents::kInlineBytes, 'a');
  const std::string longer(StreamEvents::kInlineBytes + 1, 'b');
  StreamEvents e, f;
  e.Insert(T(1), 0, fits, 0);
  EXPECT_FALSE(e.on_heap());
  EXPECT_EQ(e.values(0), fits);
  f.Insert(T(1), 0, longer, 0);
  EXPECT_TRUE(f.on_heap());
  EXPECT_EQ(f.values(0), longer);
  // An empty value is a value too.
  StreamEvents g;
  g.Insert(T(1), 0, "", 0);
  EXPECT_EQ(g.size(), 1u);
  EXPECT_EQ(g.values(0), "");
}

}  // namespace
}  // namespace braid
