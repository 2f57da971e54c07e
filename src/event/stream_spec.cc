#include "event/stream_spec.h"

#include <fmt/format.h>

namespace braid {

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString: return "string";
    case FieldType::kDouble: return "double";
    case FieldType::kLong: return "long";
    case FieldType::kTimestamp: return "timestamp";
  }
  return "unknown";
}

int StreamSpec::FieldIndex(std::string_view field_name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

Status StreamSpec::Validate() const {
  auto bad = [&](std::string what) {
    return Status::InvalidArgument(fmt::format("stream \"{}\": {}", name, what));
  };
  if (name.empty()) return Status::InvalidArgument("a stream has no name");
  if (topic.empty()) return bad("no topic");
  if (fields.empty()) return bad("no fields");
  // The decoder tracks seen fields in a 64-bit mask.
  if (fields.size() > 64) return bad("more than 64 fields");
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name.empty()) return bad(fmt::format("field {} has no name", i + 1));
    for (size_t j = 0; j < i; ++j) {
      if (fields[j].name == fields[i].name) {
        return bad(fmt::format("field \"{}\" declared twice", fields[i].name));
      }
    }
  }
  if (key_fields.empty()) return bad("no key fields");
  for (size_t i = 0; i < key_fields.size(); ++i) {
    const std::string& k = key_fields[i];
    int idx = FieldIndex(k);
    if (idx < 0) return bad(fmt::format("key field \"{}\" is not a declared field", k));
    FieldType t = fields[idx].type;
    if (t != FieldType::kString && t != FieldType::kLong) {
      return bad(fmt::format("key field \"{}\" has type {}; keys must be string or long", k,
                             FieldTypeName(t)));
    }
    for (size_t j = 0; j < i; ++j) {
      if (key_fields[j] == k) return bad(fmt::format("key field \"{}\" listed twice", k));
    }
  }
  int ts = FieldIndex(timestamp_field);
  if (ts < 0) {
    return bad(fmt::format("timestamp field \"{}\" is not a declared field", timestamp_field));
  }
  if (fields[ts].type != FieldType::kTimestamp) {
    return bad(fmt::format("timestamp field \"{}\" has type {}, not timestamp", timestamp_field,
                           FieldTypeName(fields[ts].type)));
  }
  for (const std::string& k : key_fields) {
    if (k == timestamp_field) return bad(fmt::format("\"{}\" is both key and timestamp", k));
  }
  return Status::Ok();
}

}  // namespace braid
