#include "pipeline/polled_batch.h"

#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "seed_decoder.h"

namespace braid {
namespace {

std::string Action(int user) {
  return fmt::format(
      R"({{"user_id":"u{}","session_id":"s","action":"a","page_url":"/","timestamp":"2025-01-16T10:00:{:02}"}})",
      user, user % 60);
}

class PolledBatchTest : public ::testing::Test {
 protected:
  SeedDecoder seed_{SeedTopics{"a", "p", "b"}};
  JoinEngine::RecordDecoder* decoder_ = seed_.decoder.get();
};

TEST_F(PolledBatchTest, RecordsAndEndsComeBackInOrderWithTheirBytes) {
  const std::vector<TopicPartition> tps{{"a", PartitionId(0)}, {"b", PartitionId(3)}};
  PolledBatch batch;
  KafkaRecord r1{"a", PartitionId(0), KafkaOffset(7), std::string_view("k1"), "{\"x\":1}", Timestamp(11)};
  KafkaRecord r2{"b", PartitionId(3), KafkaOffset(9), std::nullopt, "", Timestamp(12)};
  batch.AddRecord(0, r1, *decoder_);
  batch.AddEnd(1, 10);
  batch.AddRecord(1, r2, *decoder_);
  ASSERT_EQ(batch.items.size(), 3u);
  EXPECT_TRUE(batch.items[1].end);
  EXPECT_EQ(batch.items[1].offset, 10);
  KafkaRecord got = batch.Record(0, tps[0]);
  EXPECT_EQ(got.topic, "a");
  EXPECT_EQ(got.offset, KafkaOffset(7));
  ASSERT_TRUE(got.key.has_value());
  EXPECT_EQ(*got.key, "k1");
  EXPECT_EQ(got.value, "{\"x\":1}");
  EXPECT_EQ(got.broker_time, Timestamp(11));
  got = batch.Record(2, tps[1]);
  EXPECT_EQ(got.partition, PartitionId(3));
  EXPECT_FALSE(got.key.has_value());  // no key stays no key, not an empty one
  EXPECT_EQ(got.value, "");
  // Each record was decoded as it was added, into its own item's place.
  ASSERT_TRUE(batch.decoded[0].reject.has_value());
  EXPECT_EQ(batch.decoded[0].reject->kind, RejectKind::kMissingField);
  ASSERT_TRUE(batch.decoded[2].reject.has_value());
  EXPECT_EQ(batch.decoded[2].reject->reason, "empty value");
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(batch.bytes.empty());
}

// Many records, the decoded places growing as they come and kept (with what they hold) across
// a Clear: every record's decoded event is its own, also after the batch is reused.
TEST_F(PolledBatchTest, EveryRecordIsDecodedIntoItsOwnPlaceAsTheBatchGrowsAndIsReused) {
  PolledBatch batch;
  for (int round = 0; round < 2; ++round) {
    const int n = round == 0 ? 1000 : 300;
    for (int i = 0; i < n; ++i) {
      if (i % 7 == 3) batch.AddEnd(0, i);
      const std::string value = Action(round * 10000 + i);
      batch.AddRecord(0, KafkaRecord{"a", PartitionId(0), KafkaOffset(i), std::nullopt, value,
                                     Timestamp(0)},
                      *decoder_);
    }
    ASSERT_GE(batch.decoded.size(), batch.items.size());
    int records = 0;
    for (size_t i = 0; i < batch.items.size(); ++i) {
      if (batch.items[i].end) continue;
      const DecodedRecord& d = batch.decoded[i];
      ASSERT_FALSE(d.reject.has_value()) << i;
      const int user = round * 10000 + static_cast<int>(batch.items[i].offset);
      DecodedRecord alone;
      decoder_->Decode(KafkaRecord{"a", PartitionId(0), KafkaOffset(0), std::nullopt,
                                   Action(user), Timestamp(0)},
                       &alone);
      EXPECT_EQ(d.event.key, alone.event.key) << i;
      EXPECT_EQ(d.event.ts, alone.event.ts) << i;
      EXPECT_EQ(d.event.values, alone.event.values) << i;
      EXPECT_EQ(d.key_hash, alone.key_hash) << i;
      ++records;
    }
    EXPECT_EQ(records, n);
    batch.Clear();
  }
}

}  // namespace
}  // namespace braid
