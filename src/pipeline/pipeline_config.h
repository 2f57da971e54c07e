#pragma once
// PipelineConfig: a pipeline file (TOML) with the seed notebook's parameter names, plus the
// join windows — or, instead of the seed's topics and windows, a declared pipeline
// ([[streams]], [join], [output]; see PipelineDeclaration) — [kafka] (librdkafka properties under their own names) and [catalog] (Iceberg
// catalog properties). Command-line flags override what the file says.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/types.h"
#include "join/join_spec.h"
#include "kafka/kafka_config.h"
#include "pipeline/pipeline_declaration.h"
#include "pipeline/table_maintainer.h"
#include "table/partition_spec.h"

namespace braid {

struct PipelineConfig {
  std::string execution_date;  // informational, as in the seed
  std::string environment = "development";
  std::string database_name = "demo";  // the Iceberg namespace
  std::string topic_actions = "user_actions";
  std::string topic_purchases = "purchases";
  std::string topic_sessions = "sessions";
  std::string iceberg_table = "unified_activity";
  std::string kafka_bootstrap_servers = "127.0.0.1:9092";
  int64_t num_events_per_topic = 50;
  Duration watermark_delay = Duration::Seconds(30);
  Duration purchase_join_window = Duration::Seconds(120);
  Duration session_join_window = Duration::Seconds(120);
  Duration idle_timeout = Duration::Seconds(10);
  Duration commit_interval = Duration::Seconds(5);
  int64_t streaming_duration_seconds = 0;  // 0: until stopped
  bool enable_validation = true;
  bool enable_cleanup = false;
  std::string pipeline_id;  // default: "<database_name>.<iceberg_table>"
  std::map<std::string, std::string> kafka;    // [kafka]
  std::map<std::string, std::string> catalog;  // [catalog]; "warehouse" defaults to ./warehouse
  MaintenanceSettings maintenance;             // [maintenance]
  /// The join the file declares with [[streams]]/[join]/[output]; nullopt: the seed pipeline
  /// with the topic_* and *_join_window keys.
  std::optional<JoinSpec> declared;
  /// The SQL the declared join was compiled from (query = or --query), which the audit runs;
  /// empty when the join is the seed's or a [join] table.
  std::string query;
  /// [output] partition_by of a declared pipeline: the rows table's partition fields (empty:
  /// unpartitioned). A table that exists must already be partitioned this way.
  std::vector<PartitionFieldRequest> partition_by;
  /// [output] target_file_size: the rows table's write.target-file-size-bytes (0: the table's).
  int64_t target_file_size = 0;

  /// Reads `path`. Unknown keys and bad values are refused naming the key and what is allowed;
  /// so are [kafka] properties librdkafka refuses and [catalog] properties the catalog named
  /// by its type does not read.
  /// With `query` (--query FILE), that SQL is the join over the file's [[streams]].
  static Result<PipelineConfig> Load(const std::string& path,
                                     const std::optional<PipelineQueryText>& query = std::nullopt);
  /// Parses the TOML `text` of a pipeline file; `path` names it in errors. Same rules as Load.
  static Result<PipelineConfig> Parse(std::string_view text, const std::string& path,
                                      const std::optional<PipelineQueryText>& query = std::nullopt);

  /// The join this configuration describes: the declared one, or the seed pipeline with these
  /// topics and windows; either way with this watermark_delay and idle_timeout.
  JoinSpec ToJoinSpec() const;
  /// "actions ⟕ purchases ⋈ sessions": the driving topic, then each enriching topic after ⟕
  /// (left) or ⋈ (inner).
  std::string JoinDescription() const;
  KafkaConfig ToKafkaConfig() const { return KafkaConfig{kafka_bootstrap_servers, kafka}; }
  std::string PipelineId() const {
    return pipeline_id.empty() ? database_name + "." + iceberg_table : pipeline_id;
  }
};

}  // namespace braid
