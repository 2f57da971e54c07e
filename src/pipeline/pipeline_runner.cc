#include "pipeline/pipeline_runner.h"

#include <chrono>
#include <future>
#include <random>
#include <set>

#include <fmt/format.h>

#include "base/crash_point.h"
#include "base/serial_worker.h"
#include "base/stop_signal.h"
#include "base/time_format.h"
#include "event/rejects.h"
#include "kafka/consumer.h"
#include "kafka/fetch_source.h"
#include "pipeline/commit_checkpoint.h"
#include "pipeline/pipeline_record.h"
#include "pipeline/polled_batch.h"
#include "pipeline/read_ahead.h"
#include "pipeline/source_offsets.h"
#include "pipeline/table_maintainer.h"
#include "table/parquet_compression.h"
#include "table/snapshot_summary.h"
#include "table/table_appender.h"

namespace braid {
namespace {

Timestamp WallNow() {
  return Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
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

  ~Impl() {
    if (read_ahead_) read_ahead_->Stop();
    if (consumer_) consumer_->SetWarningHandler(nullptr);
    if (opt_.process_ends_after) LeaveMemoryToExit();
  }

  // Moves what takes longest to free where nothing frees it: a list that lives as long as the
  // process (so that leak checkers see it held). The reader once stopped (its batches took 3-5
  // ms to free at 2 M seed actions). The appender only when no job of the committing thread
  // can be using it (after a failure one may still run).
  void LeaveMemoryToExit() {
    struct Left {
      std::unique_ptr<JoinEngine> engine;
      RowBatch rows, spare_rows;
      std::unique_ptr<ReadAhead> read_ahead;
      std::unique_ptr<TableAppender> appender;
    };
    static auto* left = new std::vector<std::unique_ptr<Left>>();
    auto l = std::make_unique<Left>(Left{std::move(engine_), std::move(rows_), std::move(spare_rows_),
                                         std::move(read_ahead_), nullptr});
    if (!appender_ready_.valid() && !committing_.load(std::memory_order_acquire)) {
      l->appender = std::move(appender_);
    }
    left->push_back(std::move(l));
  }

  Result<PipelineProgress> Run() {
    start_ = std::chrono::steady_clock::now();
    BRAID_RETURN_IF_ERROR(Start());
    Report();  // where the run starts (a bounded run's bar at its first percent)
    read_ahead_->Start();
    Status st = Loop();
    read_ahead_->Stop();
    BRAID_RETURN_IF_ERROR(st);
    progress_.elapsed_s = Elapsed();
    PublishMetrics();
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
    Timestamp last_write = Timestamp::Min();  // broker time of the newest record read this run
    int64_t records = 0;              // read this run
    int64_t known_end = -1;           // the broker's end offset, last seen (continuous); -1 none
  };

  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  Status Start() {
    BRAID_ASSIGN_OR_RETURN(engine_, JoinEngine::Create(spec_));
    BRAID_ASSIGN_OR_RETURN(decoder_, engine_->NewDecoder());
    // DuckDB writes each data file on the committing thread alone (CommitJob::writer_threads):
    // the reading and joining threads keep the other core busy, and a second DuckDB thread only
    // competed with them (2 M seed actions, farm-bench: 0.97× the wall time and the CPU, 38 MiB
    // less peak memory). The end of a bounded run is the exception (Stage, Commit).
    TableAppenderOptions appender_options;
    appender_options.writer.threads = 1;
    // Opened on the committing thread, the only one that writes with it, while this one asks
    // Kafka where to start (DuckDB, when a file needs it, opens there too: DataFileWriter).
    appender_ready_ = committer_.Submit([this, appender_options]() -> Status {
      BRAID_ASSIGN_OR_RETURN(appender_, TableAppender::Create(appender_options));
      if (opt_.mode != RunMode::kContinuous) {
        BRAID_ASSIGN_OR_RETURN(tail_appender_, appender_->Sibling());
      }
      return Status::Ok();
    });
    BRAID_RETURN_IF_ERROR(opt_.maintenance.Validate());
    maintainer_ = std::make_unique<TableMaintainer>(opt_.maintenance, opt_.on_notice);
    const std::string group = "braid-" + opt_.pipeline_id;
    if (opt_.source_factory) {
      BRAID_ASSIGN_OR_RETURN(consumer_, opt_.source_factory(kafka_, group));
    } else {
      BRAID_ASSIGN_OR_RETURN(consumer_, OpenRecordSource(kafka_, group));
    }
    consumer_->SetWarningHandler([this](const std::string& w) {
      if (read_ahead_ && read_ahead_->OnReadingThread()) {
        read_ahead_->HoldWarning(w);  // reported by the joining thread (PollAndJoin)
      } else {
        OnKafkaWarning(w);
      }
    });
    rows_ = RowBatch(engine_->output_schema());
    reserve_at_ = StageBytes() / 16;
    rejects_ = RowBatch(RejectsSchema());
    BRAID_ASSIGN_OR_RETURN(TableState rows_state, rows_table_.Refresh());
    // A compression braid cannot write is refused before any record is read.
    BRAID_RETURN_IF_ERROR(ParquetCompression::Of(rows_state.metadata)
                              .status()
                              .WithContext("table " + rows_table_.id().ToString()));
    state_dir_ = rows_state.metadata.location + "/braid-state/" + FileSafe(opt_.pipeline_id);

    std::vector<std::string> topics{spec_.driving.topic};
    for (const EnrichSpec& e : spec_.enriching) topics.push_back(e.stream.topic);
    std::vector<TopicPartition> all;
    for (const std::string& topic : topics) {
      BRAID_ASSIGN_OR_RETURN(auto ids, consumer_->ListPartitions(topic));
      for (PartitionId p : ids) all.push_back(TopicPartition{topic, p});
    }
    BRAID_ASSIGN_OR_RETURN(std::optional<SourceOffsets> start, Recover(rows_state));
    BRAID_RETURN_IF_ERROR(engine_->AssignPartitions(all));

    std::vector<StartPosition> positions;
    std::vector<std::string> lost;
    BRAID_ASSIGN_OR_RETURN(auto ranges, consumer_->QueryOffsetsOf(all));
    for (size_t i = 0; i < all.size(); ++i) {
      const TopicPartition& tp = all[i];
      const auto& lo_hi = ranges[i];
      Partition part{tp, KafkaOffset(0), std::nullopt};
      if (!start) {
        part.next = opt_.starting_offsets == StartingOffsets::kLatest ? lo_hi.second : lo_hi.first;
      } else if (auto it = start->find(tp); it == start->end()) {
        part.next = lo_hi.first;  // a partition added since the last run: all of it is new
      } else if (it->second < lo_hi.first) {
        // Retention removed records this pipeline never read.
        lost.push_back(fmt::format("{}[{}] offsets {}..{} ({} records)", tp.topic,
                                   tp.partition.value(), it->second.value(),
                                   lo_hi.first.value() - 1,
                                   lo_hi.first.value() - it->second.value()));
        progress_.skipped_records += lo_hi.first.value() - it->second.value();
        part.next = lo_hi.first;
      } else {
        part.next = it->second;
      }
      if (opt_.mode != RunMode::kContinuous) {
        part.end = lo_hi.second;
        part.done = part.next >= *part.end;
      }
      if (part.end) {
        progress_.to_read = std::max<int64_t>(progress_.to_read, 0) +
                            std::max<int64_t>(0, part.end->value() - part.next.value());
      }
      if (!part.done) positions.push_back(StartPosition{tp, part.next});
      // A bounded run: a partition with records left to read is not caught up, whatever the
      // last run saved. Left caught up, the first idleness check (MarkDone, a tick) would turn
      // it idle before it delivers, and the watermark would pass its unread records.
      if (part.end && !part.done) engine_->MarkNotCaughtUp(tp);
      committed_offsets_[tp] = part.next;
      part_tps_.push_back(part.tp);
      parts_.push_back(std::move(part));
    }
    if (!lost.empty()) {
      const std::string ranges = fmt::format("{}", fmt::join(lost, ", "));
      if (opt_.on_data_loss == OnDataLoss::kFail) {
        return Status::DataLoss(fmt::format(
            "records of pipeline {} were deleted by the broker's retention before braid read them: "
            "{}; nothing was committed. To continue from the earliest offsets that remain (the "
            "skip is recorded in the table), run again with --on-data-loss=skip",
            opt_.pipeline_id, ranges));
      }
      data_loss_ = ranges;
      Notice("skipping records lost to retention (--on-data-loss=skip): " + ranges);
      // Record the skip at once, even if nothing else is read.
      force_commit_ = true;
    }
    if (!start) {
      Notice(fmt::format("first run of pipeline {}: reading from the {} offsets "
                         "(--starting-offsets)",
                         opt_.pipeline_id,
                         opt_.starting_offsets == StartingOffsets::kLatest ? "latest" : "earliest"));
    }
    BRAID_RETURN_IF_ERROR(consumer_->Assign(positions));
    read_ahead_ = std::make_unique<ReadAhead>(*consumer_, *decoder_, part_tps_);
    return Status::Ok();
  }

  void Notice(const std::string& line) {
    if (opt_.on_notice) opt_.on_notice(line);
  }

  // Stops the run when another process has committed for this pipeline since this one last
  // committed (or recovered): two writers would duplicate every row.
  Status CheckSoleWriter(const TableMetadata& base, const TableOperations& table,
                         int64_t expected_seq) {
    std::optional<PipelineRecord> now = PipelineRecord::Find(base, opt_.pipeline_id);
    const int64_t seq = now ? now->commit_seq : 0;
    if (seq == expected_seq) return Status::Ok();
    return Status::FencedOut(fmt::format(
        "{} is committing for pipeline {}: table {} holds its {}, after this process's commit "
        "{}. This process stopped without committing more. Run one braid join per pipeline "
        "id; stop the other process, then restart this one to continue from the table",
        kAnotherWriter, opt_.pipeline_id, table.id().ToString(),
        now ? now->Describe() : "no commit", expected_seq));
  }

  // Finds this pipeline's newest commit record: loads its join state, finishes its rejects
  // commit if a crash interrupted it, and returns the offsets to resume from (nullopt: the
  // pipeline never committed).
  Result<std::optional<SourceOffsets>> Recover(const TableState& rows_state) {
    BRAID_ASSIGN_OR_RETURN(TableState rj, rejects_table_.Refresh());
    std::optional<PipelineRecord> rejects_rec = PipelineRecord::Find(rj.metadata, opt_.pipeline_id);
    rejects_seq_ = rejects_rec ? rejects_rec->commit_seq : 0;
    std::optional<PipelineRecord> rec = PipelineRecord::Find(rows_state.metadata, opt_.pipeline_id);
    if (!rec) return std::optional<SourceOffsets>();
    progress_.recovered = true;
    const std::string where =
        fmt::format("{} of {}", rec->Describe(), rows_table_.id().ToString());
    commit_seq_ = rec->commit_seq;
    BRAID_ASSIGN_OR_RETURN(SourceOffsets offsets, DecodeOffsets(rec->offsets));
    if (rec->state_location.empty()) return std::optional(offsets);
    auto bytes = rows_table_.io().ReadFile(rec->state_location);
    if (!bytes.ok()) {
      return bytes.status().WithContext(fmt::format(
          "the join-state checkpoint of {} cannot be read (was it deleted or is the storage "
          "unreachable?); braid will not guess the state: restore the file or its storage",
          where));
    }
    auto cp = DecodeCheckpoint(*bytes, RejectsSchema());
    if (!cp.ok()) return cp.status().WithContext(rec->state_location);
    if (!cp->engine_state.empty()) {
      Status st = engine_->LoadState(cp->engine_state);
      if (!st.ok()) return st.WithContext(rec->state_location);
    }
    prev_state_location_ = rec->state_location;
    if (!cp->rejects.empty() && rejects_seq_ < commit_seq_) {
      BRAID_RETURN_IF_ERROR(AppenderReady());
      auto r = appender_->Append(rejects_table_, {&cp->rejects}, RejectsRequest(offsets, commit_seq_));
      if (!r.ok()) return r.status().WithContext("recovering the rejects of " + where);
      rejects_seq_ = commit_seq_;
      progress_.recovered_rejects = static_cast<int64_t>(cp->rejects.num_rows());
    }
    return std::optional(offsets);
  }

  PipelineRecord RecordFor(const SourceOffsets& offsets, int64_t seq) const {
    PipelineRecord r;
    r.commit_seq = seq;
    r.offsets = EncodeOffsets(offsets);
    r.data_loss = data_loss_;
    r.committed_at_ms = WallNow().micros() / 1000;
    r.writer = writer_;
    return r;
  }

  CommitRequest RejectsRequest(const SourceOffsets& offsets, int64_t seq) {
    PipelineRecord r = RecordFor(offsets, seq);
    const int64_t expected = rejects_seq_;
    return CommitRequest{r.ToSummary(opt_.pipeline_id), r.ToProperties(opt_.pipeline_id),
                         [this, expected](const TableMetadata& base) {
                           return CheckSoleWriter(base, rejects_table_, expected);
                         }};
  }

  Partition& Find(std::string_view topic, PartitionId p) { return parts_[lookup_.Find(topic, p)]; }

  void MarkDone(Partition& part) {
    if (part.done) return;
    part.done = true;
    if (!part.paused) {
      PauseOrResume(part, true);
    }
    // A bounded run: a finished partition that counts as idle stops holding the watermark now.
    // Left to the next tick (up to 200 ms), it held it where its own records end, often minutes
    // of event time behind the others; the others, paused ahead of it, were then all released
    // (Align), and read on unaligned: at 2 M seed actions the join state grew from 0.2 M to
    // 0.8 M events until the tick.
    ApplyBoundedIdleness();
  }

  // Joins one record that the reading thread decoded.
  void OnRecord(Partition& part, const KafkaRecord& r, const DecodedRecord& decoded) {
    // After a stop request or a failed commit, records are left unread: their offsets are not
    // committed, so the next run reads them again.
    if (!record_status_.ok() || StopSignal::requested()) return;
    if (part.done || (part.end && r.offset >= *part.end)) {
      MarkDone(part);  // a bounded run ignores records written after it started
      return;
    }
    engine_->ProcessDecoded(r, decoded, &rows_, &rejects_);
    ++joined_;
    ++part.records;
    part.next = KafkaOffset(r.offset.value() + 1);
    part.last_write = std::max(part.last_write, r.broker_time);
    if (part.end && part.next >= *part.end) MarkDone(part);
    if (BufferFull()) {
      record_status_ = Commit(false);
    } else if (StageDue()) {
      record_status_ = Stage();
    } else if (rows_.ByteSize() >= reserve_at_) {
      // A fresh buffer (the first ones of a run) is sized once for a whole stage.
      rows_.ReserveFor(StageBytes());
      reserve_at_ = SIZE_MAX;
    }
  }

  // Joins a decoded batch, in the order it was read.
  void JoinBatch(const PolledBatch& batch) {
    // A key's index entry and state are rarely in cache: both are fetched ahead while this
    // record joins (JoinOperator::kPrefetchAhead).
    constexpr size_t kAhead = JoinOperator::kPrefetchAhead;
    for (size_t i = 0; i < batch.items.size(); ++i) {
      if (i + kAhead < batch.items.size() && !batch.items[i + kAhead].end) {
        engine_->Prefetch(batch.decoded[i + kAhead]);
      }
      if (i + kAhead / 2 < batch.items.size() && !batch.items[i + kAhead / 2].end) {
        engine_->PrefetchState(batch.decoded[i + kAhead / 2]);
      }
      const PolledBatch::Item& it = batch.items[i];
      Partition& part = parts_[it.part];
      if (it.end) {
        OnEnd(part.tp, KafkaOffset(it.offset));
      } else {
        OnRecord(part, batch.Record(i, part.tp), batch.decoded[i]);
      }
    }
  }

  // Joins the next batch the reading thread read and decoded (ReadAhead), waiting up to
  // 100 ms for one. Offsets move only as records are joined, so a stop leaves what was read
  // ahead to the next run.
  Status PollAndJoin() {
    std::unique_ptr<PolledBatch> batch = read_ahead_->Next(std::chrono::milliseconds(100));
    for (const std::string& w : read_ahead_->TakeWarnings()) OnKafkaWarning(w);
    if (!batch) return read_ahead_->failure();
    JoinBatch(*batch);
    read_ahead_->Recycle(std::move(batch));
    return Status::Ok();
  }

  // Pauses or resumes a partition's reading (between two polls of the reading thread).
  void PauseOrResume(Partition& part, bool pause) {
    read_ahead_->Post([tp = part.tp, pause](RecordSource& source) {
      (void)(pause ? source.Pause(tp) : source.Resume(tp));
    });
    part.paused = pause;
  }

  void OnKafkaWarning(const std::string& w) {
    if (opt_.metrics) opt_.metrics->OnKafkaError();
    Notice(w);
  }

  // The end of a partition's log: records between the last delivered one and `end` were
  // transaction markers or aborted, so reading on starts at `end`.
  void OnEnd(const TopicPartition& tp, KafkaOffset end) {
    Partition& p = Find(tp.topic, tp.partition);
    if (!record_status_.ok() || StopSignal::requested()) return;
    if (p.end) end = std::min(end, *p.end);
    if (end > p.next) p.next = end;
    if (opt_.mode == RunMode::kContinuous) {
      engine_->MarkCaughtUp(p.tp);
    } else if (p.next >= *p.end) {
      MarkDone(p);
    }
  }

  // Bounded run: which finished partitions count as idle, as a continuous run reading the same
  // log in real time would see them. A partition whose last record was written (broker time)
  // at least idle_timeout ago is idle; one written to more recently holds the watermark, so
  // that the next scheduled run's records in it are not late. A partition this run read
  // nothing from keeps the idleness the last run saved, unless it never delivered anything.
  // Applied at once: the watermark moves past the partitions that turn idle.
  // When a finished partition of a bounded run turns idle: once its last record read this run
  // is idle_timeout old. None when this run read nothing from it (its idleness is the saved one).
  std::optional<Timestamp> TurnsIdleAt(const Partition& p) const {
    if (p.last_write == Timestamp::Min()) return std::nullopt;
    return p.last_write + spec_.IdleTimeoutOf(p.tp.topic);
  }
  void ApplyBoundedIdleness() {
    const Timestamp now = WallNow();
    for (const Partition& p : parts_) {
      if (!p.done) continue;
      const std::optional<Timestamp> at = TurnsIdleAt(p);
      const bool idle = at ? *at <= now : !engine_->HasDelivered(p.tp) || engine_->IsIdle(p.tp);
      if (idle) {
        engine_->MarkCaughtUp(p.tp);
      } else {
        engine_->MarkNotCaughtUp(p.tp);
      }
    }
    engine_->OnIdleCheck(Timestamp::Max(), &rows_);
  }

  // Continuous run: a partition may turn idle only while its broker confirms it has nothing
  // more to read (DESIGN §3). Asks the brokers for the end offsets of the partitions that
  // delivered nothing lately; an unanswered probe keeps every partition from being idle.
  void ProbeEnds() {
    std::vector<TopicPartition> quiet;
    for (const Partition& p : parts_) quiet.push_back(p.tp);
    Result<std::map<TopicPartition, KafkaOffset>> ends = Status::Unavailable("not asked");
    read_ahead_->Call([&](RecordSource& source) { ends = source.EndOffsets(quiet, 2000); });
    const bool unreachable = !ends.ok();
    if (unreachable != progress_.broker_unreachable) {
      Notice(unreachable ? ends.status().message() + "; waiting for the broker (no partition "
                                                     "counts as idle meanwhile)"
                         : "the broker answers again");
    }
    progress_.broker_unreachable = unreachable;
    int64_t lag = 0;
    for (Partition& p : parts_) {
      if (unreachable) {
        engine_->MarkNotCaughtUp(p.tp);
        continue;
      }
      auto it = ends->find(p.tp);
      if (it == ends->end()) continue;
      p.known_end = it->second.value();
      lag += std::max<int64_t>(0, it->second.value() - p.next.value());
      if (p.next >= it->second) {
        engine_->MarkCaughtUp(p.tp);
      } else {
        engine_->MarkNotCaughtUp(p.tp);
      }
    }
    progress_.lag = unreachable ? -1 : lag;
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
    // A hold waits for the other partitions to move the watermark. In a bounded run, once
    // every partition not held has been read to its end, nothing can move it by reading (a
    // finished partition that was written to lately, or that the last run saved as not idle,
    // holds the watermark where it is): holding on would never end the run. Releasing changes
    // no result: the watermark is still the minimum over the partitions.
    if (opt_.mode != RunMode::kContinuous) {
      bool others_read = false;
      for (const Partition& p : parts_) others_read = others_read || (!p.done && !pause.count(p.tp));
      if (!others_read && !WaitForHoldToLapse()) pause.clear();
    }
    for (Partition& p : parts_) {
      if (p.done) continue;
      const bool want = pause.count(p.tp) > 0;
      if (want != p.paused) PauseOrResume(p, want);
    }
  }

  // A bounded run in which every partition still to read is held behind finished ones: reading
  // on keeps all it reads in the join state until the holds end, and so does the run's
  // checkpoint (at 2 M seed actions started within the idle timeout of the last write, 4.2 M of
  // the 5.2 M records, 616 MiB). Once the state holds kHeldStateRows events, the run waits
  // instead when every hold ends by itself soon: a holding partition turns idle once its last
  // record is idle_timeout old (ApplyBoundedIdleness), and the run waits for that when it is at
  // most kMaxHoldWait away. Its rows are then those of a run started after the wait. Not waited
  // for: a hold that does not end by itself (a partition this run read nothing from, saved as
  // not idle), a last record stamped in the future, a longer idle timeout.
  static constexpr uint64_t kHeldStateRows = 250'000;
  static constexpr Duration kMaxHoldWait = Duration::Seconds(60);
  bool WaitForHoldToLapse() {
    if (engine_->counters().state_rows < kHeldStateRows) return false;
    const Timestamp now = WallNow();
    Timestamp lapse = Timestamp::Min();
    for (const Partition& p : parts_) {
      if (!p.done || engine_->IsIdle(p.tp)) continue;
      const std::optional<Timestamp> at = TurnsIdleAt(p);
      if (!at || p.last_write > now) return false;
      lapse = std::max(lapse, *at);
    }
    if (lapse == Timestamp::Min() || lapse > now + kMaxHoldWait) return false;
    if (!hold_told_) {
      hold_told_ = true;
      const double wait_s = static_cast<double>(std::max<int64_t>(0, lapse.micros() - now.micros())) / 1e6;
      Notice(fmt::format("every partition left to read is ahead of finished ones written to in the "
                         "last idle timeout, and the join state holds {} events: waiting {:.1f}s "
                         "for those to turn idle rather than holding all that is read meanwhile",
                         engine_->counters().state_rows, wait_s));
    }
    return true;
  }

  Status Loop() {
    using Clock = std::chrono::steady_clock;
    auto last_commit = Clock::now();
    auto last_tick = Clock::now();
    auto last_probe = Clock::now();
    auto last_progress = Clock::now();
    auto last_metrics = Clock::now();
    PublishMetrics();
    const auto deadline = opt_.duration
                              ? std::optional(Clock::now() + std::chrono::microseconds(
                                                                 opt_.duration->micros()))
                              : std::nullopt;
    const bool bounded = opt_.mode != RunMode::kContinuous;
    for (;;) {
      if (bounded && AllDone()) {
        read_ahead_->RequestStop();  // nothing more to read: its core is the final commit's
        reading_done_ = true;
        ApplyBoundedIdleness();
        if (opt_.mode == RunMode::kDrain) {
          watermark_before_finish_ = engine_->watermark();
          BRAID_RETURN_IF_ERROR(Drain());
        }
        BRAID_RETURN_IF_ERROR(WriteLastRowsBeside());
        return CommitAndWait(/*final_input=*/opt_.mode == RunMode::kDrain);
      }
      if (StopSignal::requested() || (deadline && Clock::now() >= *deadline)) {
        return CommitAndWait(/*final_input=*/false);
      }
      const int64_t before = progress_.commits;
      BRAID_RETURN_IF_ERROR(PollAndJoin());
      BRAID_RETURN_IF_ERROR(record_status_);
      BRAID_RETURN_IF_ERROR(FinishCommit(/*wait=*/false));
      if (progress_.commits != before) last_commit = Clock::now();
      const auto now = Clock::now();
      if (now - last_tick >= std::chrono::milliseconds(200)) {
        last_tick = now;
        if (!bounded && now - last_probe >= std::chrono::seconds(1)) {
          last_probe = now;
          ProbeEnds();
        }
        // A bounded run decides idleness from broker time (ApplyBoundedIdleness).
        if (bounded) {
          ApplyBoundedIdleness();
        } else {
          engine_->OnIdleCheck(WallNow(), &rows_);
        }
      }
      // After every poll: holding a partition is free (its records wait in its own queue), and
      // a stale hold would leave records unread while the others run dry.
      Align();
      if (force_commit_ ||
          now - last_commit >= std::chrono::microseconds(opt_.commit_interval.micros()) ||
          BufferFull()) {
        BRAID_RETURN_IF_ERROR(Commit(false));
        last_commit = Clock::now();
      } else if (StageDue()) {
        BRAID_RETURN_IF_ERROR(Stage());
      }
      if (opt_.metrics && now - last_metrics >= std::chrono::seconds(1)) {
        last_metrics = now;
        PublishMetrics();
      }
      if (now - last_progress >= std::chrono::microseconds(opt_.progress_interval.micros())) {
        last_progress = now;
        Report();
      }
    }
  }

  // Ends a drain: the watermark goes to +∞ and every window still open closes (JoinEngine::
  // Finish), which emits a good part of a run's rows at its very end (a sixth of them at 2 M
  // seed actions). The sweep runs in parts; whenever the committing thread is free, the rows
  // swept so far go to it as a stage, so that writing them overlaps the sweep.
  Status Drain() {
    constexpr size_t kPartRows = 8192;
    while (!engine_->Finish(&rows_, kPartRows)) {
      if (StageDue()) BRAID_RETURN_IF_ERROR(Stage());
    }
    return Status::Ok();
  }

  // Reading is done (and a drain's sweep too) while the committing thread still writes a
  // stage: the rows left are written here, on the joining thread, which has nothing else to do,
  // beside it (tail_appender_, a sibling writer), and the final commit adds them with the
  // staged files. At 2 M seed actions the stage had 13-47 ms to go and the rows
  // left (23-70 k) took 20-38 ms more after it: from the end of reading to the process's exit
  // took 56 ms (median of ten runs) against 68. The rows go under the table as the last stage
  // saw it (its state); the final commit checks its files against the table as it then is.
  Status WriteLastRowsBeside() {
    if (rows_.empty() || !last_stage_state_ || !committing_.load(std::memory_order_acquire)) {
      return Status::Ok();
    }
    BRAID_RETURN_IF_ERROR(AppenderReady());  // tail_appender_ too
    if (!tail_appender_) return Status::Ok();
    const RowBatch rows = TakeRows(WallNow());
    BRAID_ASSIGN_OR_RETURN(std::vector<DataFile> files,
                           WriteRowFiles(*tail_appender_, *last_stage_state_, rows));
    BRAID_RETURN_IF_ERROR(FinishCommit(/*wait=*/true));  // staged_files_ are this thread's again
    KeepStaged(std::move(files), rows.num_rows());
    return Status::Ok();
  }

  // `rows` as data files of the rows table under `state`, through `appender`; not added yet.
  Result<std::vector<DataFile>> WriteRowFiles(TableAppender& appender, const TableState& state,
                                              const RowBatch& rows) {
    auto files = appender.WriteDataFiles(rows_table_, state, rows);
    if (!files.ok()) return files.status().WithContext("writing data files of " + rows_table_.id().ToString());
    return files;
  }

  // Files written for the next commit to add, and their rows. The committing thread's while a
  // job is in flight, the joining thread's when none is.
  void KeepStaged(std::vector<DataFile> files, size_t rows) {
    for (DataFile& f : files) staged_files_.push_back(std::move(f));
    staged_rows_ += static_cast<int64_t>(rows);
  }

  // The output since the last commit (rows in memory, rows staged, rejects) reached
  // --max-buffer-bytes: commit before reading on.
  bool BufferFull() const {
    return rows_.ByteSize() + staged_bytes_ + rejects_.ByteSize() >= opt_.max_buffer_bytes;
  }
  // Rows in memory reached an eighth of the budget: write them as data files now (Stage), so
  // the rows held in memory stay a fraction of the budget whatever the commit interval. In the
  // last stretch of a bounded run (InLastStretch), a quarter of that is enough when the
  // committing thread is free: what is in memory when reading ends is written after it, so it
  // is kept small (at 2 M seed actions, up to 300 k rows were, and took 130 ms to write).
  size_t StageBytes() const { return opt_.max_buffer_bytes / 8; }
  bool StageDue() const {
    const size_t bytes = rows_.ByteSize();
    if (bytes >= StageBytes()) return true;
    return bytes >= StageBytes() / 4 && InLastStretch() &&
           !committing_.load(std::memory_order_acquire);
  }
  // A bounded run whose input ends before the rows in memory make a whole stage (at the rate
  // the records joined since the last stage gave rows).
  bool InLastStretch() const {
    return reading_done_ ||
           (progress_.to_read >= 0 && progress_.to_read - joined_ < joined_ - joined_at_stage_);
  }

  // What one commit writes, handed from the joining thread to the committing one; or, with
  // `stage_only`, rows to write as data files that the next commit adds.
  struct CommitJob {
    bool stage_only = false;
    std::optional<TableState> stage_state;  // the table as a stage job wrote under (its output)
    int64_t seq = 0;
    RowBatch rows;
    int64_t rows_committed = 0;  // `rows` and the staged rows this commit added
    CommitCheckpoint cp;  // the join state and the rejects
    SourceOffsets offsets;
    std::string watermark;
    bool final_input = false;
    int writer_threads = 1;  // DuckDB's threads for the job's data files (0: every core)
    double commit_s = 0;  // checkpoint and both tables' commits, maintenance not included
  };

  // Hands the buffered rows, rejects and join state to a background commit, so reading goes
  // on while Parquet files and metadata are written. One commit is in flight at most: this
  // first waits for the previous one (and fails if it failed). Commits land in order; each
  // carries its own offsets and state, so recovery is as before.
  Status Commit(bool final_input) {
    BRAID_RETURN_IF_ERROR(AppenderReady());
    BRAID_RETURN_IF_ERROR(FinishCommit(/*wait=*/true));
    SourceOffsets offsets;
    for (const Partition& p : parts_) offsets[p.tp] = p.next;
    // No job is in flight here, so the committing thread's staged files may be looked at.
    if (rows_.empty() && rejects_.empty() && staged_files_.empty() && offsets == committed_offsets_ &&
        !final_input && !force_commit_) {
      return Status::Ok();
    }
    auto job = std::make_unique<CommitJob>();
    job->seq = ++commit_seq_;
    const Timestamp now = WallNow();
    if (!final_input) BRAID_RETURN_IF_ERROR(engine_->SaveState(&job->cp.engine_state));
    // The last commit of a bounded run has the machine to itself: many rows (a quarter of a
    // stage or more) are written with every core; for a few, starting DuckDB's second thread
    // cost more than it saved (38 ms with one against 51 ms with two).
    if (reading_done_ && rows_.ByteSize() >= StageBytes() / 4) job->writer_threads = 0;
    job->rows = TakeRows(now);
    rejects_.FillTimestampColumn(kRejectsProcessingTimeColumn, now);
    job->cp.rejects = std::exchange(rejects_, std::move(spare_rejects_));
    if (rejects_.num_columns() == 0) rejects_ = RowBatch(RejectsSchema());
    job->offsets = offsets;
    job->final_input = final_input;
    job->watermark = FormatTimestamp(watermark_before_finish_.value_or(engine_->watermark()));
    committed_offsets_ = offsets;
    staged_bytes_ = 0;
    force_commit_ = false;
    Launch(std::move(job));
    return Status::Ok();
  }

  // Hands the buffered rows to the committing thread to be written as data files now, and
  // committed by the next commit with its offsets and state. Until then no snapshot names
  // them: a crash leaves them unreferenced (orphans), never half a commit.
  Status Stage() {
    BRAID_RETURN_IF_ERROR(AppenderReady());
    BRAID_RETURN_IF_ERROR(FinishCommit(/*wait=*/true));
    auto job = std::make_unique<CommitJob>();
    job->stage_only = true;
    joined_at_stage_ = joined_;
    staged_bytes_ += rows_.ByteSize();
    job->rows = TakeRows(WallNow());
    Launch(std::move(job));
    return Status::Ok();
  }

  // The rows buffered so far, stamped with the processing time `now`. The next buffer is the
  // one the previous job gave back, emptied: its capacity is kept.
  RowBatch TakeRows(Timestamp now) {
    rows_.FillTimestampColumn(rows_.num_columns() - 1, now);
    RowBatch taken = std::exchange(rows_, std::move(spare_rows_));
    if (rows_.num_columns() == 0) rows_ = RowBatch(engine_->output_schema());
    reserve_at_ = StageBytes() / 16;
    return taken;
  }

  // Waits for the appender the committing thread opens (at once after the first call); its
  // failure, if it failed. Every job is handed over after this said OK.
  Status AppenderReady() {
    if (appender_ready_.valid()) appender_status_ = appender_ready_.get();
    return appender_status_;
  }

  void Launch(std::unique_ptr<CommitJob> job) {
    committing_.store(true, std::memory_order_relaxed);
    inflight_ = committer_.Submit([this, job = std::move(job)]() mutable {
      Status st = job->stage_only ? WriteStaged(*job) : Execute(*job);
      done_ = std::move(job);
      committing_.store(false, std::memory_order_release);
      return st;
    });
  }

  // Collects the commit in flight: with `wait`, waits for it; without, only if it is done.
  Status FinishCommit(bool wait) {
    if (!inflight_.valid()) return Status::Ok();
    if (!wait && inflight_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      return Status::Ok();
    }
    BRAID_RETURN_IF_ERROR(inflight_.get());
    if (done_->stage_only) {
      last_stage_state_ = std::move(done_->stage_state);
      done_->rows.Clear();
      spare_rows_ = std::move(done_->rows);
      done_.reset();
      return Status::Ok();
    }
    CrashPoint("before-group-offsets");
    read_ahead_->Post([offsets = done_->offsets](RecordSource& source) {
      source.CommitForMonitoring(offsets);
    });
    ++progress_.commits;
    progress_.last_commit_s = done_->commit_s;
    progress_.rows_committed += done_->rows_committed;
    progress_.rejects_committed += static_cast<int64_t>(done_->cp.rejects.num_rows());
    done_->rows.Clear();
    done_->cp.rejects.Clear();
    spare_rows_ = std::move(done_->rows);
    spare_rejects_ = std::move(done_->cp.rejects);
    done_.reset();
    return Status::Ok();
  }

  Status CommitAndWait(bool final_input) {
    BRAID_RETURN_IF_ERROR(Commit(final_input));
    return FinishCommit(/*wait=*/true);
  }

  // The committing thread: checkpoint, rows table, rejects table. Touches only the tables,
  // the appender and the commit bookkeeping below, which the joining thread leaves alone while
  // a commit is in flight.
  Status Execute(CommitJob& job) {
    const auto started = std::chrono::steady_clock::now();
    BRAID_RETURN_IF_ERROR(appender_->SetWriterThreads(job.writer_threads));
    const std::string location =
        fmt::format("{}/{:010}-{:016x}.ckpt", state_dir_, job.seq, std::random_device()() *
                                                                       0x9E3779B97F4A7C15ull);
    BRAID_RETURN_IF_ERROR(rows_table_.io().CreateDirectories(state_dir_));
    std::string checkpoint = EncodeCheckpoint(job.cp);
    Status st = rows_table_.io().WriteFile(location, checkpoint);
    if (!st.ok()) return st.WithContext("writing the join-state checkpoint");
    // Both copies of the join state go before the data files are written.
    const auto checkpoint_bytes = static_cast<int64_t>(checkpoint.size());
    std::string().swap(checkpoint);
    std::string().swap(job.cp.engine_state);
    CrashPoint("after-checkpoint");

    PipelineRecord record = RecordFor(job.offsets, job.seq);
    record.watermark = job.watermark;
    record.state_location = location;
    const int64_t expected = job.seq - 1;
    CommitRequest request{record.ToSummary(opt_.pipeline_id), record.ToProperties(opt_.pipeline_id),
                          [this, expected](const TableMetadata& base) {
                            return CheckSoleWriter(base, rows_table_, expected);
                          }};
    std::vector<const RowBatch*> batches;
    if (!job.rows.empty()) batches.push_back(&job.rows);
    auto r = appender_->Append(rows_table_, batches, request, staged_files_);
    if (!r.ok()) {
      if (r.status().kind() == StatusKind::kFencedOut) return r.status();
      return r.status().WithContext("committing to " + rows_table_.id().ToString());
    }
    int retries = r->attempts - 1;
    staged_files_.clear();
    job.rows_committed = static_cast<int64_t>(job.rows.num_rows()) + std::exchange(staged_rows_, 0);
    CrashPoint("between-tables");
    if (!job.cp.rejects.empty()) {
      auto j = appender_->Append(rejects_table_, {&job.cp.rejects},
                                 RejectsRequest(job.offsets, job.seq));
      if (!j.ok()) {
        if (j.status().kind() == StatusKind::kFencedOut) return j.status();
        return j.status().WithContext("committing to " + rejects_table_.id().ToString());
      }
      rejects_seq_ = job.seq;
      retries += j->attempts - 1;
    }
    // Only the newest checkpoint is ever loaded: the previous one is garbage now.
    if (!prev_state_location_.empty()) (void)rows_table_.io().DeleteFile(prev_state_location_);
    prev_state_location_ = location;
    job.commit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (opt_.metrics) {
      opt_.metrics->OnCommit(
          CommitView{job.seq, r->snapshot_id.value(), job.rows_committed,
                     static_cast<int64_t>(job.cp.rejects.num_rows()), job.commit_s,
                     WallNow().micros() / 1000, checkpoint_bytes, retries},
          job.cp.rejects);
    }
    maintainer_->AfterCommit({&rows_table_, &rejects_table_}, WallNow().micros() / 1000, job.final_input);
    return Status::Ok();
  }

  // The committing thread: a stage job's rows as data files, kept for the next commit.
  Status WriteStaged(CommitJob& job) {
    BRAID_RETURN_IF_ERROR(appender_->SetWriterThreads(job.writer_threads));
    BRAID_ASSIGN_OR_RETURN(TableState state, rows_table_.Refresh());
    BRAID_ASSIGN_OR_RETURN(std::vector<DataFile> files, WriteRowFiles(*appender_, state, job.rows));
    KeepStaged(std::move(files), job.rows.num_rows());
    job.stage_state = std::move(state);
    CrashPoint("after-staged-files");
    return Status::Ok();
  }

  // Hands the joining thread's view to the metrics (a copy per second; the lock is theirs).
  void PublishMetrics() {
    if (!opt_.metrics) return;
    PipelineView v;
    v.partitions.reserve(parts_.size());
    for (const Partition& p : parts_) {
      PartitionView pv;
      pv.topic = p.tp.topic;
      pv.partition = p.tp.partition.value();
      pv.next_offset = p.next.value();
      // A probe answered before the newest records were read may be behind the position.
      pv.end_offset = p.end ? p.end->value()
                            : p.known_end < 0 ? -1 : std::max(p.known_end, p.next.value());
      pv.records_read = p.records;
      pv.watermark = engine_->PartitionWatermark(p.tp);
      pv.paused = p.paused;
      pv.idle = engine_->IsIdle(p.tp);
      v.partitions.push_back(std::move(pv));
    }
    v.join = engine_->counters();
    v.watermark = watermark_before_finish_.value_or(engine_->watermark());
    v.buffered_rows = static_cast<int64_t>(rows_.num_rows() + rejects_.num_rows());
    v.buffered_bytes = static_cast<int64_t>(rows_.ByteSize() + rejects_.ByteSize());
    v.broker_unreachable = progress_.broker_unreachable;
    opt_.metrics->Publish(std::move(v), WallNow().micros() / 1000);
  }

  void Report() {
    progress_.join = engine_->counters();
    progress_.watermark = watermark_before_finish_.value_or(engine_->watermark());
    progress_.elapsed_s = Elapsed();
    if (opt_.mode != RunMode::kContinuous) {
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
  std::unique_ptr<TableAppender> appender_;  // the committing thread's (AppenderReady)
  // A bounded run's: the joining thread's, for the rows left when reading ends (WriteLastRowsBeside).
  std::unique_ptr<TableAppender> tail_appender_;
  std::optional<TableState> last_stage_state_;  // from the last stage job collected
  std::future<Status> appender_ready_;
  Status appender_status_;
  std::unique_ptr<TableMaintainer> maintainer_;  // used by the committing thread only
  std::unique_ptr<RecordSource> consumer_;
  RowBatch rows_;
  RowBatch rejects_;
  RowBatch spare_rows_;     // emptied buffers of the last commit, reused by the next
  // rows_.ByteSize() at which rows_ is sized for a stage (a sixteenth of one: enough rows to
  // tell how the columns share the bytes); SIZE_MAX once it is.
  size_t reserve_at_ = SIZE_MAX;
  RowBatch spare_rejects_;
  std::future<Status> inflight_;       // the commit being written, if any
  std::unique_ptr<CommitJob> done_;    // set by the committing thread when it finishes
  bool hold_told_ = false;  // WaitForHoldToLapse's notice was given
  std::atomic<bool> committing_{false};  // a job is in flight and not finished (StageDue)
  // The committing thread's: data files written by stage jobs since the last commit.
  std::vector<DataFile> staged_files_;
  int64_t staged_rows_ = 0;
  bool reading_done_ = false;    // a bounded run has read everything: the last commit is next
  int64_t joined_ = 0;           // records handed to the engine this run
  int64_t joined_at_stage_ = 0;  // joined_ when the last stage was handed over
  size_t staged_bytes_ = 0;  // the joining thread's: bytes of rows staged since the last commit
  std::vector<Partition> parts_;
  std::vector<TopicPartition> part_tps_;  // parts_[i].tp, for the reading thread
  PartitionLookup lookup_{part_tps_};     // the joining thread's
  std::unique_ptr<JoinEngine::RecordDecoder> decoder_;  // the reading thread's (ReadAhead)
  // Polls and decodes ahead of the join. It uses consumer_, decoder_ and part_tps_, so it is
  // declared after them: destroyed, its thread stopped, first.
  std::unique_ptr<ReadAhead> read_ahead_;
  SourceOffsets committed_offsets_;
  int64_t commit_seq_ = 0;
  std::string state_dir_;
  std::string prev_state_location_;
  std::optional<Timestamp> watermark_before_finish_;
  int64_t rejects_seq_ = 0;       // the rejects table's newest commit of this pipeline
  std::string data_loss_;          // skipped ranges, recorded with the next commit
  bool force_commit_ = false;      // commit at the next check even with nothing buffered
  Status record_status_;           // a commit made from inside Poll's record callback failed
  const std::string writer_ = WriterName();
  PipelineProgress progress_;
  std::chrono::steady_clock::time_point start_;
  // The committing thread. Last: destroyed first, so a job still in flight finishes while
  // everything it uses is alive.
  SerialWorker committer_{"braid-commit"};
};

PipelineRunner::PipelineRunner(JoinSpec spec, KafkaConfig kafka, TableOperations& rows_table,
                               TableOperations& rejects_table, PipelineOptions options,
                               std::function<void(const PipelineProgress&)> on_progress)
    : impl_(std::make_unique<Impl>(std::move(spec), std::move(kafka), rows_table, rejects_table,
                                   std::move(options), std::move(on_progress))) {}

PipelineRunner::~PipelineRunner() = default;

Result<PipelineProgress> PipelineRunner::Run() { return impl_->Run(); }

}  // namespace braid
