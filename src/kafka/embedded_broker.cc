#include "kafka/embedded_broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <fmt/format.h>

namespace braid {

Result<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::Start(
    const std::string& listen, const std::vector<std::string>& topics, int partitions) {
  if (partitions < 1) {
    return Status::InvalidArgument("--partitions must be at least 1");
  }
  std::unique_ptr<EmbeddedBroker> b(new EmbeddedBroker());
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  b->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (b->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::Internal(fmt::format("cannot start the embedded broker: {}", err));
  }
  b->cluster_ = rd_kafka_mock_cluster_new(b->rk_, 1);
  if (b->cluster_ == nullptr) return Status::Internal("cannot start librdkafka's mock cluster");
  b->bootstrap_ = rd_kafka_mock_cluster_bootstraps(b->cluster_);
  for (const std::string& t : topics) BRAID_RETURN_IF_ERROR(b->CreateTopic(t, partitions));
  if (!listen.empty()) {
    BRAID_ASSIGN_OR_RETURN(b->forwarder_, TcpForwarder::Start(listen, b->bootstrap_));
    b->bootstrap_ = b->forwarder_->address();
  }
  return b;
}

EmbeddedBroker::~EmbeddedBroker() {
  forwarder_.reset();
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

Status EmbeddedBroker::CreateTopic(const std::string& topic, int partitions) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return Status::Internal(
        fmt::format("cannot create topic {}: {}", topic, rd_kafka_err2str(err)));
  }
  return Status::Ok();
}

}  // namespace braid
