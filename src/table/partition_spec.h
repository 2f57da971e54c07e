#pragma once
// PartitionSpec: how a table's rows are divided into partitions (spec "Partitioning"): a list
// of fields, each a transform of one source column, with partition field ids from 1000. An
// unpartitioned table has spec 0 with no fields. A value type.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "base/row_batch.h"
#include "table/partition_transform.h"

namespace braid {

class IcebergSchema;

struct PartitionField {
  int source_id = 0;  // the table schema's field id of the source column
  int field_id = 0;   // the partition field's own id (1000, 1001, ...)
  std::string name;
  PartitionTransform transform;

  friend bool operator==(const PartitionField&, const PartitionField&) = default;
};

/// A partition field as a pipeline declares it, before it is bound to a schema's field ids:
/// "day(event_timestamp)", "bucket(16, user_id)", "truncate(4, page)", or a bare column name
/// (identity).
struct PartitionFieldRequest {
  std::string column;
  PartitionTransform transform;

  /// Parses the declared form. InvalidArgument saying what is wrong and what is allowed: an
  /// unknown transform, a bucket count or truncate width that is not a positive whole number.
  static Result<PartitionFieldRequest> Parse(std::string_view text);
};

struct PartitionSpec {
  int spec_id = 0;
  std::vector<PartitionField> fields;

  bool unpartitioned() const { return fields.empty(); }

  /// The "fields" array of the metadata JSON (and of manifests' partition-spec key).
  nlohmann::json FieldsJson() const;
  /// Reads a "fields" array; `source` names the file for errors (Corruption when malformed).
  static Result<PartitionSpec> FromFieldsJson(int spec_id, const nlohmann::json& fields, std::string_view source);

  /// Spec `spec_id` for `requests` over `schema`: source ids looked up by column name, field
  /// ids from 1000 in order, Java's field names. InvalidArgument naming the column when it is
  /// not in the schema, has a type the transform does not apply to, or a partition field name
  /// repeats.
  static Result<PartitionSpec> Bind(const std::vector<PartitionFieldRequest>& requests,
                                    const RowSchema& schema, int spec_id = 0);

  /// "day(event_timestamp), bucket(16, user_id)" over `schema`'s column names; "unpartitioned".
  std::string Describe(const IcebergSchema& schema) const;

  /// Whether both partition rows the same way (same source ids and transforms in order; field
  /// ids and names aside).
  bool SameLayout(const PartitionSpec& other) const;
};

}  // namespace braid
