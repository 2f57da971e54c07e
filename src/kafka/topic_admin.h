#pragma once
// Creating topics before producing to them, so that they get the partition count the user
// asked for rather than the broker's default.

#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/kafka_config.h"

namespace braid {

/// What EnsureTopics found or did per topic.
struct TopicState {
  std::string topic;
  int partitions = 0;   // partitions now (0: left to the broker's auto-creation)
  bool created = false;
};

/// Creates each missing topic with `partitions` partitions (replication factor 1, or the
/// broker's default) through a CreateTopics request. Existing topics are left as they are.
/// When the broker does not serve CreateTopics (librdkafka's mock cluster), the topic is left
/// to auto-creation on first produce. Fails when the cluster cannot be reached.
Result<std::vector<TopicState>> EnsureTopics(const KafkaConfig& config,
                                             const std::vector<std::string>& topics,
                                             int partitions);

}  // namespace braid
