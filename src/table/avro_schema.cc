#include "table/avro_schema.h"

#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace braid {
namespace {

using nlohmann::json;

class SchemaParser {
 public:
  explicit SchemaParser(std::string_view what) : what_(what) {}

  Result<AvroNodePtr> Parse(const json& j, const std::string& ns, int depth) {
    if (depth > 64) return Bad("schema nests deeper than 64 levels");
    if (j.is_string()) return Named(j.get<std::string>(), ns);
    if (j.is_array()) {
      auto node = std::make_shared<AvroNode>();
      node->type = AvroType::kUnion;
      for (const json& branch : j) {
        BRAID_ASSIGN_OR_RETURN(AvroNodePtr b, Parse(branch, ns, depth + 1));
        node->branches.push_back(std::move(b));
      }
      if (node->branches.empty()) return Bad("empty union");
      return AvroNodePtr(node);
    }
    if (!j.is_object() || !j.contains("type")) return Bad("a schema must be a name, union or object");
    const json& type = j["type"];
    if (!type.is_string()) return Parse(type, ns, depth + 1);  // {"type": {...}} wraps a schema
    std::string t = type.get<std::string>();
    auto node = std::make_shared<AvroNode>();
    if (j.contains("logicalType") && j["logicalType"].is_string()) {
      node->logical_type = j["logicalType"].get<std::string>();
    }
    if (t == "record" || t == "error" || t == "enum" || t == "fixed") {
      node->type = t == "enum" ? AvroType::kEnum : t == "fixed" ? AvroType::kFixed : AvroType::kRecord;
      if (!j.contains("name") || !j["name"].is_string()) return Bad(fmt::format("{} without a name", t));
      std::string name_ns = ns;
      if (j.contains("namespace") && j["namespace"].is_string()) name_ns = j["namespace"].get<std::string>();
      node->name = FullName(j["name"].get<std::string>(), name_ns);
      std::string inner_ns = ParentNamespace(node->name);
      if (node->type == AvroType::kFixed) {
        if (!j.contains("size") || !j["size"].is_number_unsigned()) return Bad("fixed without a size");
        node->fixed_size = j["size"].get<size_t>();
      } else if (node->type == AvroType::kEnum) {
        if (!j.contains("symbols") || !j["symbols"].is_array()) return Bad("enum without symbols");
        for (const json& s : j["symbols"]) {
          if (!s.is_string()) return Bad("enum symbol is not a string");
          node->symbols.push_back(s.get<std::string>());
        }
      } else {
        if (!j.contains("fields") || !j["fields"].is_array()) return Bad("record without fields");
        defining_.insert(node->name);
        for (const json& f : j["fields"]) {
          if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("type")) {
            return Bad(fmt::format("record {} has a malformed field", node->name));
          }
          AvroField field;
          field.name = f["name"].get<std::string>();
          BRAID_ASSIGN_OR_RETURN(field.type, Parse(f["type"], inner_ns, depth + 1));
          if (f.contains("field-id") && f["field-id"].is_number_integer()) {
            field.field_id = f["field-id"].get<int>();
          }
          node->fields.push_back(std::move(field));
        }
        defining_.erase(node->name);
      }
      named_[node->name] = node;
      return AvroNodePtr(node);
    }
    if (t == "array" || t == "map") {
      node->type = t == "array" ? AvroType::kArray : AvroType::kMap;
      const char* key = t == "array" ? "items" : "values";
      if (!j.contains(key)) return Bad(fmt::format("{} without {}", t, key));
      BRAID_ASSIGN_OR_RETURN(node->items, Parse(j[key], ns, depth + 1));
      if (j.contains("element-id") && j["element-id"].is_number_integer()) {
        node->element_id = j["element-id"].get<int>();
      }
      return AvroNodePtr(node);
    }
    std::optional<AvroType> primitive = Primitive(t);
    if (!primitive) return Named(t, ns);
    node->type = *primitive;
    return AvroNodePtr(node);
  }

 private:
  static std::optional<AvroType> Primitive(const std::string& t) {
    static const std::map<std::string, AvroType> kTypes = {
        {"null", AvroType::kNull},     {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
        {"long", AvroType::kLong},     {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
        {"bytes", AvroType::kBytes},   {"string", AvroType::kString},
    };
    auto it = kTypes.find(t);
    if (it == kTypes.end()) return std::nullopt;
    return it->second;
  }

  static std::string FullName(const std::string& name, const std::string& ns) {
    if (name.find('.') != std::string::npos || ns.empty()) return name;
    return ns + "." + name;
  }

  static std::string ParentNamespace(const std::string& full) {
    size_t dot = full.rfind('.');
    return dot == std::string::npos ? std::string() : full.substr(0, dot);
  }

  Result<AvroNodePtr> Named(const std::string& name, const std::string& ns) {
    if (std::optional<AvroType> primitive = Primitive(name)) {
      auto node = std::make_shared<AvroNode>();
      node->type = *primitive;
      return AvroNodePtr(node);
    }
    for (const std::string& candidate : {FullName(name, ns), name}) {
      if (defining_.count(candidate)) return Bad(fmt::format("recursive type {} is not supported", name));
      auto it = named_.find(candidate);
      if (it != named_.end()) return it->second;
    }
    return Bad(fmt::format("unknown type \"{}\"", name));
  }

  Status Bad(const std::string& why) const {
    return Status::Corruption(fmt::format("{}: bad Avro schema: {}", what_, why));
  }

  std::string what_;
  std::map<std::string, AvroNodePtr> named_;
  std::set<std::string> defining_;
};

}  // namespace

int AvroNode::FieldIndexById(int id) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].field_id == id) return static_cast<int>(i);
  }
  return -1;
}

int AvroNode::FieldIndexByName(std::string_view n) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == n) return static_cast<int>(i);
  }
  return -1;
}

Result<AvroNodePtr> ParseAvroSchema(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(fmt::format("{}: Avro schema is not valid JSON", what));
  return SchemaParser(what).Parse(j, "", 0);
}

}  // namespace braid
