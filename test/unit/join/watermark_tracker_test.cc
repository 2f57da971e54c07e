#include "join/watermark_tracker.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

constexpr Timestamp kMin = Timestamp::Min();
Timestamp T(int64_t seconds) { return Timestamp(seconds * 1000000); }
TopicPartition TP(const char* topic, int64_t p) { return TopicPartition{topic, PartitionId(p)}; }

WatermarkTracker::Options Opts(int64_t delay_s = 30, int64_t idle_s = 10) {
  return {Duration::Seconds(delay_s), Duration::Seconds(idle_s), std::nullopt};
}

TEST(WatermarkTracker, PartitionWatermarkIsMaxMinusDelay) {
  WatermarkTracker t(Opts());
  auto a = t.Register(TP("a", 0));
  EXPECT_EQ(t.watermark(), kMin);
  EXPECT_TRUE(t.Observe(a, T(100)));
  EXPECT_EQ(t.watermark(), T(70));
  EXPECT_FALSE(t.Observe(a, T(90)));  // out of order: max unchanged
  EXPECT_EQ(t.watermark(), T(70));
  EXPECT_TRUE(t.Observe(a, T(101)));
  EXPECT_EQ(t.watermark(), T(71));
}

TEST(WatermarkTracker, MinOverPartitionsAndTopics) {
  WatermarkTracker t(Opts(0));
  auto a0 = t.Register(TP("a", 0));
  auto a1 = t.Register(TP("a", 1));
  auto b0 = t.Register(TP("b", 0));
  t.Observe(a0, T(100));
  t.Observe(b0, T(50));
  EXPECT_EQ(t.watermark(), kMin) << "a/1 has delivered nothing and holds at -inf";
  EXPECT_EQ(t.TopicWatermark("b"), T(50));
  EXPECT_EQ(t.TopicWatermark("a"), kMin);
  t.Observe(a1, T(80));
  EXPECT_EQ(t.TopicWatermark("a"), T(80));
  EXPECT_EQ(t.watermark(), T(50));  // min over topics
  t.Observe(b0, T(200));
  EXPECT_EQ(t.watermark(), T(80));
  t.Observe(a1, T(300));
  EXPECT_EQ(t.watermark(), T(100));
}

TEST(WatermarkTracker, NeverGoesBackwards) {
  WatermarkTracker t(Opts(0));
  auto a = t.Register(TP("a", 0));
  t.Observe(a, T(100));
  EXPECT_EQ(t.watermark(), T(100));
  auto b = t.Register(TP("b", 0));  // a newly assigned partition lowers the candidate only
  EXPECT_EQ(t.watermark(), T(100));
  EXPECT_FALSE(t.Observe(b, T(10)));
  EXPECT_EQ(t.watermark(), T(100));
  EXPECT_FALSE(t.Observe(a, T(500)));  // b now holds it
  EXPECT_EQ(t.watermark(), T(100));
  EXPECT_TRUE(t.Observe(b, T(400)));
  EXPECT_EQ(t.watermark(), T(400));
}

TEST(WatermarkTracker, IdlePartitionStopsHoldingUntilDataArrives) {
  WatermarkTracker t(Opts(0, 10));
  auto a = t.Register(TP("a", 0));
  auto b = t.Register(TP("b", 0));
  t.CheckIdle(T(1000));  // stamps both
  t.Observe(a, T(100));
  t.NoteRecord(a);
  EXPECT_EQ(t.watermark(), kMin);
  t.MarkCaughtUp(b);
  EXPECT_FALSE(t.CheckIdle(T(1009)));  // 9 s quiet: not yet
  EXPECT_TRUE(t.CheckIdle(T(1010)));   // 10 s: idle
  EXPECT_TRUE(t.IsIdle(b));
  EXPECT_EQ(t.watermark(), T(100));
  t.NoteRecord(a);
  t.Observe(a, T(150));
  EXPECT_EQ(t.watermark(), T(150));
  // b delivers again: active, holds at its own (low) watermark; wm stays where it is.
  t.NoteRecord(b);
  EXPECT_FALSE(t.IsIdle(b));
  EXPECT_FALSE(t.Observe(b, T(120)));
  t.Observe(a, T(300));
  EXPECT_EQ(t.watermark(), T(150));
  EXPECT_TRUE(t.Observe(b, T(200)));
  EXPECT_EQ(t.watermark(), T(200));
}

TEST(WatermarkTracker, OnlyCaughtUpPartitionsTurnIdle) {
  WatermarkTracker t(Opts(0, 10));
  auto a = t.Register(TP("a", 0));
  auto b = t.Register(TP("b", 0));
  t.CheckIdle(T(0));
  t.Observe(a, T(100));
  EXPECT_FALSE(t.CheckIdle(T(60)));  // b is quiet but has a backlog (not caught up)
  EXPECT_EQ(t.watermark(), kMin);
  t.MarkCaughtUp(b);
  EXPECT_TRUE(t.CheckIdle(T(60)));
  EXPECT_EQ(t.watermark(), T(100));
}

TEST(WatermarkTracker, RecordsClearCaughtUpAndRestartTheQuietPeriod) {
  WatermarkTracker t(Opts(0, 10));
  auto a = t.Register(TP("a", 0));
  auto b = t.Register(TP("b", 0));
  t.CheckIdle(T(0));
  t.Observe(a, T(100));
  t.MarkCaughtUp(b);
  t.NoteRecord(b);  // data after EOF: not caught up any more
  t.Observe(b, T(50));
  EXPECT_FALSE(t.CheckIdle(T(30)));
  t.MarkCaughtUp(b);
  EXPECT_FALSE(t.CheckIdle(T(35)));  // last activity was stamped at 30
  EXPECT_TRUE(t.CheckIdle(T(40)));
  EXPECT_EQ(t.watermark(), T(100));
}

TEST(WatermarkTracker, AllIdleHoldsTheWatermark) {
  // With every partition idle nothing says how far event time has come: jumping to the most
  // advanced partition would make the others' next on-time records late.
  WatermarkTracker t(Opts(5, 10));
  auto a = t.Register(TP("a", 0));
  auto b = t.Register(TP("b", 0));
  t.CheckIdle(T(0));
  t.Observe(a, T(100));
  t.Observe(b, T(200));
  EXPECT_EQ(t.watermark(), T(95));
  t.MarkCaughtUp(a);
  t.MarkCaughtUp(b);
  EXPECT_FALSE(t.CheckIdle(T(10)));
  EXPECT_TRUE(t.IsIdle(a) && t.IsIdle(b));
  EXPECT_EQ(t.watermark(), T(95));
  // a record at a's pace is still on time; a's progress moves the watermark again.
  EXPECT_TRUE(t.Observe(a, T(150)));
  EXPECT_EQ(t.watermark(), T(145));
}

TEST(WatermarkTracker, UnreachablePartitionIsNeverIdle) {
  WatermarkTracker t(Opts(5, 10));
  auto a = t.Register(TP("a", 0));
  auto b = t.Register(TP("b", 0));
  t.CheckIdle(T(0));
  t.Observe(a, T(100));
  t.Observe(b, T(200));
  t.MarkCaughtUp(a);
  // a's broker stops answering before a turned idle: it keeps holding the watermark however
  // long the outage lasts, while b goes on.
  t.MarkNotCaughtUp(a);
  EXPECT_FALSE(t.CheckIdle(T(60)));
  t.Observe(b, T(300));
  EXPECT_EQ(t.watermark(), T(95));
  // Back and confirmed at its end: it turns idle only after a whole idle_timeout from then.
  t.MarkCaughtUp(a);
  EXPECT_FALSE(t.CheckIdle(T(65)));
  EXPECT_FALSE(t.IsIdle(a));
  EXPECT_TRUE(t.CheckIdle(T(71)));
  EXPECT_EQ(t.watermark(), T(295));
}

TEST(WatermarkTracker, IdlePartitionLosingItsBrokerHoldsAgain) {
  WatermarkTracker t(Opts(5, 10));
  auto a = t.Register(TP("a", 0));
  auto b = t.Register(TP("b", 0));
  t.CheckIdle(T(0));
  t.Observe(a, T(100));
  t.Observe(b, T(200));
  t.MarkCaughtUp(a);
  EXPECT_TRUE(t.CheckIdle(T(10)));
  EXPECT_EQ(t.watermark(), T(195));
  t.MarkNotCaughtUp(a);
  EXPECT_FALSE(t.IsIdle(a));
  t.Observe(b, T(400));
  EXPECT_EQ(t.watermark(), T(195));  // never backwards, and no longer driven by b alone
}

TEST(WatermarkTracker, FinishIsPlusInfinityForGood) {
  WatermarkTracker t(Opts());
  auto a = t.Register(TP("a", 0));
  t.Finish();
  EXPECT_EQ(t.watermark(), Timestamp::Max());
  EXPECT_FALSE(t.Observe(a, T(100)));
  EXPECT_EQ(t.watermark(), Timestamp::Max());
}

TEST(WatermarkTracker, UnregisteredPartitionStopsHolding) {
  WatermarkTracker t(Opts(0));
  auto a = t.Register(TP("a", 0));
  t.Register(TP("a", 1));
  t.Observe(a, T(100));
  EXPECT_EQ(t.watermark(), kMin);
  t.Unregister(TP("a", 1));
  EXPECT_EQ(t.watermark(), T(100));
  EXPECT_EQ(t.Find("a", PartitionId(1)), std::nullopt);
  EXPECT_EQ(t.Find("a", PartitionId(0)), a);
}

TEST(WatermarkTracker, AlignmentReportsPartitionsRunningAhead) {
  WatermarkTracker t({Duration::Seconds(0), Duration::Seconds(10), Duration::Seconds(60)});
  auto a = t.Register(TP("a", 0));
  auto b = t.Register(TP("b", 0));
  auto c = t.Register(TP("c", 0));
  t.Observe(a, T(1000));
  // While the watermark is -inf every partition with data is ahead; c, empty, is not.
  ASSERT_EQ(t.PartitionsAhead().size(), 1u);
  EXPECT_EQ(t.PartitionsAhead()[0], TP("a", 0));
  t.Observe(b, T(100));
  t.Observe(c, T(150));
  EXPECT_EQ(t.watermark(), T(100));
  auto ahead = t.PartitionsAhead();
  ASSERT_EQ(ahead.size(), 1u);  // a: 900 s ahead; c: 50 s (within the bound); b holds the min
  EXPECT_EQ(ahead[0], TP("a", 0));
  t.Observe(b, T(940));
  EXPECT_EQ(t.watermark(), T(150));
  ASSERT_EQ(t.PartitionsAhead().size(), 2u);  // a and b, 790 s ahead of c
  t.Observe(c, T(940));
  EXPECT_TRUE(t.PartitionsAhead().empty());  // a is 60 s ahead: not more than the bound
}

TEST(WatermarkTracker, SaveLoadRoundTripAndCorruption) {
  WatermarkTracker t(Opts(0, 10));
  auto a = t.Register(TP("a", 0));
  auto b = t.Register(TP("b", 7));
  t.CheckIdle(T(0));
  t.Observe(a, T(100));
  t.Observe(b, T(50));
  t.MarkCaughtUp(b);
  t.CheckIdle(T(20));
  ASSERT_EQ(t.watermark(), T(100));
  std::string bytes;
  ByteWriter w(&bytes);
  t.Save(&w);

  WatermarkTracker u(Opts(0, 10));
  ByteReader r(bytes);
  ASSERT_TRUE(u.Load(&r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(u.watermark(), T(100));
  auto ub = u.Find("b", PartitionId(7));
  ASSERT_TRUE(ub);
  EXPECT_TRUE(u.IsIdle(*ub));
  auto ua = u.Find("a", PartitionId(0));
  EXPECT_TRUE(u.Observe(*ua, T(130)));  // b still idle: a alone moves it
  EXPECT_EQ(u.watermark(), T(130));

  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    WatermarkTracker v(Opts());
    ByteReader rr(std::string_view(bytes).substr(0, cut));
    Status s = v.Load(&rr);
    EXPECT_EQ(s.kind(), StatusKind::kCorruption) << cut;
    EXPECT_EQ(v.watermark(), kMin) << "a failed load changes nothing";
  }
}

TEST(WatermarkTracker, ATopicMayHaveItsOwnDelayAndIdleTimeout) {
  WatermarkTracker::Options o = Opts(30, 10);
  o.per_topic.push_back({"slow", Duration::Seconds(300), Duration::Seconds(60)});
  WatermarkTracker t(o);
  auto a = t.Register(TP("a", 0));
  auto slow = t.Register(TP("slow", 0));
  t.Observe(a, T(1000));
  t.Observe(slow, T(1000));
  EXPECT_EQ(t.PartitionWatermarkOf(a), T(970));
  EXPECT_EQ(t.PartitionWatermarkOf(slow), T(700));
  EXPECT_EQ(t.watermark(), T(700)) << "the min over partitions, each with its own delay";
  // Idleness: a turns idle after 10 s, slow only after 60 s.
  t.MarkCaughtUp(a);
  t.MarkCaughtUp(slow);
  t.CheckIdle(T(0));
  t.CheckIdle(T(10));
  EXPECT_TRUE(t.IsIdle(a));
  EXPECT_FALSE(t.IsIdle(slow));
  t.CheckIdle(T(59));
  EXPECT_FALSE(t.IsIdle(slow));
  t.CheckIdle(T(60));
  EXPECT_TRUE(t.IsIdle(slow));
}

TEST(WatermarkTracker, AlignmentComparesEventTimeAtTheWidestDelay) {
  WatermarkTracker::Options o = Opts(30, 10);
  o.alignment_bound = Duration::Seconds(120);
  o.per_topic.push_back({"slow", Duration::Seconds(600), Duration::Seconds(10)});
  WatermarkTracker t(o);
  auto a = t.Register(TP("a", 0));
  auto slow = t.Register(TP("slow", 0));
  t.Observe(a, T(1000));
  t.Observe(slow, T(1000));
  EXPECT_EQ(t.watermark(), T(400));
  EXPECT_TRUE(t.PartitionsAhead().empty()) << "both at event time 1000: aligned";
  t.Observe(a, T(1121));
  ASSERT_EQ(t.PartitionsAhead().size(), 1u);
  EXPECT_EQ(t.PartitionsAhead()[0], TP("a", 0));
  t.Observe(slow, T(1100));
  EXPECT_TRUE(t.PartitionsAhead().empty());
}

TEST(WatermarkTracker, WithoutPerTopicSettingsEveryPartitionUsesThePipelines) {
  WatermarkTracker::Options o = Opts(30, 10);
  o.per_topic.push_back({"other", Duration::Seconds(1), Duration::Seconds(1)});
  WatermarkTracker t(o);
  auto a = t.Register(TP("a", 0));
  t.Observe(a, T(100));
  EXPECT_EQ(t.watermark(), T(70));
}

}  // namespace
}  // namespace braid
