#pragma once
// StreamSpec: what one input topic carries, as a pipeline file declares it.

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace braid {

/// The type of a declared field. `kTimestamp` values are ISO-8601 strings in the JSON
/// (see ParseEventTimestamp) and microseconds since the epoch once decoded.
enum class FieldType { kString, kDouble, kLong, kTimestamp };

/// "string", "double", "long" or "timestamp" (as a pipeline file writes them).
const char* FieldTypeName(FieldType type);

/// One declared field of a stream's JSON objects.
struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  /// A required field that is absent or null rejects the record ("missing x", "null x"); an
  /// optional one decodes as NULL. Key fields and the timestamp field are always required.
  bool required = true;
};

/// One input stream: a topic whose record values are JSON objects.
struct StreamSpec {
  std::string name;   // how the pipeline refers to the stream ("actions")
  std::string topic;  // the Kafka topic it is read from
  std::vector<FieldSpec> fields;
  std::vector<std::string> key_fields;  // the join key, in order; types string or long
  std::string timestamp_field;          // the event time; type timestamp

  /// Index of the field named `name` in `fields`, or -1.
  int FieldIndex(std::string_view name) const;
  /// Checks names are unique and non-empty, key and timestamp fields exist with usable types,
  /// and there are at most 64 fields. Fails with InvalidArgument naming the stream and field.
  Status Validate() const;
};

}  // namespace braid
