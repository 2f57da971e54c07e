#pragma once
// JoinEngine: the join as the runtime sees it. Kafka records in; joined rows and rejects out;
// event time, idleness, alignment and checkpoints handled inside. Driven entirely by a
// JoinSpec (no field name of the seed is known here).
//
// Not thread-safe: one engine per worker thread, called from that thread only. The engine
// reads no clock: wall-clock time comes in through OnIdleCheck.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/row_batch.h"
#include "event/event_decoder.h"
#include "event/rejects.h"
#include "join/join_operator.h"
#include "join/join_plan.h"
#include "join/watermark_tracker.h"
#include "kafka/kafka_record.h"

namespace braid {

/// Progress counters of one engine since it was created (not checkpointed).
struct JoinCounters {
  uint64_t records_in = 0;
  uint64_t rows_out = 0;
  uint64_t rejects = 0;  // all kinds, late included
  uint64_t late = 0;
  std::array<uint64_t, kRejectKindCount> rejects_by_kind{};  // indexed by RejectKind
  uint64_t state_rows = 0;  // events held now
  uint64_t peak_state_rows = 0;
  uint64_t state_keys = 0;
};

/// A record decoded ahead of the join (JoinEngine::RecordDecoder), for ProcessDecoded.
struct DecodedRecord {
  int stream = -1;               // index in the plan; -1: the topic is no input
  std::optional<Reject> reject;  // malformed (late is decided by the join)
  DecodedEvent event;            // when there is no reject
  size_t key_hash = 0;           // JoinOperator::KeyHash(event.key), when there is no reject
};

class JoinEngine {
 public:
  /// Decodes records of this engine's streams on any thread: one decoder per thread. Decoding
  /// reads no join state, so a batch can be decoded while the engine joins the previous one.
  class RecordDecoder {
   public:
    void Decode(const KafkaRecord& record, DecodedRecord* out);

   private:
    friend class JoinEngine;
    int StreamOf(std::string_view topic);

    const JoinPlan* plan_ = nullptr;
    std::vector<std::unique_ptr<EventDecoder>> decoders_;  // per stream
    // The last topic looked up, and its stream: records come in runs of one partition.
    std::string last_topic_;
    int last_stream_ = -1;
  };

  /// Validates `spec` (JoinPlan::Compile) and builds the decoders. InvalidArgument on a bad
  /// spec.
  static Result<std::unique_ptr<JoinEngine>> Create(const JoinSpec& spec);

  JoinEngine(const JoinEngine&) = delete;
  JoinEngine& operator=(const JoinEngine&) = delete;

  const JoinPlan& plan() const { return plan_; }
  /// Schema of the rows Process/OnIdleCheck/Finish append: the declared output columns (field
  /// ids 1..n) and processing_time (NULL; fill with RowBatch::FillTimestampColumn at commit).
  const RowSchema& output_schema() const { return plan_.output_schema(); }

  /// Registers assigned partitions with the watermark: each holds the watermark at −∞ until
  /// it delivers a record or becomes idle. InvalidArgument for a topic that is not an input
  /// (then nothing is registered). A record from a partition never assigned registers it.
  Status AssignPartitions(std::span<const TopicPartition> partitions);
  /// Revoked partitions stop holding the watermark. Their keys' state is kept.
  void RevokePartitions(std::span<const TopicPartition> partitions);
  /// The consumer reached the end of `partition` (e.g. librdkafka partition EOF): it may turn
  /// idle after idle_timeout without records.
  void MarkCaughtUp(const TopicPartition& partition);
  /// `partition`'s end cannot be confirmed (broker unreachable, records waiting): it stops
  /// being idle and holds the watermark (WatermarkTracker::MarkNotCaughtUp).
  void MarkNotCaughtUp(const TopicPartition& partition);

  /// Decodes `record`, rejects it if malformed or late (event time below the watermark), joins
  /// it otherwise. Appends completed rows to `rows` (output_schema()) and the record's reject
  /// row, if any, to `rejects` (RejectsSchema()). May advance the watermark, which appends the
  /// NULL rows whose LEFT windows it closes. `record`'s views are not kept.
  void Process(const KafkaRecord& record, RowBatch* rows, RowBatch* rejects);
  /// Process, for a record another thread decoded with a RecordDecoder of this engine.
  void ProcessDecoded(const KafkaRecord& record, const DecodedRecord& decoded, RowBatch* rows,
                      RowBatch* rejects);
  /// Hints that `decoded` comes soon, with no effect on results. Prefetch starts loading its
  /// key's index entry; PrefetchState, once that has arrived, the key's join state.
  void Prefetch(const DecodedRecord& decoded) const {
    if (decoded.stream >= 0 && !decoded.reject) op_->Prefetch(decoded.key_hash);
  }
  void PrefetchState(const DecodedRecord& decoded) const {
    if (decoded.stream >= 0 && !decoded.reject) op_->PrefetchState(decoded.key_hash);
  }
  /// A decoder for another thread (this engine's streams and stored fields).
  Result<std::unique_ptr<RecordDecoder>> NewDecoder() const;
  /// Applies idleness at wall-clock `now_wall`; appends rows if the watermark advanced.
  void OnIdleCheck(Timestamp now_wall, RowBatch* rows);
  /// The input is finished (bounded run): watermark = +∞, every pending NULL row is emitted and
  /// the state is emptied. Records processed afterwards are late.
  void Finish(RowBatch* rows) { Finish(rows, SIZE_MAX); }
  /// As Finish, in parts: stops once it appended about `max_rows` rows (whole keys) and says
  /// whether the state is empty; until it is, call again before anything else.
  bool Finish(RowBatch* rows, size_t max_rows);

  /// Whether `partition` ever delivered an event time (this run or a restored state).
  bool HasDelivered(const TopicPartition& partition) const;
  /// Whether `partition` is idle now.
  bool IsIdle(const TopicPartition& partition) const;
  /// `partition`'s own watermark (its newest event time minus the delay); nullopt before it
  /// delivered an event time.
  std::optional<Timestamp> PartitionWatermark(const TopicPartition& partition) const;

  /// The pipeline watermark (−∞ = Timestamp::Min(), +∞ after Finish).
  Timestamp watermark() const { return tracker_.watermark(); }
  Timestamp TopicWatermark(std::string_view topic) const { return tracker_.TopicWatermark(topic); }
  /// Partitions the runtime should pause (watermark alignment); resume the others.
  std::vector<TopicPartition> PartitionsToPause() const { return tracker_.PartitionsAhead(); }
  JoinCounters counters() const;

  /// Serializes the join state and the watermarks (docs/join-state-checkpoint.md) into `*out`.
  Status SaveState(std::string* out) const;
  /// Restores a state written by SaveState, so that the engine continues as if it had never
  /// stopped. Call on a fresh engine (AssignPartitions before or after is fine). Corruption for
  /// damaged bytes, InvalidArgument if the pipeline's layout changed; either way the engine is
  /// left unchanged.
  Status LoadState(std::string_view data);

 private:
  explicit JoinEngine(JoinPlan plan);
  WatermarkTracker::Handle HandleFor(size_t stream, const KafkaRecord& record);
  void AddReject(const KafkaRecord& record, const Reject& reject, RowBatch* rejects);

  const JoinPlan plan_;
  WatermarkTracker tracker_;
  std::unique_ptr<JoinOperator> op_;
  std::unique_ptr<RecordDecoder> decoder_;           // Process's own
  std::vector<std::vector<int64_t>> handle_cache_;  // per stream, by partition: handle+1
  DecodedRecord decoded_;                           // reused per record
  JoinCounters counters_;
  mutable size_t saved_bytes_ = 0;  // the last SaveState's size: the next is sized like it
  uint64_t rows_out_before_load_ = 0;  // rows emitted by operators replaced by LoadState
};

}  // namespace braid
