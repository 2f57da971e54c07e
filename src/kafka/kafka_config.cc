#include "kafka/kafka_config.h"

#include <librdkafka/rdkafka.h>

#include <cstdlib>

#include <fmt/format.h>

namespace braid {

Result<rd_kafka_conf_t*> KafkaConfig::Build(
    const std::map<std::string, std::string>& overrides) const {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) -> Status {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument(
          fmt::format("Kafka property \"{}\" was refused: {} (see librdkafka's CONFIGURATION.md)",
                      k, err));
    }
    return Status::Ok();
  };
  Status st;
  for (const auto& [k, v] : properties) {
    if (st.ok()) st = set(k, v);
  }
  if (st.ok() && !bootstrap.empty()) st = set("bootstrap.servers", bootstrap);
  for (const auto& [k, v] : overrides) {
    if (st.ok()) st = set(k, v);
  }
  if (!st.ok()) {
    rd_kafka_conf_destroy(conf);
    return st;
  }
  // librdkafka's own log lines (connection refused, ...) are noise for users: failures reach
  // them as statuses. BRAID_KAFKA_LOG=1 shows them.
  if (std::getenv("BRAID_KAFKA_LOG") == nullptr) {
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  }
  return conf;
}

Status KafkaConfig::Check(const std::map<std::string, std::string>& properties) {
  // Setting plugin.library.paths loads the libraries at once: reading a pipeline file must not
  // run code. Its value is checked when the client starts; its name is a known one.
  std::map<std::string, std::string> checked = properties;
  checked.erase("plugin.library.paths");
  Result<rd_kafka_conf_t*> conf = KafkaConfig{"", checked}.Build({});
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_destroy(*conf);
  return Status::Ok();
}

}  // namespace braid
