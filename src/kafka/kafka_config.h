#pragma once
// KafkaConfig: librdkafka properties under their own names ("bootstrap.servers",
// "security.protocol", "sasl.mechanism", ...), passed through unchanged to every client braid
// creates. Secret values are never printed.

#include <map>
#include <string>

#include "base/result.h"

typedef struct rd_kafka_conf_s rd_kafka_conf_t;

namespace braid {

struct KafkaConfig {
  std::string bootstrap;                          // "host:port[,host:port]"
  std::map<std::string, std::string> properties;  // extra librdkafka properties

  /// Builds a librdkafka configuration: the properties, then bootstrap.servers, then
  /// `overrides` (braid's own settings for this client). The caller owns the result.
  /// Fails naming the property librdkafka refused.
  Result<rd_kafka_conf_t*> Build(const std::map<std::string, std::string>& overrides) const;

  /// Sets each of `properties` on a scratch librdkafka configuration, so a mistyped name or a
  /// bad value is refused when the configuration is read, before any client starts. Fails
  /// naming the property and librdkafka's reason (an unknown name, a value out of range).
  static Status Check(const std::map<std::string, std::string>& properties);
};

}  // namespace braid
