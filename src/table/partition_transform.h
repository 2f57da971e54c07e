#pragma once
// PartitionTransform: one Iceberg partition transform (spec "Partition Transforms"): how a
// source column's value becomes a partition value. braid computes identity, year, month, day,
// hour, bucket[N] and truncate[W] on the column types it writes; other transforms (void, ...)
// are kept by name so tables other engines partitioned still read and round-trip, but braid
// refuses to write to them. A value type.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/row_batch.h"
#include "table/avro_datum.h"

namespace braid {

/// Iceberg's 32-bit Murmur3 hash (x86 variant, seed 0) of `bytes`, as bucket[N] uses it.
int32_t Murmur3Hash32(std::string_view bytes);

class PartitionTransform {
 public:
  enum class Kind { kIdentity, kYear, kMonth, kDay, kHour, kBucket, kTruncate, kUnknown };

  PartitionTransform() = default;
  static PartitionTransform Identity() { return PartitionTransform(Kind::kIdentity, 0, "identity"); }
  static PartitionTransform Day() { return PartitionTransform(Kind::kDay, 0, "day"); }
  static PartitionTransform Bucket(int n);

  /// Reads the metadata JSON form: "identity", "day", "bucket[16]", "truncate[4]", ... Any
  /// other text is kept as kUnknown (is_known() false), never an error: readers need not
  /// compute it.
  static PartitionTransform FromString(std::string_view text);

  Kind kind() const { return kind_; }
  /// N of bucket[N], W of truncate[W]; 0 otherwise.
  int parameter() const { return parameter_; }
  /// The metadata JSON form, as read or "bucket[16]".
  const std::string& ToString() const { return text_; }
  bool is_known() const { return kind_ != Kind::kUnknown; }

  /// Whether braid can compute this transform on a column of `type`: identity on every type;
  /// year, month, day, hour on timestamptz; bucket on int, long, string, timestamptz;
  /// truncate on int, long, string.
  bool AppliesTo(ColumnType type) const;

  /// The Iceberg type of the partition values for a source of Iceberg type `source_type`:
  /// "int" for year, month, hour, bucket; "date" for day; the source type for identity and
  /// truncate. Empty for an unknown transform.
  std::string ResultType(const std::string& source_type) const;

  /// The partition value of row `row` of `column` (of `type`, which AppliesTo): null for a
  /// null source; a Long for int, date, long and timestamptz results; Bytes for strings;
  /// Double for doubles.
  AvroDatum Apply(ColumnType type, const ColumnData& column, size_t row) const;

  /// Java's partition field name for `source_name`: the name itself for identity, else
  /// "<source>_<transform>" ("event_timestamp_day", "user_id_bucket").
  std::string FieldName(const std::string& source_name) const;

  friend bool operator==(const PartitionTransform& a, const PartitionTransform& b) {
    return a.kind_ == b.kind_ && a.parameter_ == b.parameter_ && (a.is_known() || a.text_ == b.text_);
  }

 private:
  PartitionTransform(Kind kind, int parameter, std::string text)
      : kind_(kind), parameter_(parameter), text_(std::move(text)) {}

  Kind kind_ = Kind::kIdentity;
  int parameter_ = 0;
  std::string text_ = "identity";
};

/// The single-value binary serialization (spec Appendix D) of partition value `value` of
/// Iceberg type `type` ("int"/"date": 4 bytes little-endian, "long"/"timestamptz": 8, "double":
/// IEEE 754 little-endian, "string": UTF-8). nullopt for null or an unsupported type.
std::optional<std::string> PartitionValueBytes(const AvroDatum& value, const std::string& type);

}  // namespace braid
