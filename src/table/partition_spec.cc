#include "table/partition_spec.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "table/iceberg_schema.h"

namespace braid {
namespace {

std::string_view Strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr char kForms[] =
    "write a column name (identity), year(col), month(col), day(col), hour(col), bucket(N, col) or "
    "truncate(W, col)";

}  // namespace

Result<PartitionFieldRequest> PartitionFieldRequest::Parse(std::string_view text) {
  std::string_view t = Strip(text);
  size_t open = t.find('(');
  if (open == std::string_view::npos) {
    if (t.empty() || t.find_first_of(" ,)") != std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("\"{}\" is not a partition field; {}", text, kForms));
    }
    return PartitionFieldRequest{std::string(t), PartitionTransform::Identity()};
  }
  if (t.back() != ')') {
    return Status::InvalidArgument(fmt::format("\"{}\" is not a partition field; {}", text, kForms));
  }
  std::string name(Strip(t.substr(0, open)));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view args = t.substr(open + 1, t.size() - open - 2);
  const bool parameterized = name == "bucket" || name == "truncate";
  if (!parameterized && name != "identity" && name != "year" && name != "month" && name != "day" &&
      name != "hour") {
    return Status::InvalidArgument(fmt::format("\"{}\": unknown transform \"{}\"; {}", text, name, kForms));
  }
  PartitionFieldRequest r;
  if (parameterized) {
    size_t comma = args.find(',');
    if (comma == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("\"{}\": {} takes a count and a column, as {}(16, col)",
                                                 text, name, name));
    }
    std::string_view n = Strip(args.substr(0, comma));
    int64_t value = 0;
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), value);
    if (ec != std::errc() || end != n.data() + n.size() || value <= 0 || value > 0x7fffffff) {
      return Status::InvalidArgument(fmt::format(
          "\"{}\": the {} \"{}\" must be a whole number from 1 to 2147483647", text,
          name == "bucket" ? "bucket count" : "truncate width", n));
    }
    r.transform = PartitionTransform::FromString(fmt::format("{}[{}]", name, value));
    args = args.substr(comma + 1);
  } else {
    r.transform = PartitionTransform::FromString(name);
  }
  r.column = std::string(Strip(args));
  if (r.column.empty() || r.column.find_first_of(" ,()") != std::string::npos) {
    return Status::InvalidArgument(fmt::format("\"{}\": \"{}\" is not a column name; {}", text, r.column, kForms));
  }
  return r;
}

nlohmann::json PartitionSpec::FieldsJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const PartitionField& f : fields) {
    out.push_back({{"name", f.name},
                   {"transform", f.transform.ToString()},
                   {"source-id", f.source_id},
                   {"field-id", f.field_id}});
  }
  return out;
}

Result<PartitionSpec> PartitionSpec::FromFieldsJson(int spec_id, const nlohmann::json& fields,
                                                    std::string_view source) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption(fmt::format("{}: bad table metadata: partition spec {}: {}", source, spec_id, why));
  };
  if (!fields.is_array()) return bad("\"fields\" is not an array");
  PartitionSpec spec;
  spec.spec_id = spec_id;
  int next_id = 1000;  // v1 specs may omit field ids: they were assigned from 1000 in order
  for (const nlohmann::json& f : fields) {
    if (!f.is_object() || !f.contains("transform") || !f["transform"].is_string()) {
      return bad("a field lacks its transform");
    }
    PartitionField p;
    // v3 may name several sources ("source-ids"); braid reads the first.
    if (f.contains("source-id") && f["source-id"].is_number_integer()) {
      p.source_id = f["source-id"].get<int>();
    } else if (f.contains("source-ids") && f["source-ids"].is_array() && !f["source-ids"].empty() &&
               f["source-ids"][0].is_number_integer()) {
      p.source_id = f["source-ids"][0].get<int>();
    } else {
      return bad("a field lacks its source-id");
    }
    p.field_id = f.contains("field-id") && f["field-id"].is_number_integer() ? f["field-id"].get<int>() : next_id;
    next_id = p.field_id + 1;
    p.name = f.contains("name") && f["name"].is_string() ? f["name"].get<std::string>() : "";
    p.transform = PartitionTransform::FromString(f["transform"].get<std::string>());
    spec.fields.push_back(std::move(p));
  }
  return spec;
}

Result<PartitionSpec> PartitionSpec::Bind(const std::vector<PartitionFieldRequest>& requests,
                                          const RowSchema& schema, int spec_id) {
  PartitionSpec spec;
  spec.spec_id = spec_id;
  for (const PartitionFieldRequest& r : requests) {
    const ColumnSpec* column = nullptr;
    std::vector<std::string> names;
    for (const ColumnSpec& c : schema) {
      if (c.name == r.column) column = &c;
      names.push_back(c.name);
    }
    if (column == nullptr) {
      return Status::InvalidArgument(fmt::format("partition field {}: \"{}\" is not an output column; the columns are {}",
                                                 r.transform.ToString(), r.column, fmt::join(names, ", ")));
    }
    if (!r.transform.AppliesTo(column->type)) {
      return Status::InvalidArgument(fmt::format(
          "partition field {}({}): column \"{}\" is {}; {} applies to {}", r.transform.ToString(), r.column,
          r.column, IcebergTypeName(column->type), r.transform.ToString(),
          r.transform.kind() == PartitionTransform::Kind::kTruncate ? "int, long and string columns"
          : r.transform.kind() == PartitionTransform::Kind::kBucket ? "int, long, string and timestamptz columns"
                                                                    : "timestamptz columns"));
    }
    PartitionField f{column->field_id, 1000 + static_cast<int>(spec.fields.size()),
                     r.transform.FieldName(column->name), r.transform};
    for (const PartitionField& o : spec.fields) {
      if (o.name == f.name) {
        return Status::InvalidArgument(fmt::format(
            "partition field {}({}) is declared twice", r.transform.ToString(), r.column));
      }
    }
    spec.fields.push_back(std::move(f));
  }
  return spec;
}

std::string PartitionSpec::Describe(const IcebergSchema& schema) const {
  if (fields.empty()) return "unpartitioned";
  std::string out;
  for (const PartitionField& f : fields) {
    const SchemaField* source = schema.FindField(f.source_id);
    std::string column = source ? source->name : fmt::format("field {}", f.source_id);
    std::string t = f.transform.ToString();
    std::string text;
    if (f.transform.kind() == PartitionTransform::Kind::kIdentity) {
      text = column;
    } else if (f.transform.parameter() > 0) {
      text = fmt::format("{}({}, {})", t.substr(0, t.find('[')), f.transform.parameter(), column);
    } else {
      text = fmt::format("{}({})", t, column);
    }
    out += (out.empty() ? "" : ", ") + text;
  }
  return out;
}

bool PartitionSpec::SameLayout(const PartitionSpec& other) const {
  if (fields.size() != other.fields.size()) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].source_id != other.fields[i].source_id || !(fields[i].transform == other.fields[i].transform)) {
      return false;
    }
  }
  return true;
}

}  // namespace braid
