#include "table/iceberg_schema.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include <fmt/format.h>

namespace braid {
namespace {

using nlohmann::json;

std::optional<ColumnType> ColumnTypeFor(const json& type) {
  if (!type.is_string()) return std::nullopt;
  static const std::map<std::string, ColumnType> kTypes = {
      {"string", ColumnType::kString}, {"double", ColumnType::kDouble},
      {"long", ColumnType::kInt64},    {"int", ColumnType::kInt32},
      {"timestamptz", ColumnType::kTimestampTz}, {"boolean", ColumnType::kBoolean},
  };
  auto it = kTypes.find(type.get<std::string>());
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

void CollectIds(const json& type, int* max_id) {
  if (!type.is_object()) return;
  for (const char* key : {"id", "element-id", "key-id", "value-id"}) {
    if (type.contains(key) && type[key].is_number_integer()) *max_id = std::max(*max_id, type[key].get<int>());
  }
  if (type.contains("fields") && type["fields"].is_array()) {
    for (const json& f : type["fields"]) {
      if (f.contains("id") && f["id"].is_number_integer()) *max_id = std::max(*max_id, f["id"].get<int>());
      if (f.contains("type")) CollectIds(f["type"], max_id);
    }
  }
  for (const char* key : {"element", "key", "value"}) {
    if (type.contains(key)) CollectIds(type[key], max_id);
  }
}

}  // namespace

IcebergSchema IcebergSchema::FromRowSchema(const RowSchema& row_schema, int schema_id) {
  IcebergSchema s;
  s.schema_id = schema_id;
  for (const ColumnSpec& c : row_schema) {
    s.fields.push_back({c.field_id, c.name, c.required, IcebergTypeName(c.type), ""});
  }
  return s;
}

Result<IcebergSchema> IcebergSchema::FromJson(const json& j, std::string_view context) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption(fmt::format("{}: bad schema: {}", context, why));
  };
  if (!j.is_object() || !j.contains("fields") || !j["fields"].is_array()) return bad("no fields array");
  IcebergSchema s;
  if (j.contains("schema-id") && j["schema-id"].is_number_integer()) s.schema_id = j["schema-id"].get<int>();
  for (const json& f : j["fields"]) {
    if (!f.is_object() || !f.contains("id") || !f["id"].is_number_integer() || !f.contains("name") ||
        !f["name"].is_string() || !f.contains("type")) {
      return bad("a field lacks id, name or type");
    }
    SchemaField field;
    field.id = f["id"].get<int>();
    field.name = f["name"].get<std::string>();
    field.required = f.value("required", false);
    field.type = f["type"];
    if (f.contains("doc") && f["doc"].is_string()) field.doc = f["doc"].get<std::string>();
    s.fields.push_back(std::move(field));
  }
  if (j.contains("identifier-field-ids") && j["identifier-field-ids"].is_array()) {
    for (const json& id : j["identifier-field-ids"]) {
      if (id.is_number_integer()) s.identifier_field_ids.push_back(id.get<int>());
    }
  }
  return s;
}

nlohmann::ordered_json IcebergSchema::ToJson() const {
  nlohmann::ordered_json j;
  j["type"] = "struct";
  j["schema-id"] = schema_id;
  if (!identifier_field_ids.empty()) j["identifier-field-ids"] = identifier_field_ids;
  j["fields"] = nlohmann::ordered_json::array();
  for (const SchemaField& f : fields) {
    nlohmann::ordered_json jf;
    jf["id"] = f.id;
    jf["name"] = f.name;
    jf["required"] = f.required;
    jf["type"] = f.type;
    if (!f.doc.empty()) jf["doc"] = f.doc;
    j["fields"].push_back(std::move(jf));
  }
  return j;
}

Result<RowSchema> IcebergSchema::ToRowSchema() const {
  RowSchema out;
  for (const SchemaField& f : fields) {
    std::optional<ColumnType> type = ColumnTypeFor(f.type);
    if (!type) {
      return Status::InvalidArgument(fmt::format(
          "column {} has type {}: braid writes only string, double, long, int, timestamptz and boolean",
          f.name, f.type.dump()));
    }
    out.push_back({f.name, *type, f.id, f.required});
  }
  return out;
}

int IcebergSchema::HighestFieldId() const {
  int max_id = 0;
  for (const SchemaField& f : fields) {
    max_id = std::max(max_id, f.id);
    CollectIds(f.type, &max_id);
  }
  return max_id;
}

const SchemaField* IcebergSchema::FindField(int id) const {
  for (const SchemaField& f : fields) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

Result<std::string> DuckDbTypeFor(const json& type) {
  if (type.is_string()) {
    std::string t = type.get<std::string>();
    static const std::map<std::string, std::string> kPrimitives = {
        {"boolean", "BOOLEAN"},  {"int", "INTEGER"},          {"long", "BIGINT"},
        {"float", "FLOAT"},      {"double", "DOUBLE"},        {"date", "DATE"},
        {"time", "TIME"},        {"timestamp", "TIMESTAMP"},  {"timestamptz", "TIMESTAMPTZ"},
        {"timestamp_ns", "TIMESTAMP_NS"}, {"timestamptz_ns", "TIMESTAMPTZ"},
        {"string", "VARCHAR"},   {"uuid", "UUID"},            {"binary", "BLOB"},
    };
    auto it = kPrimitives.find(t);
    if (it != kPrimitives.end()) return it->second;
    if (t.starts_with("fixed[")) return std::string("BLOB");
    int precision = 0, scale = 0;
    if (std::sscanf(t.c_str(), "decimal(%d, %d)", &precision, &scale) == 2 ||
        std::sscanf(t.c_str(), "decimal(%d,%d)", &precision, &scale) == 2) {
      return fmt::format("DECIMAL({},{})", precision, scale);
    }
    return Status::InvalidArgument(fmt::format("Iceberg type \"{}\" has no DuckDB equivalent", t));
  }
  if (!type.is_object() || !type.contains("type") || !type["type"].is_string()) {
    return Status::InvalidArgument(fmt::format("malformed Iceberg type {}", type.dump()));
  }
  std::string kind = type["type"].get<std::string>();
  if (kind == "struct" && type.contains("fields") && type["fields"].is_array()) {
    std::string out = "STRUCT(";
    bool first = true;
    for (const json& f : type["fields"]) {
      if (!f.contains("name") || !f["name"].is_string() || !f.contains("type")) {
        return Status::InvalidArgument("malformed struct field in Iceberg type");
      }
      BRAID_ASSIGN_OR_RETURN(std::string inner, DuckDbTypeFor(f["type"]));
      out += fmt::format("{}{} {}", first ? "" : ", ", QuoteIdentifier(f["name"].get<std::string>()), inner);
      first = false;
    }
    return out + ")";
  }
  if (kind == "list" && type.contains("element")) {
    BRAID_ASSIGN_OR_RETURN(std::string inner, DuckDbTypeFor(type["element"]));
    return inner + "[]";
  }
  if (kind == "map" && type.contains("key") && type.contains("value")) {
    BRAID_ASSIGN_OR_RETURN(std::string key, DuckDbTypeFor(type["key"]));
    BRAID_ASSIGN_OR_RETURN(std::string value, DuckDbTypeFor(type["value"]));
    return fmt::format("MAP({}, {})", key, value);
  }
  return Status::InvalidArgument(fmt::format("Iceberg type {} has no DuckDB equivalent", type.dump()));
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace braid
