#pragma once
// PipelineRunner: one braid worker. Reads the pipeline's input partitions from Kafka, feeds
// the join engine, and commits the joined rows and the rejects to their Iceberg tables,
// exactly once (DESIGN §4):
//   1. each commit first writes a checkpoint (join state + the commit's reject rows) durably;
//   2. then appends the rows to the rows table, the snapshot summary carrying braid.pipeline-id,
//      braid.commit-seq, braid.offsets (next offset per partition), braid.watermark and
//      braid.state-location;
//   3. then appends the rejects to the rejects table with the same id, sequence and offsets.
// On start it walks the rows table's main branch to the newest snapshot of its pipeline id,
// loads that checkpoint, commits the checkpoint's rejects if the rejects table's newest
// snapshot is older (a crash between 2 and 3), and seeks to the recorded offsets. Consumer
// group offsets are committed after the tables, for lag monitoring only.
// Not thread-safe: Run() is called once, from one thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/types.h"
#include "join/join_engine.h"
#include "join/join_spec.h"
#include "kafka/kafka_config.h"
#include "table/table_operations.h"

namespace braid {

struct PipelineOptions {
  /// Identifies this pipeline's snapshots among other writers of the same tables.
  std::string pipeline_id;
  Duration commit_interval = Duration::Seconds(5);
  /// Bounded run: read every partition to the end offsets seen at start, then finish the
  /// input (watermark = +inf), commit and return.
  bool until_caught_up = false;
  /// Continuous run: stop after this long (also stops on SIGINT/SIGTERM).
  std::optional<Duration> duration;
  /// Commit early when this many rows are buffered.
  size_t max_buffered_rows = 2'000'000;
  Duration progress_interval = Duration::Seconds(2);
};

/// Counters for progress lines and the final summary.
struct PipelineProgress {
  JoinCounters join;
  Timestamp watermark;
  int64_t commits = 0;
  int64_t rows_committed = 0;
  int64_t rejects_committed = 0;
  int64_t lag = -1;  // records behind the end offsets of a bounded run; -1 unknown
  double elapsed_s = 0;
  bool recovered = false;  // started from a previous run's snapshot
  int64_t recovered_rejects = 0;  // rejects of a crashed commit committed on start
};

class PipelineRunner {
 public:
  /// `rows_table` and `rejects_table` must exist with the engine's output schema and
  /// RejectsSchema(); they must outlive the runner.
  PipelineRunner(JoinSpec spec, KafkaConfig kafka, TableOperations& rows_table,
                 TableOperations& rejects_table, PipelineOptions options,
                 std::function<void(const PipelineProgress&)> on_progress = nullptr);
  ~PipelineRunner();

  /// Runs until the bounded input is done, the duration passed or a stop signal arrived, and
  /// returns the final counters. Errors name what failed (broker, topic, table, checkpoint).
  Result<PipelineProgress> Run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// The summary keys a pipeline writes (docs/snapshot-summary.md).
inline constexpr const char* kPipelineIdKey = "braid.pipeline-id";
inline constexpr const char* kCommitSeqKey = "braid.commit-seq";
inline constexpr const char* kOffsetsKey = "braid.offsets";
inline constexpr const char* kWatermarkKey = "braid.watermark";
inline constexpr const char* kStateLocationKey = "braid.state-location";

}  // namespace braid
