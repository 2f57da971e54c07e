#include "event/rejects.h"

#include <simdjson.h>

#include <fmt/format.h>

namespace braid {

const char* RejectKindName(RejectKind kind) {
  switch (kind) {
    case RejectKind::kInvalidJson: return "invalid_json";
    case RejectKind::kNotObject: return "not_object";
    case RejectKind::kMissingField: return "missing_field";
    case RejectKind::kNullField: return "null_field";
    case RejectKind::kWrongType: return "wrong_type";
    case RejectKind::kDuplicateField: return "duplicate_field";
    case RejectKind::kOutOfRange: return "out_of_range";
    case RejectKind::kBadTimestamp: return "bad_timestamp";
    case RejectKind::kLate: return "late";
    case RejectKind::kUnknownTopic: return "unknown_topic";
  }
  return "unknown";
}

const RowSchema& RejectsSchema() {
  static const RowSchema schema = {
      {"topic", ColumnType::kString, 1, true},
      {"partition", ColumnType::kInt32, 2, true},
      {"offset", ColumnType::kInt64, 3, true},
      {"reason", ColumnType::kString, 4, true},
      {"payload", ColumnType::kString, 5, false},
      {"event_timestamp", ColumnType::kTimestampTz, 6, false},
      {"processing_time", ColumnType::kTimestampTz, 7, false},
  };
  return schema;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return 0;
  }
  return n;
}

}  // namespace

std::string SanitizeUtf8(std::string_view bytes) {
  if (simdjson::validate_utf8(bytes.data(), bytes.size())) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 16);
  for (size_t i = 0; i < bytes.size();) {
    size_t n = Utf8SequenceLength(bytes, i);
    if (n == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(bytes[i]));
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

void AppendReject(const KafkaRecord& record, const Reject& reject, RowBatch* rejects) {
  rejects->AppendString(SanitizeUtf8(record.topic));
  rejects->AppendInt(record.partition.value());
  rejects->AppendInt(record.offset.value());
  rejects->AppendString(SanitizeUtf8(reject.reason));
  rejects->AppendString(SanitizeUtf8(record.value));
  if (reject.event_time) {
    rejects->AppendTimestamp(*reject.event_time);
  } else {
    rejects->AppendNull();
  }
  rejects->AppendNull();
  rejects->EndRow();
}

}  // namespace braid
