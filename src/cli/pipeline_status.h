#pragma once
// PipelineStatus: where each pipeline writing a table stands, read from its commit record
// (PipelineRecord), and, when a broker is given, how far each of its partitions lags behind the
// topic's end. What `braid status` prints.

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_record.h"
#include "pipeline/pipeline_record.h"
#include "table/table_metadata.h"

namespace braid::cli {

struct PartitionStatus {
  TopicPartition tp;
  /// The next offset the pipeline reads; nullopt for a partition the broker has but the record
  /// lacks (added to the topic since the last commit: the next run reads it from its start).
  std::optional<KafkaOffset> offset;
  std::optional<KafkaOffset> end;  // with a broker: the end (last stable offset)
  std::optional<int64_t> lag;      // with a broker: records between offset and end
};

struct PipelineStatus {
  std::string pipeline_id;
  PipelineRecord record;
  std::vector<PartitionStatus> partitions;  // sorted by topic, partition
  std::optional<int64_t> lag;               // with a broker: the sum over the partitions
};

/// The status of every pipeline with a record in `metadata`, sorted by id; empty when none.
/// Corruption naming the pipeline when a record's offsets cannot be read.
Result<std::vector<PipelineStatus>> ReadPipelineStatus(const TableMetadata& metadata);

/// Fills in end offsets and lag from the broker `kafka` names, waiting at most about
/// `timeout_ms` for each request. Unavailable naming the broker when it cannot be reached;
/// NotFound when a recorded topic no longer exists there.
Status AddLag(const KafkaConfig& kafka, int timeout_ms, std::vector<PipelineStatus>& pipelines);

/// The aligned text form (see README, `braid status`); `now_ms` is the wall clock ages are
/// measured against.
std::string FormatStatusText(const std::string& table, const std::vector<PipelineStatus>& pipelines,
                             int64_t now_ms);

/// The JSON form: {"table": ..., "pipelines": [...]} with one object per pipeline.
std::string FormatStatusJson(const std::string& table, const std::vector<PipelineStatus>& pipelines,
                             int64_t now_ms);

}  // namespace braid::cli
