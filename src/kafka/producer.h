#pragma once
// Producer: writes records to Kafka through librdkafka with batching. Not thread-safe: one
// thread produces; delivery reports are served by Produce() and Flush().

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "kafka/kafka_config.h"

typedef struct rd_kafka_s rd_kafka_t;

namespace braid {

class Producer {
 public:
  /// Connects to the cluster in `config` and checks it answers within `connect_timeout_ms`;
  /// fails with kUnavailable naming the bootstrap address when it does not.
  static Result<std::unique_ptr<Producer>> Create(const KafkaConfig& config,
                                                  int connect_timeout_ms = 10000);
  ~Producer();

  /// Queues one record (value copied). `partition` absent = the partitioner chooses (no key:
  /// librdkafka spreads records). Blocks while the local queue is full.
  Status Produce(std::string_view topic, std::string_view value,
                 std::optional<std::string_view> key = std::nullopt,
                 std::optional<int> partition = std::nullopt);

  /// Waits until every queued record is delivered or failed. Fails if any record failed
  /// (with the first error) or the timeout passed.
  Status Flush(int timeout_ms = 60000);


 private:
  Producer() = default;
  static void OnDelivery(rd_kafka_t*, const void* msg, void* opaque);

  rd_kafka_t* rk_ = nullptr;
  std::string bootstrap_;
  int64_t delivered_ = 0;
  int64_t failed_ = 0;
  std::string first_error_;
};

/// Checks that the cluster at `rk`'s bootstrap servers answers a metadata request in time.
Status CheckReachable(rd_kafka_t* rk, std::string_view bootstrap, int timeout_ms);

}  // namespace braid
