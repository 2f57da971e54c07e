#pragma once
// KafkaRecord: one record as read from a topic partition, before any decoding.

#include <optional>
#include <string>
#include <string_view>

#include "base/types.h"

namespace braid {

/// A topic partition: the unit of ordering, offsets and watermarks.
struct TopicPartition {
  std::string topic;
  PartitionId partition;
  auto operator<=>(const TopicPartition&) const = default;
};

/// A record borrowed from the consumer: the views stay valid until the consumer's next poll
/// (or, in tests, as long as the backing strings live).
struct KafkaRecord {
  std::string_view topic;
  PartitionId partition;
  KafkaOffset offset;
  std::optional<std::string_view> key;  // absent when the producer sent none
  std::string_view value;
  Timestamp broker_time;  // the record's Kafka timestamp (CreateTime or LogAppendTime)
};

}  // namespace braid
