// State is bounded by the windows, not by the input: over three days of event time the join holds
// only about rate × (windows + delay) events, and watermark alignment keeps it so when a
// backlog is replayed with partitions delivering at very different speeds.

#include <gtest/gtest.h>

#include <random>

#include <fmt/format.h>

#include "base/time_format.h"
#include "join/join_engine.h"

namespace braid {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kEvents = 200'000;  // the sanitizer build is ~10x slower
#else
constexpr int64_t kEvents = 1'000'000;
#endif
constexpr int64_t kSec = 1'000'000;
constexpr int64_t kT0 = 1737021600000000;  // 2025-01-16T10:00:00Z
// Event-time gap between events: a million events span three days; the sanitizer build keeps
// the same density over fewer days.
constexpr int64_t kGap = 259'200;
constexpr int64_t kJitter = 5 * kSec;       // disorder within a partition

struct Event {
  size_t partition;
  std::string value;
};

// Seed-shaped events kGap apart, 2 partitions per topic, 900 keys.
std::vector<Event> MakeEvents(int64_t n, std::vector<TopicPartition>* partitions) {
  const SeedTopics topics;
  *partitions = {{topics.actions, PartitionId(0)},   {topics.actions, PartitionId(1)},
                 {topics.purchases, PartitionId(0)}, {topics.purchases, PartitionId(1)},
                 {topics.sessions, PartitionId(0)},  {topics.sessions, PartitionId(1)}};
  std::mt19937_64 r(42);
  std::vector<Event> events;
  events.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t ts = kT0 + i * kGap - std::uniform_int_distribution<int64_t>(0, kJitter)(r);
    const int64_t user = std::uniform_int_distribution<int64_t>(0, 299)(r);
    const int64_t session = user * 3 + std::uniform_int_distribution<int64_t>(0, 2)(r);
    const std::string time = FormatTimestamp(Timestamp(ts));
    const int64_t kind = std::uniform_int_distribution<int64_t>(0, 9)(r);
    const size_t half = std::uniform_int_distribution<size_t>(0, 1)(r);
    if (kind < 5) {
      events.push_back({half, fmt::format(R"({{"user_id":"u{}","session_id":"s{}","action":"view",)"
                                          R"("page_url":"/p/{}","timestamp":"{}"}})",
                                          user, session, i % 100, time)});
    } else if (kind < 7) {
      events.push_back({2 + half, fmt::format(R"({{"user_id":"u{}","session_id":"s{}",)"
                                              R"("product_id":"p{}","amount":{}.99,"timestamp":"{}"}})",
                                              user, session, i % 50, i % 400, time)});
    } else {
      events.push_back({4 + half, fmt::format(R"({{"session_id":"s{}","user_id":"u{}",)"
                                              R"("device":"mobile","timestamp":"{}"}})",
                                              session, user, time)});
    }
  }
  return events;
}

// What the state may hold: every event lives at most 2 × window + delay + disorder of event
// time past its own time (an enriching event is kept while a driving event in its window is).
uint64_t Bound(int64_t extra_event_time) {
  const double rate = 1.0 / kGap;  // events per micro
  const double life = static_cast<double>(2 * 120 * kSec + 30 * kSec + kJitter + extra_event_time);
  return static_cast<uint64_t>(rate * life * 1.25) + 200;
}

TEST(Boundedness, LiveStreamOverThreeDaysHoldsWindowsWorthOfState) {
  std::vector<TopicPartition> partitions;
  const std::vector<Event> events = MakeEvents(kEvents, &partitions);
  auto engine = JoinEngine::Create(SeedPipeline());
  ASSERT_TRUE(engine.ok());
  JoinEngine& e = **engine;
  ASSERT_TRUE(e.AssignPartitions(partitions).ok());
  RowBatch rows(e.output_schema()), rejects(RejectsSchema());
  uint64_t emitted = 0;
  std::vector<int64_t> offsets(partitions.size(), 0);
  for (const Event& ev : events) {
    const TopicPartition& tp = partitions[ev.partition];
    e.Process({tp.topic, tp.partition, KafkaOffset(offsets[ev.partition]++), std::nullopt, ev.value,
               Timestamp(0)},
              &rows, &rejects);
    if (rows.num_rows() > 10000) {  // a committer would take them away
      emitted += rows.num_rows();
      rows.Clear();
    }
  }
  e.Finish(&rows);
  emitted += rows.num_rows();
  const JoinCounters c = e.counters();
  const uint64_t bound = Bound(0);
  EXPECT_EQ(c.rejects, 0u);
  EXPECT_GT(emitted, static_cast<uint64_t>(kEvents) / 50);
  EXPECT_LE(c.peak_state_rows, bound) << "input " << kEvents;
  EXPECT_LT(bound, static_cast<uint64_t>(kEvents) / 50);  // the bound is about windows, not input
  EXPECT_EQ(c.state_rows, 0u);
  EXPECT_EQ(c.state_keys, 0u);
  std::printf("[ bounded ] %lld events, peak state %llu events (bound %llu), %llu rows\n",
              static_cast<long long>(kEvents), static_cast<unsigned long long>(c.peak_state_rows),
              static_cast<unsigned long long>(bound), static_cast<unsigned long long>(emitted));
}

// Replays the whole span as a backlog: partitions deliver in batches, actions p0 ten times
// faster than the others. Returns the peak state.
uint64_t ReplayBacklog(std::optional<Duration> alignment, int64_t n) {
  std::vector<TopicPartition> partitions;
  const std::vector<Event> events = MakeEvents(n, &partitions);
  std::vector<std::vector<const std::string*>> queues(partitions.size());
  for (const Event& ev : events) queues[ev.partition].push_back(&ev.value);
  JoinSpec spec = SeedPipeline();
  spec.alignment_bound = alignment;
  auto engine = JoinEngine::Create(spec);
  EXPECT_TRUE(engine.ok());
  JoinEngine& e = **engine;
  EXPECT_TRUE(e.AssignPartitions(partitions).ok());
  RowBatch rows(e.output_schema()), rejects(RejectsSchema());
  std::vector<size_t> next(partitions.size(), 0);
  Timestamp clock(1'000'000'000'000'000);
  for (bool more = true; more;) {
    more = false;
    const std::vector<TopicPartition> paused = e.PartitionsToPause();
    for (size_t p = 0; p < partitions.size(); ++p) {
      if (next[p] == queues[p].size()) {
        e.MarkCaughtUp(partitions[p]);
        continue;
      }
      more = true;
      if (std::find(paused.begin(), paused.end(), partitions[p]) != paused.end()) continue;
      for (size_t k = 0, batch = p == 0 ? 200 : 20; k < batch && next[p] < queues[p].size(); ++k) {
        e.Process({partitions[p].topic, partitions[p].partition,
                   KafkaOffset(static_cast<int64_t>(next[p])), std::nullopt, *queues[p][next[p]],
                   Timestamp(0)},
                  &rows, &rejects);
        ++next[p];
      }
    }
    clock = clock + Duration::Seconds(1);
    e.OnIdleCheck(clock, &rows);
    rows.Clear();
  }
  e.Finish(&rows);
  EXPECT_EQ(e.counters().rejects, 0u);
  EXPECT_EQ(e.counters().state_rows, 0u);
  return e.counters().peak_state_rows;
}

TEST(Boundedness, AlignmentBoundsStateWhenReplayingABacklog) {
  const int64_t n = kEvents / 5;
  // Slack for alignment: the bound itself plus the batch a partition reads before it pauses.
  const int64_t batch_time = 200 * kGap * 6;
  const uint64_t bound = Bound(120 * kSec + batch_time);
  const uint64_t aligned = ReplayBacklog(Duration::Seconds(120), n);
  const uint64_t unaligned = ReplayBacklog(std::nullopt, n);
  EXPECT_LE(aligned, bound);
  EXPECT_GT(unaligned, 4 * bound) << "without alignment the fast partition runs ahead";
  std::printf("[ bounded ] backlog of %lld events: peak state %llu aligned (bound %llu), %llu "
              "unaligned\n",
              static_cast<long long>(n), static_cast<unsigned long long>(aligned),
              static_cast<unsigned long long>(bound), static_cast<unsigned long long>(unaligned));
}

}  // namespace
}  // namespace braid
