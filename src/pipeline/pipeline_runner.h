#pragma once
// PipelineRunner: one braid worker. Reads the pipeline's input partitions from Kafka, feeds
// the join engine, and commits the joined rows and the rejects to their Iceberg tables,
// exactly once (DESIGN §4):
//   1. each commit first writes a checkpoint (join state + the commit's reject rows) durably;
//   2. then appends the rows to the rows table, the snapshot summary carrying braid.pipeline-id,
//      braid.commit-seq, braid.offsets (next offset per partition), braid.watermark and
//      braid.state-location;
//   3. then appends the rejects to the rejects table with the same id, sequence and offsets.
// Each append also sets the pipeline's commit record in table properties (PipelineRecord),
// atomically with the snapshot. On start it reads that record (or walks the rows table's main
// branch to the newest snapshot of its pipeline id), loads that checkpoint, commits the
// checkpoint's rejects if the rejects table's record is older (a crash between 2 and 3), and
// seeks to the recorded offsets. Consumer group offsets are committed after the tables, for
// lag monitoring only.
// One live writer per pipeline id: before every commit attempt the runner checks that the
// table's record is the one it last wrote or recovered from; if another process committed,
// the run stops at once and commits nothing more.
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
#include "kafka/record_source.h"
#include "pipeline/pipeline_metrics.h"
#include "pipeline/table_maintainer.h"
#include "table/table_operations.h"

namespace braid {

/// How a run ends (DESIGN §3).
enum class RunMode {
  /// Until SIGINT/SIGTERM or `duration`; commits what it has and its join state on stop.
  kContinuous,
  /// Spark's availableNow: read every partition to the end offsets seen at start, commit the
  /// rows, rejects and join state, exit. The next run continues exactly.
  kUntilCaughtUp,
  /// The end of input: read to the end offsets seen at start, then watermark = +∞, emit every
  /// pending row and commit. The result is complete (DESIGN §2 over everything read).
  kDrain,
};

/// What to do when a recorded offset is below a partition's log start (retention removed
/// records braid never read): Spark's failOnDataLoss.
enum class OnDataLoss { kFail, kSkip };

/// Where a pipeline's first run starts reading.
enum class StartingOffsets { kEarliest, kLatest };

struct PipelineOptions {
  /// Identifies this pipeline's snapshots among other writers of the same tables.
  std::string pipeline_id;
  Duration commit_interval = Duration::Seconds(5);
  RunMode mode = RunMode::kContinuous;
  /// Continuous run: stop after this long (also stops on SIGINT/SIGTERM).
  std::optional<Duration> duration;
  OnDataLoss on_data_loss = OnDataLoss::kFail;
  StartingOffsets starting_offsets = StartingOffsets::kEarliest;
  /// Output rows and rejects since the last commit past this many bytes make the runner commit
  /// (with its state) before it reads on, even in the middle of a poll's records. Rows past an
  /// eighth of it are written as data files at once, for the next commit to add.
  size_t max_buffer_bytes = size_t{256} << 20;
  Duration progress_interval = Duration::Seconds(2);
  /// The process ends soon after the runner (the join command): the join state, the row
  /// buffers and the data-file writer's database are then left to the operating system, not
  /// freed piece by piece (25 ms after a 2 M-action drain). Threads end and Kafka closes as
  /// always.
  bool process_ends_after = false;
  /// Opens the Kafka source (config, consumer group for lag monitoring), once. Empty:
  /// OpenRecordSource. Tests pass a scripted source.
  std::function<Result<std::unique_ptr<RecordSource>>(const KafkaConfig&, const std::string&)>
      source_factory;
  /// Hears notices worth a line on a terminal (where a first run starts, a broker that cannot
  /// be reached, a skipped offset range). May be empty.
  std::function<void(const std::string&)> on_notice;
  /// Automatic table maintenance between commits (pipeline/table_maintainer.h); its lines go
  /// to on_notice.
  MaintenanceSettings maintenance;
  /// Receives the run's state about once a second and every commit (for /metrics and the
  /// status page). May be null; must outlive Run().
  PipelineMetrics* metrics = nullptr;
};

/// Counters for progress lines and the final summary.
struct PipelineProgress {
  JoinCounters join;
  Timestamp watermark;
  int64_t commits = 0;
  double last_commit_s = 0;  // how long the last commit took (checkpoint and both tables)
  int64_t rows_committed = 0;
  int64_t rejects_committed = 0;
  int64_t to_read = -1;  // bounded: records between the start and the end offsets; -1 continuous
  int64_t lag = -1;  // records behind the end offsets (bounded) or the broker's (continuous); -1 unknown
  int64_t skipped_records = 0;  // lost to retention and skipped (--on-data-loss=skip)
  bool broker_unreachable = false;  // the last end-offset probe could not reach the brokers
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

/// The stop of a run that found another process committing for its pipeline id.
inline constexpr const char* kAnotherWriter = "another writer";

}  // namespace braid
