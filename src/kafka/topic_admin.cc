#include "kafka/topic_admin.h"

#include <librdkafka/rdkafka.h>

#include <map>

#include <fmt/format.h>

#include "kafka/producer.h"

namespace braid {
namespace {

// Partition counts of the existing topics among `topics` (absent = missing).
Result<std::map<std::string, int>> Existing(rd_kafka_t* rk, const std::string& bootstrap) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, 10000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(fmt::format("cannot reach Kafka at {} ({})", bootstrap,
                                           rd_kafka_err2str(err)));
  }
  std::map<std::string, int> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out[md->topics[i].topic] = md->topics[i].partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

}  // namespace

Result<std::vector<TopicState>> EnsureTopics(const KafkaConfig& config,
                                             const std::vector<std::string>& topics,
                                             int partitions) {
  BRAID_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, config.Build({{"log_level", "3"}}));
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(fmt::format("cannot create a Kafka client: {}", err));
  }
  struct Closer {
    rd_kafka_t* rk;
    ~Closer() { rd_kafka_destroy(rk); }
  } closer{rk};
  BRAID_RETURN_IF_ERROR(CheckReachable(rk, config.bootstrap, 10000));
  BRAID_ASSIGN_OR_RETURN(auto existing, Existing(rk, config.bootstrap));

  std::vector<TopicState> out;
  std::vector<rd_kafka_NewTopic_t*> create;
  for (const std::string& t : topics) {
    auto it = existing.find(t);
    out.push_back({t, it == existing.end() ? 0 : it->second, false});
    if (it == existing.end()) {
      rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.c_str(), partitions, -1, err, sizeof err);
      if (nt == nullptr) return Status::InvalidArgument(fmt::format("topic {}: {}", t, err));
      create.push_back(nt);
    }
  }
  if (create.empty()) return out;

  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(opts, 3000, err, sizeof err);
  rd_kafka_CreateTopics(rk, create.data(), create.size(), opts, q);
  // The mock cluster never answers CreateTopics: give up after a few seconds and let the
  // topics be auto-created on first produce.
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 4000);
  if (ev != nullptr && rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    size_t n = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
      for (TopicState& s : out) {
        if (s.topic != rd_kafka_topic_result_name(res[i])) continue;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
          s.created = true;
          s.partitions = partitions;
        }
      }
    }
  }
  if (ev != nullptr) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy_array(create.data(), create.size());
  return out;
}

}  // namespace braid
