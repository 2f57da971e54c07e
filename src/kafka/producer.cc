#include "kafka/producer.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

namespace braid {

Status CheckReachable(rd_kafka_t* rk, std::string_view bootstrap, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(fmt::format(
        "cannot reach Kafka at {} ({}); start a broker (e.g. `braid broker`) or pass the right "
        "address with --bootstrap",
        bootstrap, rd_kafka_err2str(err)));
  }
  rd_kafka_metadata_destroy(md);
  return Status::Ok();
}

Result<std::unique_ptr<Producer>> Producer::Create(const KafkaConfig& config,
                                                   int connect_timeout_ms) {
  std::unique_ptr<Producer> p(new Producer());
  p->bootstrap_ = config.bootstrap;
  BRAID_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                         config.Build({{"linger.ms", "20"},
                                       {"batch.num.messages", "10000"},
                                       {"queue.buffering.max.messages", "1000000"},
                                       {"queue.buffering.max.kbytes", "1048576"},
                                       {"compression.codec", "lz4"},
                                       {"log_level", "3"}}));
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* op) {
    OnDelivery(rk, m, op);
  });
  rd_kafka_conf_set_opaque(conf, p.get());
  char err[512];
  p->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (p->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(fmt::format("cannot create a Kafka producer: {}", err));
  }
  BRAID_RETURN_IF_ERROR(CheckReachable(p->rk_, config.bootstrap, connect_timeout_ms));
  return p;
}

Producer::~Producer() {
  if (rk_ != nullptr) {
    rd_kafka_flush(rk_, 5000);
    rd_kafka_destroy(rk_);
  }
}

void Producer::OnDelivery(rd_kafka_t*, const void* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  auto* m = static_cast<const rd_kafka_message_t*>(msg);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->delivered_;
  } else {
    if (self->failed_++ == 0) {
      self->first_error_ = fmt::format("{} [{}]: {}", rd_kafka_topic_name(m->rkt), m->partition,
                                       rd_kafka_err2str(m->err));
    }
  }
}

Status Producer::Produce(std::string_view topic, std::string_view value,
                         std::optional<std::string_view> key, std::optional<int> partition) {
  const int32_t part = partition ? *partition : RD_KAFKA_PARTITION_UA;
  void* key_data = key ? const_cast<char*>(key->data()) : nullptr;
  const size_t key_size = key ? key->size() : 0;
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(std::string(topic).c_str()),
        RD_KAFKA_V_PARTITION(part),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_KEY(key_data, key_size),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk_, 10);
      continue;
    }
    return Status::IoError(fmt::format("cannot produce to {}: {}", topic, rd_kafka_err2str(err)));
  }
  rd_kafka_poll(rk_, 0);
  if (failed_ > 0) return Status::IoError("delivery failed: " + first_error_);
  return Status::Ok();
}

Status Producer::Flush(int timeout_ms) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk_, timeout_ms);
  if (failed_ > 0) {
    return Status::IoError(fmt::format("{} record(s) were not delivered; first: {}", failed_,
                                       first_error_));
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::IoError(fmt::format("{} record(s) still undelivered after {} ms ({})",
                                       rd_kafka_outq_len(rk_), timeout_ms, rd_kafka_err2str(err)));
  }
  return Status::Ok();
}

}  // namespace braid
