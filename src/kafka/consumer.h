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
#include "kafka/record_source.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_queue_s rd_kafka_queue_t;

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
  Status PauseResume(const TopicPartition& tp, bool pause);

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  std::string bootstrap_;
};

}  // namespace braid
