#pragma once
// Consumer: reads assigned topic partitions from explicit offsets (braid keeps its offsets in
// the table's snapshots, not in the consumer group). Group offsets are committed only for lag
// monitoring. Not thread-safe: one thread polls.
//
// Each partition has its own librdkafka queue. Pause holds a partition's records in its queue
// (librdkafka stops prefetching when the queue is full) instead of pausing the fetcher, which
// would drop what was prefetched and fetch it again on resume: alignment, which pauses and
// resumes partitions often, then costs no broker round trips.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_record.h"
#include "kafka/record_source.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_queue_s rd_kafka_queue_t;
struct rd_kafka_message_s;

namespace braid {

class Consumer final : public RecordSource {
 public:
  /// Connects and checks the cluster answers; `group_id` is used for lag-monitoring commits.
  static Result<std::unique_ptr<Consumer>> Create(const KafkaConfig& config,
                                                  const std::string& group_id,
                                                  int connect_timeout_ms = 10000);
  ~Consumer() override;

  // RecordSource (contracts there).
  Result<std::vector<PartitionId>> ListPartitions(const std::string& topic,
                                                  int timeout_ms = 10000) override;
  Result<std::pair<KafkaOffset, KafkaOffset>> QueryOffsets(const TopicPartition& tp,
                                                           int timeout_ms = 10000) override;
  Result<std::map<TopicPartition, KafkaOffset>> EndOffsets(
      const std::vector<TopicPartition>& partitions, int timeout_ms) override;
  Status Assign(const std::vector<StartPosition>& positions) override;
  Result<size_t> Poll(int timeout_ms, const RecordHandler& on_record,
                      const EndHandler& on_end = nullptr) override;
  Status Pause(const TopicPartition& tp) override;
  Status Resume(const TopicPartition& tp) override;
  void CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>& next_offsets) override;

 private:
  Consumer() = default;
  struct PartitionQueue {
    TopicPartition tp;
    rd_kafka_queue_t* queue = nullptr;
    bool held = false;
  };
  Status Hold(const TopicPartition& tp, bool held);
  void ReleaseQueues();
  // Hands over one message: a record, an end of partition, or an error (a transient one is a
  // warning; the first fatal one is kept in `failure`).
  void Deliver(rd_kafka_message_s* m, const RecordHandler& on_record,
               const EndHandler& on_end, size_t* delivered, Status* failure);

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;  // the consumer queue: errors not tied to a partition
  std::vector<PartitionQueue> partitions_;
  size_t next_partition_ = 0;  // round-robin start, so no partition starves the others
  std::string bootstrap_;
};

}  // namespace braid
