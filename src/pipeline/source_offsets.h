#pragma once
// SourceOffsets: the next Kafka offset to read for each input partition, as a snapshot
// summary stores it (braid.offsets, docs/snapshot-summary.md).

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "kafka/kafka_record.h"

namespace braid {

using SourceOffsets = std::map<TopicPartition, KafkaOffset>;

/// {"topic":{"0":123,"1":45},...}: compact JSON, topics and partitions sorted.
std::string EncodeOffsets(const SourceOffsets& offsets);

/// Parses EncodeOffsets' form. Corruption naming the problem otherwise.
Result<SourceOffsets> DecodeOffsets(std::string_view text);

}  // namespace braid
