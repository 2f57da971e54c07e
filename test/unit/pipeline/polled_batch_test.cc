#include "pipeline/polled_batch.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

TEST(PolledBatch, RecordsAndEndsComeBackInOrderWithTheirBytes) {
  const std::vector<TopicPartition> tps{{"a", PartitionId(0)}, {"b", PartitionId(3)}};
  PolledBatch batch;
  KafkaRecord r1{"a", PartitionId(0), KafkaOffset(7), std::string_view("k1"), "{\"x\":1}", Timestamp(11)};
  KafkaRecord r2{"b", PartitionId(3), KafkaOffset(9), std::nullopt, "", Timestamp(12)};
  batch.AddRecord(0, r1);
  batch.AddEnd(1, 10);
  batch.AddRecord(1, r2);
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
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(batch.bytes.empty());
}

}  // namespace
}  // namespace braid
