// Reading and writing TableMetadata as Iceberg metadata JSON.

#include <set>

#include <fmt/format.h>

#include "table/table_metadata.h"

namespace braid {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

// Keys this file reads or writes; every other top-level key is carried in `extra`.
const std::set<std::string> kKnownKeys = {
    "format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
    "last-column-id", "schema", "schemas", "current-schema-id", "partition-spec",
    "partition-specs", "default-spec-id", "last-partition-id", "sort-orders",
    "default-sort-order-id", "properties", "current-snapshot-id", "snapshots", "snapshot-log",
    "metadata-log", "refs"};

const std::set<std::string> kSnapshotKeys = {"snapshot-id", "parent-snapshot-id", "sequence-number",
                                             "timestamp-ms", "manifest-list", "manifests",
                                             "schema-id", "summary"};

std::string AsString(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::map<std::string, std::string> StringMap(const json& obj) {
  std::map<std::string, std::string> out;
  if (obj.is_object()) {
    for (auto it = obj.begin(); it != obj.end(); ++it) out[it.key()] = AsString(it.value());
  }
  return out;
}

json Extra(const json& obj, const std::set<std::string>& known) {
  json extra = json::object();
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!known.count(it.key())) extra[it.key()] = it.value();
  }
  return extra;
}

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  Status Bad(const std::string& why) const {
    return Status::Corruption(fmt::format("{}: bad table metadata: {}", source_, why));
  }

  Result<int64_t> Long(const json& obj, const char* key) const {
    if (!obj.contains(key) || !obj[key].is_number_integer()) return Bad(fmt::format("\"{}\" missing or not an integer", key));
    return obj[key].get<int64_t>();
  }

  Result<std::string> String(const json& obj, const char* key) const {
    if (!obj.contains(key) || !obj[key].is_string()) return Bad(fmt::format("\"{}\" missing or not a string", key));
    return obj[key].get<std::string>();
  }

  Result<Snapshot> ParseSnapshot(const json& j) const {
    if (!j.is_object()) return Bad("a snapshot is not an object");
    Snapshot s;
    BRAID_ASSIGN_OR_RETURN(int64_t id, Long(j, "snapshot-id"));
    s.id = SnapshotId(id);
    if (j.contains("parent-snapshot-id") && j["parent-snapshot-id"].is_number_integer()) {
      s.parent_id = SnapshotId(j["parent-snapshot-id"].get<int64_t>());
    }
    if (j.contains("sequence-number") && j["sequence-number"].is_number_integer()) {
      s.sequence_number = j["sequence-number"].get<int64_t>();
    }
    BRAID_ASSIGN_OR_RETURN(s.timestamp_ms, Long(j, "timestamp-ms"));
    if (j.contains("manifest-list") && j["manifest-list"].is_string()) {
      s.manifest_list = j["manifest-list"].get<std::string>();
    } else if (j.contains("manifests") && j["manifests"].is_array()) {
      for (const json& m : j["manifests"]) s.v1_manifests.push_back(AsString(m));
    } else {
      return Bad(fmt::format("snapshot {} has neither manifest-list nor manifests", id));
    }
    if (j.contains("schema-id") && j["schema-id"].is_number_integer()) s.schema_id = j["schema-id"].get<int>();
    if (j.contains("summary")) s.summary = StringMap(j["summary"]);
    s.extra = Extra(j, kSnapshotKeys);
    return s;
  }

  Result<TableMetadata> Parse(const json& j) const {
    if (!j.is_object()) return Bad("not a JSON object");
    TableMetadata m;
    BRAID_ASSIGN_OR_RETURN(int64_t version, Long(j, "format-version"));
    if (version < 1 || version > 3) return Bad(fmt::format("format-version {} is not supported", version));
    m.format_version = static_cast<int>(version);
    if (j.contains("table-uuid") && j["table-uuid"].is_string()) {
      m.table_uuid = j["table-uuid"].get<std::string>();
    } else if (version >= 2) {
      return Bad("\"table-uuid\" missing");
    }
    BRAID_ASSIGN_OR_RETURN(m.location, String(j, "location"));
    if (j.contains("last-sequence-number") && j["last-sequence-number"].is_number_integer()) {
      m.last_sequence_number = j["last-sequence-number"].get<int64_t>();
    } else if (version >= 2) {
      return Bad("\"last-sequence-number\" missing");
    }
    BRAID_ASSIGN_OR_RETURN(m.last_updated_ms, Long(j, "last-updated-ms"));
    BRAID_ASSIGN_OR_RETURN(int64_t last_column_id, Long(j, "last-column-id"));
    m.last_column_id = static_cast<int>(last_column_id);

    if (j.contains("schemas") && j["schemas"].is_array()) {
      for (const json& s : j["schemas"]) {
        BRAID_ASSIGN_OR_RETURN(IcebergSchema schema, IcebergSchema::FromJson(s, source_));
        m.schemas.push_back(std::move(schema));
      }
      BRAID_ASSIGN_OR_RETURN(int64_t current, Long(j, "current-schema-id"));
      m.current_schema_id = static_cast<int>(current);
    } else if (j.contains("schema")) {
      BRAID_ASSIGN_OR_RETURN(IcebergSchema schema, IcebergSchema::FromJson(j["schema"], source_));
      m.current_schema_id = schema.schema_id;
      m.schemas.push_back(std::move(schema));
    } else {
      return Bad("no \"schemas\" (or v1 \"schema\")");
    }
    if (!m.CurrentSchema()) return Bad(fmt::format("current-schema-id {} names no schema", m.current_schema_id));

    if (j.contains("partition-specs") && j["partition-specs"].is_array()) {
      for (const json& s : j["partition-specs"]) {
        if (!s.is_object()) return Bad("a partition spec is not an object");
        BRAID_ASSIGN_OR_RETURN(int64_t spec_id, Long(s, "spec-id"));
        BRAID_ASSIGN_OR_RETURN(PartitionSpec spec, PartitionSpec::FromFieldsJson(static_cast<int>(spec_id),
                                                                              s.value("fields", json::array()), source_));
        m.partition_specs.push_back(std::move(spec));
      }
      if (j.contains("default-spec-id") && j["default-spec-id"].is_number_integer()) {
        m.default_spec_id = j["default-spec-id"].get<int>();
      }
    } else if (j.contains("partition-spec") && j["partition-spec"].is_array()) {
      BRAID_ASSIGN_OR_RETURN(PartitionSpec spec, PartitionSpec::FromFieldsJson(0, j["partition-spec"], source_));
      m.partition_specs.push_back(std::move(spec));
      m.default_spec_id = 0;
    } else {
      m.partition_specs.push_back(PartitionSpec{});  // v1 tables may omit it: unpartitioned
    }
    if (!m.DefaultSpec()) return Bad(fmt::format("default-spec-id {} names no spec", m.default_spec_id));
    int max_partition_id = 999;
    for (const PartitionSpec& spec : m.partition_specs) {
      for (const PartitionField& f : spec.fields) max_partition_id = std::max(max_partition_id, f.field_id);
    }
    m.last_partition_id = j.contains("last-partition-id") && j["last-partition-id"].is_number_integer()
                              ? j["last-partition-id"].get<int>()
                              : max_partition_id;
    if (j.contains("sort-orders") && j["sort-orders"].is_array()) m.sort_orders = j["sort-orders"];
    if (m.sort_orders.empty()) m.sort_orders = json::array({{{"order-id", 0}, {"fields", json::array()}}});
    if (j.contains("default-sort-order-id") && j["default-sort-order-id"].is_number_integer()) {
      m.default_sort_order_id = j["default-sort-order-id"].get<int>();
    }
    if (j.contains("properties")) m.properties = StringMap(j["properties"]);

    if (j.contains("snapshots") && j["snapshots"].is_array()) {
      for (const json& s : j["snapshots"]) {
        BRAID_ASSIGN_OR_RETURN(Snapshot snap, ParseSnapshot(s));
        m.snapshots.push_back(std::move(snap));
      }
    }
    if (j.contains("current-snapshot-id") && j["current-snapshot-id"].is_number_integer() &&
        j["current-snapshot-id"].get<int64_t>() != -1) {
      m.current_snapshot_id = SnapshotId(j["current-snapshot-id"].get<int64_t>());
    }
    if (j.contains("refs") && j["refs"].is_object()) {
      for (auto it = j["refs"].begin(); it != j["refs"].end(); ++it) {
        const json& r = it.value();
        if (!r.is_object()) return Bad(fmt::format("ref {} is not an object", it.key()));
        SnapshotRef ref;
        BRAID_ASSIGN_OR_RETURN(int64_t id, Long(r, "snapshot-id"));
        ref.snapshot_id = SnapshotId(id);
        if (r.contains("type") && r["type"].is_string()) ref.type = r["type"].get<std::string>();
        ref.extra = Extra(r, {"snapshot-id", "type"});
        m.refs[it.key()] = std::move(ref);
      }
    }
    if (!m.refs.count("main") && m.current_snapshot_id) {
      m.refs["main"].snapshot_id = *m.current_snapshot_id;  // v1 and early v2 have no refs
    }
    if (m.refs.count("main")) m.current_snapshot_id = m.refs["main"].snapshot_id;

    if (j.contains("snapshot-log") && j["snapshot-log"].is_array()) {
      for (const json& e : j["snapshot-log"]) {
        if (!e.is_object()) return Bad("a snapshot-log entry is not an object");
        BRAID_ASSIGN_OR_RETURN(int64_t ts, Long(e, "timestamp-ms"));
        BRAID_ASSIGN_OR_RETURN(int64_t id, Long(e, "snapshot-id"));
        m.snapshot_log.push_back({ts, SnapshotId(id)});
      }
    }
    if (j.contains("metadata-log") && j["metadata-log"].is_array()) {
      for (const json& e : j["metadata-log"]) {
        if (!e.is_object()) return Bad("a metadata-log entry is not an object");
        BRAID_ASSIGN_OR_RETURN(int64_t ts, Long(e, "timestamp-ms"));
        BRAID_ASSIGN_OR_RETURN(std::string file, String(e, "metadata-file"));
        m.metadata_log.push_back({ts, std::move(file)});
      }
    }
    m.extra = Extra(j, kKnownKeys);
    return m;
  }

 private:
  std::string_view source_;
};

ojson ToOrdered(const json& j) { return ojson::parse(j.dump()); }

}  // namespace

Result<TableMetadata> ParseTableMetadata(std::string_view text, std::string_view source) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::Corruption(fmt::format("{}: table metadata is not valid JSON", source));
  }
  try {
    return Parser(source).Parse(j);
  } catch (const json::exception& e) {
    // A value of an unexpected JSON type deep inside (nlohmann throws on those).
    return Status::Corruption(fmt::format("{}: bad table metadata: {}", source, e.what()));
  }
}

std::string SerializeTableMetadata(const TableMetadata& m) {
  ojson j;
  j["format-version"] = m.format_version;
  j["table-uuid"] = m.table_uuid;
  j["location"] = m.location;
  j["last-sequence-number"] = m.last_sequence_number;
  j["last-updated-ms"] = m.last_updated_ms;
  j["last-column-id"] = m.last_column_id;
  j["current-schema-id"] = m.current_schema_id;
  j["schemas"] = ojson::array();
  for (const IcebergSchema& s : m.schemas) j["schemas"].push_back(s.ToJson());
  j["default-spec-id"] = m.default_spec_id;
  j["partition-specs"] = ojson::array();
  for (const PartitionSpec& s : m.partition_specs) {
    j["partition-specs"].push_back({{"spec-id", s.spec_id}, {"fields", ToOrdered(s.FieldsJson())}});
  }
  j["last-partition-id"] = m.last_partition_id;
  j["default-sort-order-id"] = m.default_sort_order_id;
  j["sort-orders"] = ToOrdered(m.sort_orders);
  j["properties"] = m.properties;
  j["current-snapshot-id"] = m.current_snapshot_id ? m.current_snapshot_id->value() : -1;
  j["refs"] = ojson::object();
  for (const auto& [name, ref] : m.refs) {
    ojson r;
    r["snapshot-id"] = ref.snapshot_id.value();
    r["type"] = ref.type;
    for (auto it = ref.extra.begin(); it != ref.extra.end(); ++it) r[it.key()] = ToOrdered(it.value());
    j["refs"][name] = std::move(r);
  }
  j["snapshots"] = ojson::array();
  for (const Snapshot& s : m.snapshots) {
    ojson js;
    js["snapshot-id"] = s.id.value();
    if (s.parent_id) js["parent-snapshot-id"] = s.parent_id->value();
    js["sequence-number"] = s.sequence_number;
    js["timestamp-ms"] = s.timestamp_ms;
    if (!s.manifest_list.empty()) {
      js["manifest-list"] = s.manifest_list;
    } else {
      js["manifests"] = s.v1_manifests;
    }
    ojson summary;
    summary["operation"] = s.operation().empty() ? std::string("append") : s.operation();
    for (const auto& [k, v] : s.summary) {
      if (k != "operation") summary[k] = v;
    }
    js["summary"] = std::move(summary);
    if (s.schema_id) js["schema-id"] = *s.schema_id;
    for (auto it = s.extra.begin(); it != s.extra.end(); ++it) js[it.key()] = ToOrdered(it.value());
    j["snapshots"].push_back(std::move(js));
  }
  for (auto it = m.extra.begin(); it != m.extra.end(); ++it) j[it.key()] = ToOrdered(it.value());
  j["snapshot-log"] = ojson::array();
  for (const SnapshotLogEntry& e : m.snapshot_log) {
    j["snapshot-log"].push_back({{"timestamp-ms", e.timestamp_ms}, {"snapshot-id", e.snapshot_id.value()}});
  }
  j["metadata-log"] = ojson::array();
  for (const MetadataLogEntry& e : m.metadata_log) {
    j["metadata-log"].push_back({{"timestamp-ms", e.timestamp_ms}, {"metadata-file", e.metadata_file}});
  }
  return j.dump(2);
}

}  // namespace braid
