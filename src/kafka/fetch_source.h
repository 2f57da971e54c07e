#pragma once
// FetchSource: braid's own reader of Kafka's Fetch protocol, for plaintext clusters. The data
// path is its own: one connection per leader broker and topic, Fetch v11 answers read into one
// buffer each and their records handed over straight from it (a compressed batch is
// decompressed once). Everything else — metadata, offsets, end offsets, group commits — goes
// through librdkafka (Consumer), whose answers are few.
//
// Why by hand: librdkafka turns every record into a message of its own (an allocation, a
// queue operation and a free on another thread), which cost as much as braid's decoding and
// joining together (callgrind: about 2,800 instructions per record, kcat's whole cost). This
// reader costs a few dozen per record plus the decompression.
//
// Read-committed, as Consumer: aborted transactions and markers are dropped (RecordSet). A
// partition is fetched ahead up to 4 MiB, held or not; a held one keeps what it fetched until
// it is resumed. A lost connection or a moved leader is retried (a warning); an offset out of
// range, a deleted topic or a refused read end the run, as with Consumer.

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/broker_connection.h"
#include "kafka/consumer.h"
#include "kafka/record_set.h"
#include "kafka/record_source.h"

namespace braid {

class FetchSource final : public RecordSource {
 public:
  /// Connects (through librdkafka, which checks the cluster answers).
  static Result<std::unique_ptr<FetchSource>> Create(const KafkaConfig& config,
                                                     const std::string& group_id);
  ~FetchSource() override;

  // RecordSource (contracts there).
  Result<std::vector<PartitionId>> ListPartitions(const std::string& topic,
                                                  int timeout_ms = 10000) override;
  Result<std::pair<KafkaOffset, KafkaOffset>> QueryOffsets(const TopicPartition& tp,
                                                           int timeout_ms = 10000) override;
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

 private:
  using Clock = std::chrono::steady_clock;
  FetchSource() = default;

  // Records fetched and not yet handed over: one partition's part of one answer.
  struct Chunk {
    std::shared_ptr<char[]> answer;  // keeps the bytes alive
    std::string_view set;
    int64_t from = 0;  // the offset it was fetched from
    std::vector<AbortedTransaction> aborted;
  };
  struct Part {
    TopicPartition tp;
    int64_t fetch_offset = 0;  // the next offset to ask for
    int64_t position = 0;      // the next offset to hand over
    int64_t stable_end = -1;   // the last stable offset in the latest answer
    int64_t end_told = -1;     // the position at which the end was last told
    bool held = false;
    bool asked = false;        // in a fetch in flight
    int64_t asked_at = -1;     // the offset that fetch asked from
    int32_t max_bytes = 0;     // asked for per fetch: kPartitionMaxBytes, doubled for a larger batch
    size_t lane = SIZE_MAX;    // none while it has no leader
    std::deque<Chunk> chunks;
    size_t buffered = 0;       // bytes in chunks
    RecordSetCursor cursor;
    bool reading = false;      // the cursor is on chunks.front()
  };
  // One connection: a leader broker and one topic's partitions on it (a connection answers one
  // fetch at a time, so topics fetch side by side).
  struct Lane {
    int32_t broker = -1;
    std::string host;
    int port = 0;
    std::string topic;
    std::unique_ptr<BrokerConnection> conn;
    bool waiting = false;  // a fetch is in flight
    int32_t correlation = 0;
    Clock::time_point retry_at{};
    int failures = 0;  // in a row
  };

  // The cluster's partitions and their leaders: the last answer when it is younger than
  // kMetadataReuse and `reuse`, else a new one. A run's start asks which partitions each topic
  // has (the join command, then the runner) and where their leaders are (Assign): one metadata
  // request answers all of them, where seven took turns before.
  Result<const std::map<TopicPartition, Consumer::Leader>*> Metadata(bool reuse, int timeout_ms);
  // Asks the cluster where each partition's leader is (`reuse`: the last answer may do) and
  // sets the lanes up accordingly.
  Status RefreshLeaders(bool reuse);
  // Sends a fetch on each idle lane that has a partition to fetch; reads the answers that
  // arrived. Fails on a fatal error.
  Status ServiceLanes();
  Status SendFetch(Lane& lane, size_t lane_index);
  Status HandleAnswer(Lane& lane, size_t lane_index, const BrokerAnswer& answer);
  void LaneFailed(Lane& lane, size_t lane_index, const Status& why);
  // Hands over up to `max` records of `p`; tells its end once it is read to it (`*told`).
  Status Deliver(Part& p, size_t max, const RecordHandler& on_record, const EndHandler& on_end,
                 size_t* delivered, bool* told);
  // Waits up to `ms` for an answer on any lane.
  void WaitForAnswers(int ms);
  Part* Find(std::string_view topic, int32_t partition);
  // Pause and Resume.
  Status Hold(const TopicPartition& tp, bool held);

  std::unique_ptr<Consumer> meta_;
  std::map<TopicPartition, Consumer::Leader> metadata_;  // Metadata's last answer
  std::optional<Clock::time_point> metadata_at_;        // when it came
  std::string bootstrap_;
  std::vector<Part> parts_;
  std::vector<Lane> lanes_;
  size_t next_part_ = 0;
  bool refresh_ = false;  // leaders to be looked up again
  Clock::time_point refresh_at_{};
  bool outage_told_ = false;  // a lost broker was reported; told again after a success
};

/// The record source a pipeline reads with: FetchSource over plaintext, Consumer (librdkafka)
/// for TLS or SASL, or when BRAID_KAFKA_READER=librdkafka.
/// Fails on a BRAID_KAFKA_READER it does not know, or =braid with a security protocol.
Status CheckKafkaReader(const KafkaConfig& config);
Result<std::unique_ptr<RecordSource>> OpenRecordSource(const KafkaConfig& config,
                                                       const std::string& group_id);

}  // namespace braid
