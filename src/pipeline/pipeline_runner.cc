#include "pipeline/pipeline_runner.h"

#include <chrono>
#include <random>
#include <set>

#include <fmt/format.h>

#include "base/stop_signal.h"
#include "base/time_format.h"
#include "event/rejects.h"
#include "kafka/consumer.h"
#include "pipeline/commit_checkpoint.h"
#include "pipeline/source_offsets.h"
#include "table/snapshot_summary.h"
#include "table/table_appender.h"

namespace braid {
namespace {

Timestamp WallNow() {
  return Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
}

std::string SummaryValue(const Snapshot& s, const char* key) {
  auto it = s.summary.find(key);
  return it == s.summary.end() ? std::string() : it->second;
}

// The newest snapshot on main written by `pipeline_id`, or nullptr.
const Snapshot* NewestOf(const TableMetadata& md, const std::string& pipeline_id) {
  return FindSnapshotSummary(
      md, [&](const Snapshot& s) { return SummaryValue(s, kPipelineIdKey) == pipeline_id; });
}

// A pipeline id as a file name: anything but [A-Za-z0-9._-] becomes '_'.
std::string FileSafe(std::string_view id) {
  std::string out(id);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  return out;
}

}  // namespace

class PipelineRunner::Impl {
 public:
  Impl(JoinSpec spec, KafkaConfig kafka, TableOperations& rows_table,
       TableOperations& rejects_table, PipelineOptions options,
       std::function<void(const PipelineProgress&)> on_progress)
      : spec_(std::move(spec)),
        kafka_(std::move(kafka)),
        rows_table_(rows_table),
        rejects_table_(rejects_table),
        opt_(std::move(options)),
        on_progress_(std::move(on_progress)) {}

  Result<PipelineProgress> Run() {
    start_ = std::chrono::steady_clock::now();
    BRAID_RETURN_IF_ERROR(Start());
    BRAID_RETURN_IF_ERROR(Loop());
    progress_.elapsed_s = Elapsed();
    Report();
    return progress_;
  }

 private:
  struct Partition {
    TopicPartition tp;
    KafkaOffset next;                 // next offset to read
    std::optional<KafkaOffset> end;   // bounded run: stop here
    bool done = false;                // bounded run: read to its end
    bool paused = false;
  };

  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  Status Start() {
    BRAID_ASSIGN_OR_RETURN(engine_, JoinEngine::Create(spec_));
    BRAID_ASSIGN_OR_RETURN(appender_, TableAppender::Create());
    BRAID_ASSIGN_OR_RETURN(consumer_, Consumer::Create(kafka_, "braid-" + opt_.pipeline_id));
    rows_ = RowBatch(engine_->output_schema());
    rejects_ = RowBatch(RejectsSchema());
    BRAID_ASSIGN_OR_RETURN(TableState rows_state, rows_table_.Refresh());
    state_dir_ = rows_state.metadata.location + "/braid-state/" + FileSafe(opt_.pipeline_id);

    std::vector<std::string> topics{spec_.driving.topic};
    for (const EnrichSpec& e : spec_.enriching) topics.push_back(e.stream.topic);
    std::vector<TopicPartition> all;
    for (const std::string& topic : topics) {
      BRAID_ASSIGN_OR_RETURN(auto ids, consumer_->ListPartitions(topic));
      for (PartitionId p : ids) all.push_back(TopicPartition{topic, p});
    }
    BRAID_ASSIGN_OR_RETURN(SourceOffsets start, Recover(rows_state));
    BRAID_RETURN_IF_ERROR(engine_->AssignPartitions(all));

    std::vector<StartPosition> positions;
    for (const TopicPartition& tp : all) {
      Partition part{tp, KafkaOffset(0), std::nullopt};
      BRAID_ASSIGN_OR_RETURN(auto lo_hi, consumer_->QueryOffsets(tp));
      auto it = start.find(tp);
      // A recorded offset the broker no longer has (retention) resumes at the earliest.
      part.next = it != start.end() ? std::max(it->second, lo_hi.first) : lo_hi.first;
      if (opt_.until_caught_up) {
        part.end = lo_hi.second;
        if (part.next >= *part.end) {
          part.done = true;
          engine_->MarkCaughtUp(tp);
        }
      }
      if (!part.done) positions.push_back(StartPosition{tp, part.next});
      committed_offsets_[tp] = part.next;
      parts_.push_back(std::move(part));
    }
    return consumer_->Assign(positions);
  }

  // Finds this pipeline's newest snapshot: loads its join state, finishes its rejects commit if
  // a crash interrupted it, and returns the offsets to resume from (empty: from the start).
  Result<SourceOffsets> Recover(const TableState& rows_state) {
    const Snapshot* snap = NewestOf(rows_state.metadata, opt_.pipeline_id);
    if (snap == nullptr) return SourceOffsets{};
    progress_.recovered = true;
    const std::string where = fmt::format("snapshot {} of {}", snap->id.value(),
                                          rows_table_.id().ToString());
    commit_seq_ = std::strtoll(SummaryValue(*snap, kCommitSeqKey).c_str(), nullptr, 10);
    BRAID_ASSIGN_OR_RETURN(SourceOffsets offsets,
                           DecodeOffsets(SummaryValue(*snap, kOffsetsKey)));
    const std::string state_location = SummaryValue(*snap, kStateLocationKey);
    if (state_location.empty()) return offsets;
    auto bytes = rows_table_.io().ReadFile(state_location);
    if (!bytes.ok()) {
      return bytes.status().WithContext(fmt::format(
          "the join-state checkpoint of {} cannot be read; to start this pipeline afresh use "
          "another --pipeline-id",
          where));
    }
    auto cp = DecodeCheckpoint(*bytes, RejectsSchema());
    if (!cp.ok()) return cp.status().WithContext(state_location);
    if (!cp->engine_state.empty()) {
      Status st = engine_->LoadState(cp->engine_state);
      if (!st.ok()) return st.WithContext(state_location);
    }
    prev_state_location_ = state_location;
    if (!cp->rejects.empty()) {
      BRAID_ASSIGN_OR_RETURN(TableState rj, rejects_table_.Refresh());
      const Snapshot* last = NewestOf(rj.metadata, opt_.pipeline_id);
      const int64_t rejects_seq =
          last ? std::strtoll(SummaryValue(*last, kCommitSeqKey).c_str(), nullptr, 10) : 0;
      if (rejects_seq < commit_seq_) {
        auto r = appender_->Append(rejects_table_, {&cp->rejects}, SummaryFor(offsets, false));
        if (!r.ok()) return r.status().WithContext("recovering the rejects of " + where);
        progress_.recovered_rejects = static_cast<int64_t>(cp->rejects.num_rows());
      }
    }
    return offsets;
  }

  std::map<std::string, std::string> SummaryFor(const SourceOffsets& offsets, bool rows_table) {
    std::map<std::string, std::string> s{{kPipelineIdKey, opt_.pipeline_id},
                                         {kCommitSeqKey, std::to_string(commit_seq_)},
                                         {kOffsetsKey, EncodeOffsets(offsets)}};
    if (rows_table) {
      s[kWatermarkKey] = FormatTimestamp(watermark_before_finish_.value_or(engine_->watermark()));
    }
    return s;
  }

  Partition& Find(std::string_view topic, PartitionId p) {
    if (last_ < parts_.size() && parts_[last_].tp.partition == p && parts_[last_].tp.topic == topic) {
      return parts_[last_];
    }
    for (size_t i = 0; i < parts_.size(); ++i) {
      if (parts_[i].tp.partition == p && parts_[i].tp.topic == topic) {
        last_ = i;
        return parts_[i];
      }
    }
    assert(false && "a record from a partition that was not assigned");
    return parts_[0];
  }

  void MarkDone(Partition& part) {
    if (part.done) return;
    part.done = true;
    engine_->MarkCaughtUp(part.tp);
    if (!part.paused) {
      (void)consumer_->Pause(part.tp);
      part.paused = true;
    }
  }

  void OnRecord(const KafkaRecord& r) {
    Partition& part = Find(r.topic, r.partition);
    if (part.done || (part.end && r.offset >= *part.end)) {
      MarkDone(part);  // a bounded run ignores records written after it started
      return;
    }
    engine_->Process(r, &rows_, &rejects_);
    part.next = KafkaOffset(r.offset.value() + 1);
    if (part.end && part.next >= *part.end) MarkDone(part);
  }

  bool AllDone() const {
    for (const Partition& p : parts_) {
      if (!p.done) return false;
    }
    return true;
  }

  // Pauses partitions that run ahead of the pipeline watermark, resumes the others.
  void Align() {
    std::vector<TopicPartition> ahead = engine_->PartitionsToPause();
    std::set<TopicPartition> pause(ahead.begin(), ahead.end());
    for (Partition& p : parts_) {
      if (p.done) continue;
      const bool want = pause.count(p.tp) > 0;
      if (want != p.paused) {
        Status st = want ? consumer_->Pause(p.tp) : consumer_->Resume(p.tp);
        if (st.ok()) p.paused = want;
      }
    }
  }

  Status Loop() {
    using Clock = std::chrono::steady_clock;
    auto last_commit = Clock::now();
    auto last_tick = Clock::now();
    auto last_progress = Clock::now();
    const auto deadline = opt_.duration
                              ? std::optional(Clock::now() + std::chrono::microseconds(
                                                                 opt_.duration->micros()))
                              : std::nullopt;
    auto on_record = [this](const KafkaRecord& r) { OnRecord(r); };
    auto on_end = [this](const TopicPartition& tp) {
      Partition& p = Find(tp.topic, tp.partition);
      if (!opt_.until_caught_up) engine_->MarkCaughtUp(p.tp);
    };
    for (;;) {
      if (opt_.until_caught_up && AllDone()) {
        watermark_before_finish_ = engine_->watermark();
        engine_->Finish(&rows_);
        return Commit(/*final_input=*/true);
      }
      if (StopSignal::requested() || (deadline && Clock::now() >= *deadline)) {
        return Commit(/*final_input=*/false);
      }
      BRAID_ASSIGN_OR_RETURN(size_t n, consumer_->Poll(100, on_record, on_end));
      (void)n;
      const auto now = Clock::now();
      if (now - last_tick >= std::chrono::milliseconds(200)) {
        last_tick = now;
        // A bounded run's finished partitions have no more input: idle at once.
        engine_->OnIdleCheck(opt_.until_caught_up ? Timestamp::Max() : WallNow(), &rows_);
        Align();
      }
      if (now - last_commit >= std::chrono::microseconds(opt_.commit_interval.micros()) ||
          rows_.num_rows() >= opt_.max_buffered_rows) {
        BRAID_RETURN_IF_ERROR(Commit(false));
        last_commit = Clock::now();
      }
      if (now - last_progress >= std::chrono::microseconds(opt_.progress_interval.micros())) {
        last_progress = now;
        Report();
      }
    }
  }

  Status Commit(bool final_input) {
    SourceOffsets offsets;
    for (const Partition& p : parts_) offsets[p.tp] = p.next;
    if (rows_.empty() && rejects_.empty() && offsets == committed_offsets_ && !final_input) {
      return Status::Ok();
    }
    ++commit_seq_;
    const Timestamp now = WallNow();
    rows_.FillTimestampColumn(rows_.num_columns() - 1, now);
    rejects_.FillTimestampColumn(kRejectsProcessingTimeColumn, now);

    CommitCheckpoint cp;
    if (!final_input) BRAID_RETURN_IF_ERROR(engine_->SaveState(&cp.engine_state));
    cp.rejects = std::move(rejects_);
    const std::string location =
        fmt::format("{}/{:010}-{:016x}.ckpt", state_dir_, commit_seq_, std::random_device()() *
                                                                           0x9E3779B97F4A7C15ull);
    BRAID_RETURN_IF_ERROR(rows_table_.io().CreateDirectories(state_dir_));
    Status st = rows_table_.io().WriteFile(location, EncodeCheckpoint(cp));
    if (!st.ok()) return st.WithContext("writing the join-state checkpoint");

    auto summary = SummaryFor(offsets, true);
    summary[kStateLocationKey] = location;
    std::vector<const RowBatch*> batches;
    if (!rows_.empty()) batches.push_back(&rows_);
    auto r = appender_->Append(rows_table_, batches, summary);
    if (!r.ok()) return r.status().WithContext("committing to " + rows_table_.id().ToString());
    if (!cp.rejects.empty()) {
      auto j = appender_->Append(rejects_table_, {&cp.rejects}, SummaryFor(offsets, false));
      if (!j.ok()) return j.status().WithContext("committing to " + rejects_table_.id().ToString());
    }
    consumer_->CommitForMonitoring(offsets);
    // Only the newest checkpoint is ever loaded: the previous one is garbage now.
    if (!prev_state_location_.empty()) (void)rows_table_.io().DeleteFile(prev_state_location_);
    prev_state_location_ = location;

    ++progress_.commits;
    progress_.rows_committed += static_cast<int64_t>(rows_.num_rows());
    progress_.rejects_committed += static_cast<int64_t>(cp.rejects.num_rows());
    committed_offsets_ = offsets;
    rows_.Clear();
    rejects_ = std::move(cp.rejects);
    rejects_.Clear();
    return Status::Ok();
  }

  void Report() {
    progress_.join = engine_->counters();
    progress_.watermark = watermark_before_finish_.value_or(engine_->watermark());
    progress_.elapsed_s = Elapsed();
    if (opt_.until_caught_up) {
      int64_t lag = 0;
      for (const Partition& p : parts_) {
        if (p.end) lag += std::max<int64_t>(0, p.end->value() - p.next.value());
      }
      progress_.lag = lag;
    }
    if (on_progress_) on_progress_(progress_);
  }

  JoinSpec spec_;
  KafkaConfig kafka_;
  TableOperations& rows_table_;
  TableOperations& rejects_table_;
  PipelineOptions opt_;
  std::function<void(const PipelineProgress&)> on_progress_;

  std::unique_ptr<JoinEngine> engine_;
  std::unique_ptr<TableAppender> appender_;
  std::unique_ptr<Consumer> consumer_;
  RowBatch rows_;
  RowBatch rejects_;
  std::vector<Partition> parts_;
  size_t last_ = 0;
  SourceOffsets committed_offsets_;
  int64_t commit_seq_ = 0;
  std::string state_dir_;
  std::string prev_state_location_;
  std::optional<Timestamp> watermark_before_finish_;
  PipelineProgress progress_;
  std::chrono::steady_clock::time_point start_;
};

PipelineRunner::PipelineRunner(JoinSpec spec, KafkaConfig kafka, TableOperations& rows_table,
                               TableOperations& rejects_table, PipelineOptions options,
                               std::function<void(const PipelineProgress&)> on_progress)
    : impl_(std::make_unique<Impl>(std::move(spec), std::move(kafka), rows_table, rejects_table,
                                   std::move(options), std::move(on_progress))) {}

PipelineRunner::~PipelineRunner() = default;

Result<PipelineProgress> PipelineRunner::Run() { return impl_->Run(); }

}  // namespace braid
