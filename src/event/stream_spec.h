#pragma once
// StreamSpec: what one input topic carries, as a pipeline file declares it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/types.h"

namespace braid {

/// The type of a declared field. `kTimestamp` values are microseconds since the epoch once
/// decoded; in the JSON they are written as the field's TimeFormat says. `kBoolean` values are
/// JSON true/false (stored as 1/0).
enum class FieldType { kString, kDouble, kLong, kTimestamp, kBoolean };

/// How a timestamp field is written in the JSON: an ISO-8601 string (ParseEventTimestamp) or
/// an integer count of seconds, milliseconds or microseconds since 1970-01-01T00:00:00Z.
enum class TimeFormat { kIso8601, kEpochSeconds, kEpochMillis, kEpochMicros };

/// "string", "double", "long", "timestamp" or "boolean" (as a pipeline file writes them).
const char* FieldTypeName(FieldType type);
/// "iso8601", "epoch_seconds", "epoch_millis" or "epoch_micros".
const char* TimeFormatName(TimeFormat format);

/// One declared field of a stream's JSON objects.
struct FieldSpec {
  /// The JSON key, or a path of keys through nested objects joined by '.': "user.id" is
  /// obj["user"]["id"]. A JSON key that itself contains '.' cannot be named.
  std::string name;
  FieldType type = FieldType::kString;
  /// A required field that is absent or null rejects the record ("missing x", "null x"); an
  /// optional one decodes as NULL. Key fields and the timestamp field are always required.
  /// An object on the path that is absent or null counts as the field being absent or null.
  bool required = true;
  /// For kTimestamp fields only: how the JSON writes the time.
  TimeFormat time_format = TimeFormat::kIso8601;
};

/// The field's type as a pipeline file spells it: "long", "timestamp",
/// "timestamp(epoch_millis)", ...
std::string FieldTypeSpelling(const FieldSpec& field);

/// One input stream: a topic whose record values are JSON objects.
struct StreamSpec {
  std::string name;   // how the pipeline refers to the stream ("actions")
  std::string topic;  // the Kafka topic it is read from
  std::vector<FieldSpec> fields;
  std::vector<std::string> key_fields;  // the join key, in order; types string or long
  std::string timestamp_field;          // the event time; type timestamp
  /// This stream's own watermark delay and idle timeout (DESIGN §3); nullopt: the pipeline's
  /// (JoinSpec::watermark_delay, JoinSpec::idle_timeout).
  std::optional<Duration> watermark_delay;
  std::optional<Duration> idle_timeout;

  /// Index of the field named `name` in `fields`, or -1.
  int FieldIndex(std::string_view name) const;
  /// Checks names are unique and non-empty, paths have no empty part and no field is also an
  /// object on another's path ("user" and "user.id"), key and timestamp fields exist with
  /// usable types, a time format is set only on timestamps, per-stream durations are not
  /// negative, and there are at most 64 fields. Fails with InvalidArgument naming the stream and field.
  Status Validate() const;
};

}  // namespace braid
