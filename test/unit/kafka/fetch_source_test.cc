// FetchSource against the in-process broker (librdkafka's mock cluster): partitions listed from
// one metadata answer, what that answer cannot tell, and a read through the leaders it gave.

#include "kafka/fetch_source.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kafka/embedded_broker.h"
#include "kafka/producer.h"

namespace braid {
namespace {

std::vector<int64_t> Ids(const std::vector<PartitionId>& ids) {
  std::vector<int64_t> out;
  for (PartitionId p : ids) out.push_back(p.value());
  return out;
}

class FetchSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = EmbeddedBroker::Start("", {"actions", "sessions"}, 3);
    ASSERT_TRUE(broker.ok()) << broker.status().ToString();
    broker_ = std::move(*broker);
    config_.bootstrap = broker_->bootstrap();
    auto source = FetchSource::Create(config_, "braid-fetch-source-test");
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    source_ = std::move(*source);
  }

  std::unique_ptr<EmbeddedBroker> broker_;
  KafkaConfig config_;
  std::unique_ptr<FetchSource> source_;
};

TEST_F(FetchSourceTest, ListsEachTopicsPartitionsAndReadsATopicMadeAfterTheLastAnswer) {
  auto actions = source_->ListPartitions("actions");
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  EXPECT_EQ(Ids(*actions), (std::vector<int64_t>{0, 1, 2}));
  auto sessions = source_->ListPartitions("sessions");
  ASSERT_TRUE(sessions.ok()) << sessions.status().ToString();
  EXPECT_EQ(Ids(*sessions), (std::vector<int64_t>{0, 1, 2}));

  // Made a moment after the answer above, which does not have it: still listed.
  ASSERT_TRUE(broker_->CreateTopic("purchases", 2).ok());
  auto purchases = source_->ListPartitions("purchases");
  ASSERT_TRUE(purchases.ok()) << purchases.status().ToString();
  EXPECT_EQ(Ids(*purchases), (std::vector<int64_t>{0, 1}));

  // And read from: the leaders Assign looks up come from an answer that has it.
  auto producer = Producer::Create(config_);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  ASSERT_TRUE((*producer)->Produce("purchases", "first", std::nullopt, 1).ok());
  ASSERT_TRUE((*producer)->Flush(10000).ok());
  ASSERT_TRUE(source_->Assign({StartPosition{TopicPartition{"purchases", PartitionId(1)}, std::nullopt}}).ok());
  std::vector<std::string> values;
  for (int polls = 0; polls < 200 && values.empty(); ++polls) {
    auto n = source_->Poll(50, [&values](const KafkaRecord& r) { values.emplace_back(r.value); });
    ASSERT_TRUE(n.ok()) << n.status().ToString();
  }
  EXPECT_EQ(values, (std::vector<std::string>{"first"}));

  auto missing = source_->ListPartitions("no_such_topic");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), StatusKind::kNotFound);
  EXPECT_NE(missing.status().message().find("no_such_topic"), std::string::npos)
      << missing.status().ToString();
}

TEST_F(FetchSourceTest, ReadsThroughTheLeadersOfTheAnswerThatListedThePartitions) {
  auto producer = Producer::Create(config_);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*producer)->Produce("actions", "value-" + std::to_string(i), std::nullopt, 1).ok());
  }
  ASSERT_TRUE((*producer)->Flush(10000).ok());

  ASSERT_TRUE(source_->ListPartitions("actions").ok());
  ASSERT_TRUE(source_->Assign({StartPosition{TopicPartition{"actions", PartitionId(1)}, std::nullopt}}).ok());
  std::vector<std::string> values;
  for (int polls = 0; polls < 200 && values.size() < 20; ++polls) {
    auto n = source_->Poll(50, [&values](const KafkaRecord& r) {
      EXPECT_EQ(r.topic, "actions");
      EXPECT_EQ(r.partition.value(), 1);
      EXPECT_EQ(r.offset.value(), static_cast<int64_t>(values.size()));
      values.emplace_back(r.value);
    });
    ASSERT_TRUE(n.ok()) << n.status().ToString();
  }
  ASSERT_EQ(values.size(), 20u);
  EXPECT_EQ(values.front(), "value-0");
  EXPECT_EQ(values.back(), "value-19");
}

}  // namespace
}  // namespace braid
