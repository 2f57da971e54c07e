#include "event/stream_spec.h"

#include <fmt/format.h>

namespace braid {

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString: return "string";
    case FieldType::kDouble: return "double";
    case FieldType::kLong: return "long";
    case FieldType::kTimestamp: return "timestamp";
    case FieldType::kBoolean: return "boolean";
  }
  return "unknown";
}

const char* TimeFormatName(TimeFormat format) {
  switch (format) {
    case TimeFormat::kIso8601: return "iso8601";
    case TimeFormat::kEpochSeconds: return "epoch_seconds";
    case TimeFormat::kEpochMillis: return "epoch_millis";
    case TimeFormat::kEpochMicros: return "epoch_micros";
  }
  return "unknown";
}

std::string FieldTypeSpelling(const FieldSpec& field) {
  if (field.type != FieldType::kTimestamp || field.time_format == TimeFormat::kIso8601) {
    return FieldTypeName(field.type);
  }
  return fmt::format("timestamp({})", TimeFormatName(field.time_format));
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
    const std::string& f = fields[i].name;
    if (f.empty()) return bad(fmt::format("field {} has no name", i + 1));
    if (f.front() == '.' || f.back() == '.' || f.find("..") != std::string::npos) {
      return bad(fmt::format("field \"{}\" has an empty part in its path", f));
    }
    if (fields[i].type != FieldType::kTimestamp && fields[i].time_format != TimeFormat::kIso8601) {
      return bad(fmt::format("field \"{}\" has a time format but is not a timestamp", f));
    }
    for (size_t j = 0; j < i; ++j) {
      const std::string& g = fields[j].name;
      if (g == f) return bad(fmt::format("field \"{}\" declared twice", f));
      // One JSON value cannot be both a field and the object holding another.
      const std::string& shorter = g.size() < f.size() ? g : f;
      const std::string& longer = g.size() < f.size() ? f : g;
      if (longer.starts_with(shorter) && longer[shorter.size()] == '.') {
        return bad(fmt::format("field \"{}\" is also the object holding \"{}\"; declare one or the other",
                               shorter, longer));
      }
    }
  }
  if (watermark_delay && *watermark_delay < Duration(0)) return bad("watermark_delay is negative");
  if (idle_timeout && *idle_timeout < Duration(0)) return bad("idle_timeout is negative");
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
