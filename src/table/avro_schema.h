#pragma once
// AvroSchema: a parsed Avro schema, as the Avro writer encodes by it and the reader decodes by
// the writer schema found in a file's header. Keeps Iceberg's extra attributes ("field-id",
// "element-id", "logicalType") that manifests depend on.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace braid {

enum class AvroType {
  kNull, kBoolean, kInt, kLong, kFloat, kDouble, kBytes, kString,
  kRecord, kEnum, kArray, kMap, kUnion, kFixed,
};

struct AvroNode;
using AvroNodePtr = std::shared_ptr<const AvroNode>;

/// One field of a record.
struct AvroField {
  std::string name;
  AvroNodePtr type;
  std::optional<int> field_id;  // Iceberg's "field-id"
};

/// One node of a schema tree. Named types referenced twice share one node.
struct AvroNode {
  AvroType type = AvroType::kNull;
  std::string name;                  // record, enum, fixed: full name
  std::vector<AvroField> fields;     // record
  std::vector<AvroNodePtr> branches; // union
  AvroNodePtr items;                 // array items, map values
  std::vector<std::string> symbols;  // enum
  size_t fixed_size = 0;             // fixed
  std::string logical_type;          // "map" on Iceberg's int-keyed maps, "decimal", ...
  std::optional<int> element_id;     // Iceberg's "element-id" on arrays

  /// The index of the record field with Iceberg field id `id`, or -1.
  int FieldIndexById(int id) const;
  /// The index of the record field named `name`, or -1.
  int FieldIndexByName(std::string_view name) const;
};

/// Parses an Avro schema from its JSON text. `what` names the file for error messages.
/// Fails with Corruption on malformed JSON, unknown types, undefined or recursive names.
Result<AvroNodePtr> ParseAvroSchema(std::string_view json, std::string_view what);

}  // namespace braid
