#pragma once
// RecordSource: the seam between the pipeline and Kafka. FetchSource (braid's own Fetch client,
// plaintext) and Consumer (librdkafka, any security protocol) are the real ones; tests script
// records, end-of-log events, broker outages and offset gaps with a fake.
// Not thread-safe: one thread uses a source.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "kafka/kafka_record.h"

namespace braid {

/// Where to start a partition: an offset, or the earliest one the broker still has.
struct StartPosition {
  TopicPartition tp;
  std::optional<KafkaOffset> offset;  // absent: earliest
};

class RecordSource {
 public:
  /// Called when the end of a partition is reached: `end` is the offset the next record will
  /// have. Records before it that were never delivered were transaction markers or aborted.
  using EndHandler = std::function<void(const TopicPartition& tp, KafkaOffset end)>;
  using RecordHandler = std::function<void(const KafkaRecord&)>;

  virtual ~RecordSource() = default;

  /// Partition ids of `topic`; kNotFound when the topic does not exist.
  virtual Result<std::vector<PartitionId>> ListPartitions(const std::string& topic,
                                                          int timeout_ms = 10000) = 0;

  /// The low and high watermark offsets (earliest available, next to be written) of `tp`.
  virtual Result<std::pair<KafkaOffset, KafkaOffset>> QueryOffsets(const TopicPartition& tp,
                                                                   int timeout_ms = 10000) = 0;

  using OffsetRange = std::pair<KafkaOffset, KafkaOffset>;
  /// QueryOffsets of each of `partitions`, in their order; the first failure fails it. This
  /// asks one partition after another; a source that can ask for them side by side does.
  virtual Result<std::vector<OffsetRange>> QueryOffsetsOf(const std::vector<TopicPartition>& partitions,
                                                          int timeout_ms = 10000) {
    std::vector<OffsetRange> ranges;
    ranges.reserve(partitions.size());
    for (const TopicPartition& tp : partitions) {
      BRAID_ASSIGN_OR_RETURN(OffsetRange r, QueryOffsets(tp, timeout_ms));
      ranges.push_back(r);
    }
    return ranges;
  }

  /// The end offsets (next offset to be written; the last stable offset under read_committed)
  /// of `partitions` in one request per broker. Unavailable when the brokers cannot be reached
  /// within `timeout_ms`.
  virtual Result<std::map<TopicPartition, KafkaOffset>> EndOffsets(
      const std::vector<TopicPartition>& partitions, int timeout_ms) = 0;

  /// Replaces the assignment; each partition starts at its position.
  virtual Status Assign(const std::vector<StartPosition>& positions) = 0;

  /// Waits up to `timeout_ms` for records and hands each to `on_record` (views valid only
  /// during the call); `on_end`, when given, hears that a partition has been read to its
  /// current end. Every fetched record is handed over, even when another message of the same
  /// batch carries an error. Returns how many records were handed over. Transient errors (a
  /// broker down, a timeout) go to the warning handler and are retried; a fatal error (a topic
  /// deleted, an offset out of range, authentication) fails, after the batch's records were
  /// handed over.
  virtual Result<size_t> Poll(int timeout_ms, const RecordHandler& on_record,
                              const EndHandler& on_end = nullptr) = 0;

  /// Stops (or restarts) fetching `tp` without losing its position.
  virtual Status Pause(const TopicPartition& tp) = 0;
  virtual Status Resume(const TopicPartition& tp) = 0;

  /// Commits `next_offsets` to the consumer group asynchronously (monitoring only).
  virtual void CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>& next_offsets) = 0;

  /// Where transient errors are reported (default: ignored). Called from Poll's thread.
  void SetWarningHandler(std::function<void(const std::string&)> handler) {
    warn_ = std::move(handler);
  }

 protected:
  void Warn(const std::string& message) const {
    if (warn_) warn_(message);
  }

 private:
  std::function<void(const std::string&)> warn_;
};

}  // namespace braid
