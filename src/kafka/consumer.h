#pragma once
// Consumer: reads assigned topic partitions from explicit offsets (braid keeps its offsets in
// the table's snapshots, not in the consumer group). Group offsets are committed only for lag
// monitoring. Not thread-safe: one thread polls.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_record.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_queue_s rd_kafka_queue_t;

namespace braid {

/// Where to start a partition: an offset, or the earliest one the broker still has.
struct StartPosition {
  TopicPartition tp;
  std::optional<KafkaOffset> offset;  // absent: earliest
};

class Consumer {
 public:
  /// Connects and checks the cluster answers; `group_id` is used for lag-monitoring commits.
  static Result<std::unique_ptr<Consumer>> Create(const KafkaConfig& config,
                                                  const std::string& group_id,
                                                  int connect_timeout_ms = 10000);
  ~Consumer();

  /// Partition ids of `topic`; kNotFound when the topic does not exist.
  Result<std::vector<PartitionId>> ListPartitions(const std::string& topic, int timeout_ms = 10000);

  /// The low and high watermark offsets (earliest available, next to be written) of `tp`.
  Result<std::pair<KafkaOffset, KafkaOffset>> QueryOffsets(const TopicPartition& tp,
                                                           int timeout_ms = 10000);

  /// Replaces the assignment; each partition starts at its position.
  Status Assign(const std::vector<StartPosition>& positions);

  /// Called when the end of a partition is reached: `end` is the offset the next record will
  /// have. Records before it that were never delivered were transaction markers or aborted.
  using EndHandler = std::function<void(const TopicPartition& tp, KafkaOffset end)>;

  /// Waits up to `timeout_ms` for records and hands each to `on_record` (views valid only
  /// during the call); `on_end`, when given, hears that a partition has been read to its
  /// current end. Every fetched record is handed over, even when another message of the same
  /// batch carries an error. Returns how many records were handed over. Transient errors (a
  /// broker down, a timeout) go to the warning handler and librdkafka retries them; a fatal
  /// consumer error (a topic deleted, an offset out of range, authentication) fails, after the
  /// batch's records were handed over.
  Result<size_t> Poll(int timeout_ms, const std::function<void(const KafkaRecord&)>& on_record,
                      const EndHandler& on_end = nullptr);

  /// Where transient errors are reported (default: ignored). Called from Poll's thread.
  void SetWarningHandler(std::function<void(const std::string&)> handler) {
    warn_ = std::move(handler);
  }

  /// The end offsets (next offset to be written; the last stable offset under read_committed)
  /// of `partitions` in one request per broker. Unavailable when the brokers cannot be reached
  /// within `timeout_ms`.
  Result<std::map<TopicPartition, KafkaOffset>> EndOffsets(
      const std::vector<TopicPartition>& partitions, int timeout_ms);

  /// Stops (or restarts) fetching `tp` without losing its position.
  Status Pause(const TopicPartition& tp);
  Status Resume(const TopicPartition& tp);

  /// Commits `next_offsets` to the consumer group asynchronously (monitoring only).
  void CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>& next_offsets);

 private:
  Consumer() = default;
  Status PauseResume(const TopicPartition& tp, bool pause);

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  std::string bootstrap_;
  std::function<void(const std::string&)> warn_;
};

}  // namespace braid
