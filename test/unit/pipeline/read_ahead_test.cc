// ReadAhead: batches come out in reading order, decoded, never more than `depth` ahead; the
// source is used by the reading thread alone while it runs (commands between polls, in
// order); a poll failure is reported after the batches read before it.

#include "pipeline/read_ahead.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "seed_decoder.h"

namespace braid {
namespace {

const SeedTopics kTopics{"actions", "purchases", "sessions"};

// Delivers `per_poll` actions per poll from one partition, recording which thread polls.
class CountingSource final : public RecordSource {
 public:
  std::atomic<int> polls{0};
  std::atomic<bool> other_thread_used{false};  // a call that did not come from the poller
  int fail_at_poll = -1;                        // this poll hands over its records, then fails
  int poll_ms = 0;                              // each poll lasts this long
  std::atomic<bool> in_poll{false};
  std::vector<std::string> log;                 // what the reading thread did, in order
  std::thread::id poller;

  Result<std::vector<PartitionId>> ListPartitions(const std::string&, int) override {
    return std::vector<PartitionId>{PartitionId(0)};
  }
  Result<std::pair<KafkaOffset, KafkaOffset>> QueryOffsets(const TopicPartition&, int) override {
    return std::make_pair(KafkaOffset(0), KafkaOffset(0));
  }
  Result<std::map<TopicPartition, KafkaOffset>> EndOffsets(const std::vector<TopicPartition>& tps,
                                                           int) override {
    Note("end-offsets");
    std::map<TopicPartition, KafkaOffset> out;
    for (const TopicPartition& tp : tps) out[tp] = KafkaOffset(next_);
    return out;
  }
  Status Assign(const std::vector<StartPosition>&) override { return Status::Ok(); }
  Result<size_t> Poll(int, const RecordHandler& on_record, const EndHandler&) override {
    poller = std::this_thread::get_id();
    in_poll = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    in_poll = false;
    const int n = ++polls;
    log.push_back(fmt::format("poll {}", n));
    for (int i = 0; i < 3; ++i) {
      const std::string value = fmt::format(
          R"({{"user_id":"u{}","session_id":"s","action":"a","page_url":"/","timestamp":"2025-01-16T10:00:00"}})",
          next_);
      on_record(KafkaRecord{"actions", PartitionId(0), KafkaOffset(next_++), std::nullopt, value,
                            Timestamp(0)});
    }
    if (n == fail_at_poll) return Status::IoError("Kafka error from fake:9092: topic deleted");
    return size_t{3};
  }
  Status Pause(const TopicPartition& tp) override {
    Note("pause " + tp.topic);
    return Status::Ok();
  }
  Status Resume(const TopicPartition& tp) override {
    Note("resume " + tp.topic);
    return Status::Ok();
  }
  void CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>&) override {
    Note("commit");
  }

 private:
  void Note(const std::string& what) {
    if (polls > 0 && std::this_thread::get_id() != poller) other_thread_used = true;
    log.push_back(what);
  }
  int64_t next_ = 0;
};

class ReadAheadTest : public ::testing::Test {
 protected:
  SeedDecoder seed_{kTopics};
  JoinEngine::RecordDecoder* decoder_ = seed_.decoder.get();
  const std::vector<TopicPartition> tps_{{"actions", PartitionId(0)}};
};

TEST_F(ReadAheadTest, BatchesComeInOrderDecodedAndNeverMoreThanDepthAhead) {
  CountingSource source;
  ReadAhead reader(source, *decoder_, tps_, /*depth=*/3);
  reader.Start();
  // Nothing is taken: the reader fills its three places and waits.
  for (int i = 0; i < 500 && source.polls.load() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(source.polls.load(), 3);
  int64_t expected = 0;
  for (int b = 0; b < 10; ++b) {
    std::unique_ptr<PolledBatch> batch = reader.Next(std::chrono::seconds(5));
    ASSERT_NE(batch, nullptr);
    ASSERT_EQ(batch->items.size(), 3u);
    for (size_t i = 0; i < batch->items.size(); ++i) {
      EXPECT_EQ(batch->items[i].offset, expected++);
      EXPECT_EQ(batch->decoded[i].stream, 0);
      EXPECT_FALSE(batch->decoded[i].reject.has_value());
      EXPECT_EQ(batch->decoded[i].key_hash, JoinOperator::KeyHash(batch->decoded[i].event.key));
    }
    reader.Recycle(std::move(batch));
  }
  reader.Stop();
  EXPECT_LE(source.polls.load(), 10 + 3 + 1);
  EXPECT_TRUE(reader.failure().ok());
}

TEST_F(ReadAheadTest, TheSourceIsUsedByTheReadingThreadAloneAndCommandsKeepTheirOrder) {
  CountingSource source;
  ReadAhead reader(source, *decoder_, tps_, /*depth=*/2);
  const TopicPartition tp{"actions", PartitionId(0)};
  reader.Post([&](RecordSource& s) { (void)s.Pause(tp); });  // not started: done at once
  ASSERT_EQ(source.log.size(), 1u);
  EXPECT_EQ(source.log[0], "pause actions");
  reader.Start();
  for (int b = 0; b < 5; ++b) {
    auto batch = reader.Next(std::chrono::seconds(5));
    ASSERT_NE(batch, nullptr);
    reader.Post([&](RecordSource& s) { (void)s.Resume(tp); });
    reader.Post([&](RecordSource& s) { s.CommitForMonitoring({}); });
    Result<std::map<TopicPartition, KafkaOffset>> ends = Status::Unavailable("not asked");
    reader.Call([&](RecordSource& s) { ends = s.EndOffsets({tp}, 100); });
    ASSERT_TRUE(ends.ok());  // Call returned after the command was done
    reader.Recycle(std::move(batch));
  }
  reader.Stop();
  EXPECT_FALSE(source.other_thread_used.load());
  // Each round's commands ran in the order posted (a poll may come between two of them).
  std::vector<std::string> commands;
  for (const std::string& what : source.log) {
    if (what.rfind("poll ", 0) != 0) commands.push_back(what);
  }
  ASSERT_EQ(commands.size(), 1u + 5 * 3);
  for (size_t round = 0; round < 5; ++round) {
    EXPECT_EQ(commands[1 + 3 * round], "resume actions");
    EXPECT_EQ(commands[2 + 3 * round], "commit");
    EXPECT_EQ(commands[3 + 3 * round], "end-offsets");
  }
  const size_t before = source.log.size();
  reader.Post([&](RecordSource& s) { (void)s.Pause(tp); });  // stopped: done at once
  EXPECT_EQ(source.log.size(), before + 1);
}

TEST_F(ReadAheadTest, RequestStopDoesNotWaitForThePollAndACommandPostedThenIsStillDone) {
  CountingSource source;
  source.poll_ms = 500;
  ReadAhead reader(source, *decoder_, tps_);
  reader.Start();
  for (int i = 0; i < 500 && !source.in_poll.load(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(source.in_poll.load());
  reader.RequestStop();
  EXPECT_TRUE(source.in_poll.load()) << "RequestStop waited for the poll to end";
  int done = 0;
  reader.Post([&](RecordSource& s) {
    s.CommitForMonitoring({});
    ++done;
  });
  reader.Stop();
  EXPECT_EQ(done, 1);
  EXPECT_EQ(source.polls.load(), 1);  // no poll after the stop request
  EXPECT_FALSE(source.other_thread_used.load());  // posted while the thread ran: done by it
  reader.Post([&](RecordSource&) { ++done; });    // ended: done at once
  EXPECT_EQ(done, 2);
}

TEST_F(ReadAheadTest, APollFailureComesAfterTheBatchesReadBeforeIt) {
  CountingSource source;
  source.fail_at_poll = 2;
  ReadAhead reader(source, *decoder_, tps_);
  reader.Start();
  int64_t records = 0;
  while (auto batch = reader.Next(std::chrono::seconds(5))) {
    records += static_cast<int64_t>(batch->items.size());
    reader.Recycle(std::move(batch));
  }
  EXPECT_EQ(records, 6);  // the failing poll's records too
  EXPECT_EQ(source.polls.load(), 2);
  Status st = reader.failure();
  EXPECT_EQ(st.kind(), StatusKind::kIoError);
  EXPECT_NE(st.message().find("topic deleted"), std::string::npos);
}

}  // namespace
}  // namespace braid
