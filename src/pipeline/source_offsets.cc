#include "pipeline/source_offsets.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace braid {

std::string EncodeOffsets(const SourceOffsets& offsets) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [tp, off] : offsets) {
    j[tp.topic][std::to_string(tp.partition.value())] = off.value();
  }
  return j.dump();
}

Result<SourceOffsets> DecodeOffsets(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [&] {
    return Status::Corruption(fmt::format("braid.offsets \"{}\" is not {{topic: {{partition: "
                                          "offset}}}}",
                                          text.substr(0, 200)));
  };
  if (!j.is_object()) return bad();
  SourceOffsets out;
  for (const auto& [topic, parts] : j.items()) {
    if (!parts.is_object()) return bad();
    for (const auto& [part, off] : parts.items()) {
      if (!off.is_number_integer()) return bad();
      char* end = nullptr;
      long p = std::strtol(part.c_str(), &end, 10);
      if (part.empty() || *end != '\0' || p < 0) return bad();
      out[TopicPartition{topic, PartitionId(p)}] = KafkaOffset(off.get<int64_t>());
    }
  }
  return out;
}

}  // namespace braid
