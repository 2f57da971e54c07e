#pragma once
// PipelineMetrics: what a running pipeline shows its operators — the Prometheus metrics of
// `/metrics` and the JSON behind the status page (the README lists every metric).
// The joining thread publishes a PipelineView about once a second; the committing thread
// reports each commit. Renderers take the lock and copy nothing else: a scrape never blocks
// the pipeline for longer than a copy. Thread-safe.

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/types.h"
#include "event/rejects.h"
#include "join/join_engine.h"

namespace braid {

/// One input partition as the joining thread sees it.
struct PartitionView {
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;     // the next offset to read
  int64_t end_offset = -1;     // the broker's end offset (bounded: the run's end); -1 unknown
  int64_t records_read = 0;    // this run
  std::optional<Timestamp> watermark;  // the partition's own watermark; none before its first event
  bool paused = false;         // held back by watermark alignment (or finished, bounded)
  bool idle = false;           // does not hold the pipeline watermark back
};

/// The joining thread's state at one moment.
struct PipelineView {
  std::vector<PartitionView> partitions;
  JoinCounters join;
  Timestamp watermark = Timestamp::Min();
  int64_t buffered_rows = 0;   // output rows and rejects not yet handed to a commit
  int64_t buffered_bytes = 0;
  bool broker_unreachable = false;
};

/// One finished commit.
struct CommitView {
  int64_t seq = 0;
  int64_t snapshot_id = 0;
  int64_t rows = 0;
  int64_t rejects = 0;
  double duration_s = 0;
  int64_t at_ms = 0;           // wall time it finished
  int64_t state_bytes = 0;     // the join-state checkpoint it wrote
  int retries = 0;             // attempts lost to other writers and retried
};

/// A rejected record kept as an example of its reason.
struct RejectSample {
  std::string reason;
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string payload;  // cut to a few hundred bytes
};

class PipelineMetrics {
 public:
  /// `pipeline_id`, `mode` ("continuous", "until-caught-up", "drain") and the rows table name
  /// label the metrics and head the page.
  PipelineMetrics(std::string pipeline_id, std::string mode, std::string table);

  /// The joining thread, about once a second.
  void Publish(PipelineView view, int64_t now_ms);
  /// The committing thread, after each commit; `rejects` is the commit's rejects batch
  /// (RejectsSchema()), from which one example per reason is kept.
  void OnCommit(const CommitView& commit, const RowBatch& rejects);
  /// A Kafka error that librdkafka retries (a warning line).
  void OnKafkaError();

  /// Prometheus text exposition format (version 0.0.4).
  std::string Prometheus(int64_t now_ms) const;
  /// The status page's data: pipeline, partitions, totals, history, commits, rejects.
  std::string StatusJson(int64_t now_ms) const;

  /// Upper bounds (seconds) of the commit-duration histogram's buckets.
  static constexpr std::array<double, 10> kCommitBuckets = {0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,  1,     2.5,  5,   10};

 private:
  struct Sample {  // one point of the page's charts
    int64_t at_ms;
    uint64_t records_in;
    int64_t rows_committed;
    int64_t lag;                  // -1 unknown
    double event_time_lag_s;      // NaN before the first watermark
  };

  const std::string pipeline_id_;
  const std::string mode_;
  const std::string table_;
  const int64_t started_ms_;

  mutable std::mutex mu_;
  PipelineView view_;
  int64_t view_ms_ = 0;
  int64_t commits_ = 0;
  int64_t rows_committed_ = 0;
  int64_t rejects_committed_ = 0;
  int64_t commit_retries_ = 0;
  int64_t kafka_errors_ = 0;
  int64_t state_bytes_ = 0;
  int64_t last_commit_ms_ = 0;  // 0: none yet
  double commit_seconds_sum_ = 0;
  std::array<int64_t, kCommitBuckets.size()> commit_buckets_{};  // not cumulative
  std::deque<CommitView> recent_commits_;  // newest last
  std::map<std::string, RejectSample> reject_samples_;  // by RejectKindName
  std::deque<Sample> history_;             // newest last, the last kHistoryMs
};

/// The process's resident set size in bytes (/proc/self/statm); 0 when it cannot be read.
int64_t ResidentSetBytes();

}  // namespace braid
