#include "pipeline/pipeline_metrics.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace braid {
namespace {

constexpr int64_t kHistoryMs = 15 * 60 * 1000;  // the page's charts cover 15 minutes
constexpr size_t kRecentCommits = 20;
constexpr size_t kMaxRejectSamples = 20;        // distinct reasons kept with an example
constexpr size_t kSamplePayloadBytes = 300;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A label value in the exposition format: backslash, double quote and newline escaped.
std::string LabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Writes the exposition format: one HELP and TYPE per family, then its samples.
class Exposition {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void Sample(std::string_view name, std::string_view labels, double value) {
    if (labels.empty()) {
      out_ += fmt::format("{} {}\n", name, Number(value));
    } else {
      out_ += fmt::format("{}{{{}}} {}\n", name, labels, Number(value));
    }
  }
  // A family with one unlabelled sample.
  void Single(std::string_view name, std::string_view type, std::string_view help, double value) {
    Family(name, type, help);
    Sample(name, "", value);
  }
  std::string Take() { return std::move(out_); }

 private:
  static std::string Number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 9.0e15) return fmt::format("{}", static_cast<int64_t>(v));
    return fmt::format("{}", v);
  }
  std::string out_;
};

std::string PartitionLabels(const PartitionView& p) {
  return fmt::format("topic=\"{}\",partition=\"{}\"", LabelValue(p.topic), p.partition);
}

double Seconds(Timestamp t) { return static_cast<double>(t.micros()) / 1e6; }


int64_t Lag(const PartitionView& p) {
  return p.end_offset < 0 ? -1 : std::max<int64_t>(0, p.end_offset - p.next_offset);
}

}  // namespace

int64_t ResidentSetBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lld %lld", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * sysconf(_SC_PAGESIZE) : 0;
}

PipelineMetrics::PipelineMetrics(std::string pipeline_id, std::string mode, std::string table)
    : pipeline_id_(std::move(pipeline_id)),
      mode_(std::move(mode)),
      table_(std::move(table)),
      started_ms_(WallMs()) {}

void PipelineMetrics::Publish(PipelineView view, int64_t now_ms) {
  int64_t lag = 0;
  for (const PartitionView& p : view.partitions) {
    const int64_t l = Lag(p);
    lag = (lag < 0 || l < 0) ? -1 : lag + l;
  }
  if (view.broker_unreachable) lag = -1;
  const double event_lag = view.watermark.finite()
                               ? static_cast<double>(now_ms) / 1e3 - Seconds(view.watermark)
                               : std::numeric_limits<double>::quiet_NaN();
  std::lock_guard lock(mu_);
  history_.push_back(Sample{now_ms, view.join.records_in, rows_committed_, lag, event_lag});
  while (!history_.empty() && history_.front().at_ms < now_ms - kHistoryMs) history_.pop_front();
  view_ = std::move(view);
  view_ms_ = now_ms;
}

void PipelineMetrics::OnCommit(const CommitView& commit, const RowBatch& rejects) {
  // Looked up by string_view: most rejects share a reason, and a commit may hold thousands.
  std::map<std::string, RejectSample, std::less<>> samples;
  if (rejects.num_columns() == RejectsSchema().size()) {
    for (size_t i = 0; i < rejects.num_rows() && samples.size() < kMaxRejectSamples; ++i) {
      const std::string_view reason = rejects.column(3).string_at(i);
      if (samples.find(reason) != samples.end()) continue;
      RejectSample s;
      s.reason = std::string(reason);
      s.topic = std::string(rejects.column(0).string_at(i));
      s.partition = static_cast<int32_t>(rejects.column(1).ints[i]);
      s.offset = rejects.column(2).ints[i];
      if (i < rejects.column(4).valid.size() && rejects.column(4).valid[i]) {
        s.payload = std::string(rejects.column(4).string_at(i).substr(0, kSamplePayloadBytes));
      }
      std::string key = s.reason;
      samples.emplace(std::move(key), std::move(s));
    }
  }
  std::lock_guard lock(mu_);
  ++commits_;
  rows_committed_ += commit.rows;
  rejects_committed_ += commit.rejects;
  commit_retries_ += commit.retries;
  state_bytes_ = commit.state_bytes;
  last_commit_ms_ = commit.at_ms;
  commit_seconds_sum_ += commit.duration_s;
  for (size_t b = 0; b < kCommitBuckets.size(); ++b) {
    if (commit.duration_s <= kCommitBuckets[b]) {
      ++commit_buckets_[b];
      break;
    }
  }
  recent_commits_.push_back(commit);
  if (recent_commits_.size() > kRecentCommits) recent_commits_.pop_front();
  for (auto& [reason, s] : samples) {
    // The newest example of a reason replaces the older one; a new reason needs room.
    if (reject_samples_.count(reason) || reject_samples_.size() < kMaxRejectSamples) {
      reject_samples_[reason] = std::move(s);
    }
  }
}

void PipelineMetrics::OnKafkaError() {
  std::lock_guard lock(mu_);
  ++kafka_errors_;
}

std::string PipelineMetrics::Prometheus(int64_t now_ms) const {
  const int64_t rss = ResidentSetBytes();
  std::lock_guard lock(mu_);
  Exposition e;
  e.Family("braid_pipeline_info", "gauge", "The running pipeline (always 1).");
  e.Sample("braid_pipeline_info",
           fmt::format("pipeline_id=\"{}\",mode=\"{}\",table=\"{}\"", LabelValue(pipeline_id_),
                       mode_, LabelValue(table_)),
           1);
  e.Family("braid_records_read_total", "counter", "Kafka records read by this run, by partition.");
  for (const PartitionView& p : view_.partitions) {
    e.Sample("braid_records_read_total", PartitionLabels(p), static_cast<double>(p.records_read));
  }
  e.Family("braid_partition_next_offset", "gauge", "The next offset braid reads, by partition.");
  for (const PartitionView& p : view_.partitions) {
    e.Sample("braid_partition_next_offset", PartitionLabels(p), static_cast<double>(p.next_offset));
  }
  e.Family("braid_partition_end_offset", "gauge",
           "The partition's end offset as the broker last reported it.");
  for (const PartitionView& p : view_.partitions) {
    if (p.end_offset >= 0) {
      e.Sample("braid_partition_end_offset", PartitionLabels(p), static_cast<double>(p.end_offset));
    }
  }
  e.Family("braid_consumer_lag_records", "gauge",
           "Records between braid's position and the partition's end offset.");
  for (const PartitionView& p : view_.partitions) {
    if (p.end_offset >= 0 && !view_.broker_unreachable) {
      e.Sample("braid_consumer_lag_records", PartitionLabels(p), static_cast<double>(Lag(p)));
    }
  }
  e.Family("braid_partition_watermark_seconds", "gauge",
           "A partition's own watermark (its newest event time minus the delay), Unix seconds.");
  for (const PartitionView& p : view_.partitions) {
    if (p.watermark && p.watermark->finite()) {
      e.Sample("braid_partition_watermark_seconds", PartitionLabels(p), Seconds(*p.watermark));
    }
  }
  e.Family("braid_partition_idle", "gauge",
           "1 when the partition is idle (it does not hold the watermark back).");
  for (const PartitionView& p : view_.partitions) {
    e.Sample("braid_partition_idle", PartitionLabels(p), p.idle ? 1 : 0);
  }
  e.Family("braid_partition_paused", "gauge",
           "1 when reading the partition is paused (watermark alignment, or read to its end).");
  for (const PartitionView& p : view_.partitions) {
    e.Sample("braid_partition_paused", PartitionLabels(p), p.paused ? 1 : 0);
  }
  if (view_.watermark.finite()) {
    e.Single("braid_watermark_seconds", "gauge", "The pipeline watermark, Unix seconds.",
             Seconds(view_.watermark));
    e.Single("braid_event_time_lag_seconds", "gauge",
             "Wall-clock time minus the pipeline watermark.",
             static_cast<double>(now_ms) / 1e3 - Seconds(view_.watermark));
  }
  e.Single("braid_join_output_rows_total", "counter", "Rows the join emitted in this run.",
           static_cast<double>(view_.join.rows_out));
  e.Single("braid_rows_written_total", "counter",
           "Rows committed to the rows table by this run.", static_cast<double>(rows_committed_));
  e.Single("braid_rejects_written_total", "counter",
           "Rejects committed to the rejects table by this run.",
           static_cast<double>(rejects_committed_));
  e.Family("braid_rejects_total", "counter", "Records rejected in this run, by reason.");
  for (size_t k = 0; k < kRejectKindCount; ++k) {
    e.Sample("braid_rejects_total",
             fmt::format("reason=\"{}\"", RejectKindName(static_cast<RejectKind>(k))),
             static_cast<double>(view_.join.rejects_by_kind[k]));
  }
  e.Single("braid_join_state_rows", "gauge", "Events held in the join state.",
           static_cast<double>(view_.join.state_rows));
  e.Single("braid_join_state_keys", "gauge", "Join keys with events in the join state.",
           static_cast<double>(view_.join.state_keys));
  e.Single("braid_join_state_bytes", "gauge",
           "Size of the join-state checkpoint the last commit wrote.",
           static_cast<double>(state_bytes_));
  e.Single("braid_buffered_rows", "gauge", "Output rows and rejects waiting for the next commit.",
           static_cast<double>(view_.buffered_rows));
  e.Single("braid_buffered_bytes", "gauge", "Bytes of the rows and rejects waiting to be committed.",
           static_cast<double>(view_.buffered_bytes));
  e.Single("braid_commits_total", "counter", "Successful commits of this run.",
           static_cast<double>(commits_));
  e.Family("braid_commit_duration_seconds", "histogram",
           "Time to write a commit: checkpoint, rows table and rejects table.");
  int64_t cumulative = 0;
  for (size_t b = 0; b < kCommitBuckets.size(); ++b) {
    cumulative += commit_buckets_[b];
    e.Sample("braid_commit_duration_seconds_bucket", fmt::format("le=\"{}\"", kCommitBuckets[b]),
             static_cast<double>(cumulative));
  }
  e.Sample("braid_commit_duration_seconds_bucket", "le=\"+Inf\"", static_cast<double>(commits_));
  e.Sample("braid_commit_duration_seconds_sum", "", commit_seconds_sum_);
  e.Sample("braid_commit_duration_seconds_count", "", static_cast<double>(commits_));
  if (last_commit_ms_ > 0) {
    e.Single("braid_last_commit_timestamp_seconds", "gauge",
             "When the last successful commit finished, Unix seconds.",
             static_cast<double>(last_commit_ms_) / 1e3);
  }
  e.Single("braid_seconds_since_last_commit", "gauge",
           "Seconds since the last successful commit (since the start before the first).",
           static_cast<double>(now_ms - (last_commit_ms_ > 0 ? last_commit_ms_ : started_ms_)) / 1e3);
  e.Single("braid_kafka_errors_total", "counter",
           "Kafka errors librdkafka retries (each also printed as a warning).",
           static_cast<double>(kafka_errors_));
  e.Single("braid_commit_retries_total", "counter",
           "Commit attempts lost to another writer's commit and retried on the new table state.",
           static_cast<double>(commit_retries_));
  e.Single("braid_broker_unreachable", "gauge",
           "1 while the last end-offset probe could not reach the brokers.",
           view_.broker_unreachable ? 1 : 0);
  e.Single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
           static_cast<double>(rss));
  e.Single("process_start_time_seconds", "gauge", "Start time of the process, Unix seconds.",
           static_cast<double>(started_ms_) / 1e3);
  return e.Take();
}

std::string PipelineMetrics::StatusJson(int64_t now_ms) const {
  using nlohmann::json;
  const int64_t rss = ResidentSetBytes();
  std::lock_guard lock(mu_);
  auto time_or_null = [](Timestamp t) -> json {
    return t.finite() ? json(FormatTimestamp(t)) : json(nullptr);
  };
  json parts = json::array();
  int64_t lag = view_.broker_unreachable ? -1 : 0;
  for (const PartitionView& p : view_.partitions) {
    const int64_t l = Lag(p);
    lag = (lag < 0 || l < 0) ? -1 : lag + l;
    parts.push_back({{"topic", p.topic},
                     {"partition", p.partition},
                     {"next_offset", p.next_offset},
                     {"end_offset", p.end_offset < 0 ? json(nullptr) : json(p.end_offset)},
                     {"lag", l < 0 ? json(nullptr) : json(l)},
                     {"records_read", p.records_read},
                     {"watermark", p.watermark ? time_or_null(*p.watermark) : json(nullptr)},
                     {"paused", p.paused},
                     {"idle", p.idle}});
  }
  json rejects = json::object();
  for (size_t k = 0; k < kRejectKindCount; ++k) {
    if (view_.join.rejects_by_kind[k] > 0) {
      rejects[RejectKindName(static_cast<RejectKind>(k))] = view_.join.rejects_by_kind[k];
    }
  }
  json samples = json::array();
  for (const auto& [reason, s] : reject_samples_) {
    samples.push_back({{"reason", s.reason},
                       {"topic", s.topic},
                       {"partition", s.partition},
                       {"offset", s.offset},
                       {"payload", s.payload}});
  }
  json commits = json::array();
  for (auto it = recent_commits_.rbegin(); it != recent_commits_.rend(); ++it) {
    commits.push_back({{"seq", it->seq},
                       // a string: JavaScript numbers lose the low bits of a 64-bit id
                       {"snapshot_id", std::to_string(it->snapshot_id)},
                       {"rows", it->rows},
                       {"rejects", it->rejects},
                       {"duration_s", it->duration_s},
                       {"at_ms", it->at_ms}});
  }
  json history = {{"t", json::array()},
                  {"records_in", json::array()},
                  {"rows_committed", json::array()},
                  {"lag", json::array()},
                  {"event_time_lag_s", json::array()}};
  for (const Sample& s : history_) {
    history["t"].push_back(static_cast<double>(s.at_ms) / 1e3);
    history["records_in"].push_back(s.records_in);
    history["rows_committed"].push_back(s.rows_committed);
    history["lag"].push_back(s.lag < 0 ? json(nullptr) : json(s.lag));
    history["event_time_lag_s"].push_back(std::isnan(s.event_time_lag_s) ? json(nullptr)
                                                                         : json(s.event_time_lag_s));
  }
  const json doc = {
      {"pipeline_id", pipeline_id_},
      {"mode", mode_},
      {"table", table_},
      {"now_ms", now_ms},
      {"started_ms", started_ms_},
      {"updated_ms", view_ms_},
      {"watermark", time_or_null(view_.watermark)},
      {"event_time_lag_s", view_.watermark.finite()
                               ? json(static_cast<double>(now_ms) / 1e3 - Seconds(view_.watermark))
                               : json(nullptr)},
      {"lag", lag < 0 ? json(nullptr) : json(lag)},
      {"broker_unreachable", view_.broker_unreachable},
      {"records_in", view_.join.records_in},
      {"rows_out", view_.join.rows_out},
      {"rows_committed", rows_committed_},
      {"rejects_committed", rejects_committed_},
      {"rejects", view_.join.rejects},
      {"rejects_by_reason", rejects},
      {"reject_samples", samples},
      {"state_rows", view_.join.state_rows},
      {"state_keys", view_.join.state_keys},
      {"state_bytes", state_bytes_},
      {"buffered_rows", view_.buffered_rows},
      {"commits", commits_},
      {"last_commit_ms", last_commit_ms_ > 0 ? json(last_commit_ms_) : json(nullptr)},
      {"kafka_errors", kafka_errors_},
      {"commit_retries", commit_retries_},
      {"rss_bytes", rss},
      {"partitions", parts},
      {"recent_commits", commits},
      {"history", history},
  };
  return doc.dump();
}

}  // namespace braid
