#pragma once
// Consumer: reads assigned topic partitions from explicit offsets (braid keeps its offsets in
// the table's snapshots, not in the consumer group). Group offsets are committed only for lag
// monitoring. Not thread-safe: one thread polls.
//
// Each partition has its own librdkafka queue. Pause holds a partition: its records are moved
// from the queue into a stash in braid (up to 2 MiB per partition, librdkafka's own bytes per
// message counted; 8 MiB was no faster and peaked 36 MiB higher) and handed over, in order,
// once it is resumed. Pausing the fetcher instead would drop what was prefetched and fetch it
// again on resume; and leaving the records in librdkafka's queue fills it, after which
// librdkafka 2.0 looks at the partition again only about once a second. Alignment, which holds
// and releases partitions all the time, so costs neither round trips nor stalls. Each topic is read by its own
// librdkafka client (one connection and fetch pipeline each).

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/bounded_call.h"
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
  /// Two requests per broker (the starts, then the ends: OffsetsAt), however many the
  /// partitions: QueryOffsets per partition took librdkafka two requests each, one after
  /// another on the broker's connection (9-17 ms at a run's start for the seed's 18
  /// partitions; 2-9 ms so).
  Result<std::vector<OffsetRange>> QueryOffsetsOf(const std::vector<TopicPartition>& partitions,
                                                  int timeout_ms = 10000) override;
  Result<std::map<TopicPartition, KafkaOffset>> EndOffsets(
      const std::vector<TopicPartition>& partitions, int timeout_ms) override;
  Status Assign(const std::vector<StartPosition>& positions) override;
  Result<size_t> Poll(int timeout_ms, const RecordHandler& on_record,
                      const EndHandler& on_end = nullptr) override;
  Status Pause(const TopicPartition& tp) override;
  Status Resume(const TopicPartition& tp) override;
  void CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>& next_offsets) override;

  /// A partition's leader as the cluster's metadata gives it (broker -1: none at the moment).
  struct Leader {
    int32_t broker = -1;
    std::string host;
    int port = 0;
  };
  /// Every partition of every topic the cluster has, with its leader (one metadata request).
  Result<std::map<TopicPartition, Leader>> Leaders(int timeout_ms);
  /// The partitions of `topic` in `all` (an answer of Leaders), in order; NotFound naming the
  /// topic when it has none there.
  Result<std::vector<PartitionId>> PartitionsIn(const std::map<TopicPartition, Leader>& all,
                                                const std::string& topic) const;

 private:
  Consumer() = default;
  struct Client {
    rd_kafka_t* rk = nullptr;
    rd_kafka_queue_t* queue = nullptr;  // its consumer queue: errors not tied to a partition
  };
  Result<Client> NewClient() const;
  void CloseClient(Client& client);
  // Before the clients are closed: a query still hung on one (BoundedCall) uses its handle, so
  // then the handles are left open (leak_clients_) rather than destroyed under it.
  void SettleQueries();
  // A record or an end of partition read from a held partition's queue, kept in order. The
  // message itself is kept (no copy of its bytes) and destroyed once handed over.
  class Stashed {
   public:
    explicit Stashed(rd_kafka_message_s* m) : m_(m) {}
    Stashed(Stashed&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
    Stashed& operator=(Stashed&&) = delete;
    ~Stashed();
    rd_kafka_message_s* message() const { return m_; }
    size_t bytes() const;  // counted against the stash budget

   private:
    rd_kafka_message_s* m_;
  };
  struct PartitionQueue {
    PartitionQueue() = default;
    // Moved, never copied (the stash owns its messages); noexcept so a vector moves it.
    PartitionQueue(PartitionQueue&&) noexcept = default;
    TopicPartition tp;
    rd_kafka_queue_t* queue = nullptr;
    bool held = false;
    size_t client = 0;  // 0: rk_, i: more_clients_[i - 1]
    std::deque<Stashed> stash;
    size_t stash_bytes = 0;
    bool over_threshold = false;  // its queue was seen at queued.min.messages: fetching stopped
    size_t queued = 0;            // its queue's length when WakeFetchers last looked
  };
  // Moves what a held partition's queue has into its stash, within the stash budget; true if
  // anything moved.
  bool StashHeld(PartitionQueue& p, Status* failure);
  // Wakes the fetcher of a partition that librdkafka stopped fetching; `any`: this round read
  // something.
  void WakeFetchers(bool any);
  // Hands over up to `max` stashed entries of a released partition.
  size_t DeliverStash(PartitionQueue& p, size_t max, const RecordHandler& on_record,
                      const EndHandler& on_end, size_t* delivered);
  Status Hold(const TopicPartition& tp, bool held);
  void ReleaseQueues();
  // Hands over one message: a record, an end of partition, or an error (a transient one is a
  // warning; the first fatal one is kept in `failure`).
  void Deliver(rd_kafka_message_s* m, const RecordHandler& on_record,
               const EndHandler& on_end, size_t* delivered, Status* failure);
  // Each partition's offset at ListOffsets timestamp `at` (RD_KAFKA_OFFSET_BEGINNING or _END),
  // in `partitions`' order: one request per broker, on probe_call_.
  Result<std::vector<KafkaOffset>> OffsetsAt(const std::vector<TopicPartition>& partitions,
                                             int64_t at, int timeout_ms);

  KafkaConfig config_;
  std::string group_id_;
  // The first client: metadata, offsets, group commits, and the first topic's partitions.
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  std::vector<Client> more_clients_;  // one per further topic of the assignment
  std::vector<PartitionQueue> partitions_;
  size_t next_partition_ = 0;
  std::chrono::steady_clock::time_point next_wake_;       // WakeFetchers' next chance
  std::chrono::steady_clock::time_point next_idle_wake_;  // and, when nothing was read
  size_t queued_min_messages_ = 1;                        // as configured (read in Create)
  // The outcome of the last wake-up request; IN_PROGRESS while it runs.
  std::shared_ptr<int> wake_err_ = std::make_shared<int>(0);  // an rd_kafka_resp_err_t
  size_t wake_next_ = 0;  // round-robin start, so no partition starves the others
  std::string bootstrap_;
  // Offset queries that librdkafka may not time out while the broker is down (EndOffsets from
  // the joining thread, WakeFetchers' from the reading one) run here, waited for at most their
  // timeout.
  BoundedCall probe_call_;
  BoundedCall wake_call_;
  bool leak_clients_ = false;
};

}  // namespace braid
