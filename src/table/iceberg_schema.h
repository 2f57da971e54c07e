#pragma once
// IcebergSchema: a table schema as Iceberg's metadata JSON holds it (a struct of fields with
// ids), mapped to braid's RowSchema for writing and to DuckDB types for reading.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "base/row_batch.h"

namespace braid {

/// One top-level field. `type` is Iceberg's JSON type: a string for primitives ("long",
/// "decimal(9,2)", "fixed[16]"), an object for struct, list and map.
struct SchemaField {
  int id = 0;
  std::string name;
  bool required = false;
  nlohmann::json type;
  std::string doc;
};

class IcebergSchema {
 public:
  int schema_id = 0;
  std::vector<SchemaField> fields;
  std::vector<int> identifier_field_ids;

  /// The schema braid writes for `row_schema`: its field ids, names, types and nullability.
  static IcebergSchema FromRowSchema(const RowSchema& row_schema, int schema_id = 0);

  /// Parses a schema object (`{"type":"struct","schema-id":..,"fields":[..]}`); `context`
  /// names the metadata file for errors. Corruption when malformed.
  static Result<IcebergSchema> FromJson(const nlohmann::json& j, std::string_view context);

  /// The schema object as metadata JSON and manifest headers carry it.
  nlohmann::ordered_json ToJson() const;

  /// The RowSchema for writing rows to this table. InvalidArgument naming the field when a
  /// type is one braid does not write (only string, double, long, int, timestamptz, boolean).
  Result<RowSchema> ToRowSchema() const;

  /// The highest field id anywhere in the schema, nested fields included.
  int HighestFieldId() const;

  /// The top-level field with this id, or nullptr.
  const SchemaField* FindField(int id) const;
};

/// The DuckDB type that reads values of an Iceberg type: string → VARCHAR, long → BIGINT,
/// timestamptz → TIMESTAMPTZ, decimal(p,s) → DECIMAL(p,s), struct/list/map → STRUCT/[]/MAP, ...
/// InvalidArgument for a type DuckDB cannot represent.
Result<std::string> DuckDbTypeFor(const nlohmann::json& iceberg_type);

/// `name` quoted as a SQL identifier ("a""b").
std::string QuoteIdentifier(std::string_view name);

}  // namespace braid
