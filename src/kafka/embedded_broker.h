#pragma once
// EmbeddedBroker: a Kafka-protocol broker in this process for the demo, development and small
// tests, built on librdkafka's mock cluster. Its limits are the mock's: it keeps about 5 MiB
// or 100k messages per partition (older data is dropped), does not honour read_committed,
// and serves a few hundred thousand messages/s. Thread-safe after Start().

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/tcp_forwarder.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace braid {

class EmbeddedBroker {
 public:
  /// Starts a one-broker cluster. `listen` empty: clients use the cluster's own ephemeral
  /// address; "HOST:PORT": a fixed bootstrap address is served too (see TcpForwarder).
  /// `topics` are created at once with `partitions` partitions each. Other topics are
  /// created on first use with the mock cluster's fixed 4 partitions: librdkafka 2.0's mock
  /// neither lets us change that nor serves CreateTopics requests.
  static Result<std::unique_ptr<EmbeddedBroker>> Start(const std::string& listen,
                                                       const std::vector<std::string>& topics,
                                                       int partitions);
  ~EmbeddedBroker();

  /// The bootstrap address clients should use.
  const std::string& bootstrap() const { return bootstrap_; }

  /// Creates `topic` with `partitions` partitions (no-op if it exists with that many).
  Status CreateTopic(const std::string& topic, int partitions);

 private:
  EmbeddedBroker() = default;

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::unique_ptr<TcpForwarder> forwarder_;
  std::string bootstrap_;
};

}  // namespace braid
