#pragma once
// WatermarkTracker: event-time progress of the pipeline from the event times of its input
// partitions (docs/watermarks.md). Pure bookkeeping: no clock is read; the caller passes the
// wall-clock time to CheckIdle.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "join/byte_io.h"
#include "kafka/kafka_record.h"

namespace braid {

class WatermarkTracker {
 public:
  struct Options {
    Duration delay = Duration::Seconds(30);
    Duration idle_timeout = Duration::Seconds(10);
    std::optional<Duration> alignment_bound;  // nullopt: no alignment
    /// A topic whose stream sets its own delay or idle timeout: its partitions use these
    /// instead of the two above.
    struct TopicTiming {
      std::string topic;
      Duration delay;
      Duration idle_timeout;
    };
    std::vector<TopicTiming> per_topic;
  };

  /// A partition handle: an index that stays valid for the tracker's life.
  using Handle = size_t;

  explicit WatermarkTracker(Options options) : options_(options) {}

  /// Registers (assigns) a partition; idempotent. A registered partition that has delivered
  /// nothing holds the watermark at −∞ until it delivers or becomes idle.
  Handle Register(const TopicPartition& tp);
  /// The handle of a registered partition, or nullopt.
  std::optional<Handle> Find(std::string_view topic, PartitionId partition) const;
  /// Stops tracking a partition (revoked); it no longer holds the watermark.
  void Unregister(const TopicPartition& tp);

  /// A record (decodable or not) arrived from `h`: the partition is active again and no longer
  /// caught up. Never moves the watermark.
  void NoteRecord(Handle h);
  /// An event time decoded from `h`. Returns true if the pipeline watermark advanced.
  bool Observe(Handle h, Timestamp event_time);
  /// The partition reached its end (e.g. librdkafka's partition EOF, or its broker confirmed
  /// that nothing is left to read).
  void MarkCaughtUp(Handle h);
  /// The partition's end cannot be confirmed (its broker is unreachable, or records are known
  /// to wait): it is not idle and may not turn idle until it is caught up again and then
  /// silent for a whole idle_timeout. An outage thus never turns on-time records into late ones.
  void MarkNotCaughtUp(Handle h);
  /// Applies idleness at wall-clock time `now` (see docs/watermarks.md for the stamping rule).
  /// Returns true if the pipeline watermark advanced.
  bool CheckIdle(Timestamp now);
  /// The input is finished: the watermark becomes +∞ for good.
  void Finish();

  /// The pipeline watermark: never decreases; Timestamp::Min() is −∞, Max() is +∞.
  Timestamp watermark() const { return watermark_; }
  /// min over the topic's active partitions (all idle: their max); Min() if none registered.
  /// (The pipeline watermark itself holds while every partition is idle.)
  Timestamp TopicWatermark(std::string_view topic) const;
  /// Registered partitions whose watermark exceeds the pipeline's by more than the alignment
  /// bound (all that delivered data while the pipeline watermark is −∞). Idle ones excluded.
  /// With per-topic delays, a partition's watermark here is taken at the widest delay, so that
  /// streams at the same event time are aligned whatever their delays.
  std::vector<TopicPartition> PartitionsAhead() const;
  bool IsIdle(Handle h) const { return parts_[h].idle; }
  /// The newest event time `h` delivered; Timestamp::Min() if none.
  Timestamp MaxEventTime(Handle h) const { return parts_[h].max_ts; }
  /// `h`'s own watermark (its newest event time minus its topic's delay); Min() before any event.
  Timestamp PartitionWatermarkOf(Handle h) const {
    return parts_[h].max_ts == Timestamp::Min() ? Timestamp::Min() : PartitionWatermark(parts_[h]);
  }
  size_t num_partitions() const { return parts_.size(); }
  const TopicPartition& partition(Handle h) const { return parts_[h].tp; }

  /// Appends the checkpoint section (docs/join-state-checkpoint.md).
  void Save(ByteWriter* out) const;
  /// Reads a section written by Save and merges it: partitions in it take its max event time
  /// and flags; the watermark becomes the saved one. All-or-nothing: on Corruption nothing
  /// changed. Never moves the watermark beyond the saved value.
  Status Load(ByteReader* in);

 private:
  struct Partition {
    TopicPartition tp;
    Timestamp max_ts = Timestamp::Min();
    Timestamp last_active = Timestamp::Min();  // wall clock; Min: not stamped yet
    bool registered = true;
    bool idle = false;
    bool caught_up = false;
    bool seen_since_check = false;
    Duration delay;         // its topic's watermark delay
    Duration idle_timeout;  // and idle timeout
  };

  Timestamp PartitionWatermark(const Partition& p) const { return p.max_ts - p.delay; }
  // The min over active partitions; when all are idle, the max over all (for a topic's figure)
  // or nullopt (for the pipeline, whose watermark then holds).
  Timestamp Candidate(std::string_view only_topic) const;
  bool Recompute();
  Duration WidestDelay() const;

  Options options_;
  std::vector<Partition> parts_;
  Timestamp candidate_ = Timestamp::Min();
  Timestamp watermark_ = Timestamp::Min();
  bool finished_ = false;
};

}  // namespace braid
