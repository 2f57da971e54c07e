#include "sql/table_info.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time_format.h"
#include "table/column_bounds.h"
#include "table/table_scan.h"

namespace braid {
namespace {

std::optional<std::string> SummaryValue(const Snapshot& s, const char* key) {
  auto it = s.summary.find(key);
  if (it == s.summary.end()) return std::nullopt;
  return it->second;
}

std::string OrEmpty(const std::optional<std::string>& v) { return v.value_or(""); }

}  // namespace

QueryResult TableInfo::Describe(const TableState& state) {
  const TableMetadata& m = state.metadata;
  QueryResult r;
  r.columns = {{"property", "VARCHAR", ValueKind::kText}, {"value", "VARCHAR", ValueKind::kText}};
  auto add = [&](std::string k, std::string v) { r.rows.push_back({std::move(k), std::move(v)}); };
  add("location", m.location);
  add("table-uuid", m.table_uuid);
  add("format-version", std::to_string(m.format_version));
  add("metadata-file", state.metadata_location);
  add("last-updated", FormatTimestamp(Timestamp(m.last_updated_ms * 1000)));
  const Snapshot* current = m.CurrentSnapshot();
  add("current-snapshot-id", current ? std::to_string(current->id.value()) : "none");
  add("snapshots", std::to_string(m.snapshots.size()));
  if (current) {
    add("total-records", OrEmpty(SummaryValue(*current, "total-records")));
    add("total-data-files", OrEmpty(SummaryValue(*current, "total-data-files")));
    add("total-files-size", OrEmpty(SummaryValue(*current, "total-files-size")));
  }
  const PartitionSpec* spec = m.DefaultSpec();
  add("partition-spec", spec && !spec->fields.empty() && m.CurrentSchema() ? spec->Describe(*m.CurrentSchema())
                                                                           : "unpartitioned");
  if (const IcebergSchema* schema = m.CurrentSchema()) {
    for (const SchemaField& f : schema->fields) {
      std::string type = f.type.is_string() ? f.type.get<std::string>() : f.type.dump();
      add(fmt::format("column {}", f.id), fmt::format("{} {}{}", f.name, type, f.required ? " required" : ""));
    }
  }
  for (const auto& [k, v] : m.properties) add("property " + k, v);
  return r;
}

QueryResult TableInfo::Snapshots(const TableState& state) {
  const TableMetadata& m = state.metadata;
  const Snapshot* current = m.CurrentSnapshot();
  QueryResult r;
  r.columns = {{"snapshot_id", "BIGINT", ValueKind::kNumber},    {"parent_id", "BIGINT", ValueKind::kNumber},
               {"sequence_number", "BIGINT", ValueKind::kNumber}, {"committed_at", "VARCHAR", ValueKind::kText},
               {"operation", "VARCHAR", ValueKind::kText},        {"added_files", "BIGINT", ValueKind::kNumber},
               {"added_records", "BIGINT", ValueKind::kNumber},   {"total_records", "BIGINT", ValueKind::kNumber},
               {"is_current", "BOOLEAN", ValueKind::kBoolean},    {"braid", "VARCHAR", ValueKind::kText}};
  for (const Snapshot& s : m.snapshots) {
    nlohmann::ordered_json braid = nlohmann::ordered_json::object();
    for (const auto& [k, v] : s.summary) {
      if (k.starts_with("braid.")) braid[k] = v;
    }
    r.rows.push_back({std::to_string(s.id.value()),
                      s.parent_id ? std::optional(std::to_string(s.parent_id->value())) : std::nullopt,
                      std::to_string(s.sequence_number), FormatTimestamp(Timestamp(s.timestamp_ms * 1000)),
                      s.operation(), SummaryValue(s, "added-data-files"), SummaryValue(s, "added-records"),
                      SummaryValue(s, "total-records"), current == &s ? "true" : "false", braid.dump()});
  }
  return r;
}

Result<QueryResult> TableInfo::Files(FileSystem& fs, const TableState& state,
                                     std::optional<SnapshotId> snapshot) {
  BRAID_ASSIGN_OR_RETURN(std::vector<DataFile> files, TableScan::LiveDataFiles(fs, state.metadata, snapshot));
  const IcebergSchema* schema = state.metadata.CurrentSchema();
  QueryResult r;
  r.columns = {{"file_path", "VARCHAR", ValueKind::kText},
               {"record_count", "BIGINT", ValueKind::kNumber},
               {"file_size_in_bytes", "BIGINT", ValueKind::kNumber},
               {"columns", "VARCHAR", ValueKind::kText}};
  for (const DataFile& f : files) {
    std::string columns;
    if (schema != nullptr) {
      for (const SchemaField& field : schema->fields) {
        std::string type = field.type.is_string() ? field.type.get<std::string>() : "";
        auto lo = f.lower_bounds.find(field.id);
        auto hi = f.upper_bounds.find(field.id);
        auto nulls = f.null_value_counts.find(field.id);
        columns += fmt::format("{}{}: {} .. {}{}", columns.empty() ? "" : "; ", field.name,
                               lo == f.lower_bounds.end() ? "?" : RenderBound(type, lo->second),
                               hi == f.upper_bounds.end() ? "?" : RenderBound(type, hi->second),
                               nulls == f.null_value_counts.end() ? "" : fmt::format(" (nulls {})", nulls->second));
      }
    }
    r.rows.push_back({f.file_path, std::to_string(f.record_count), std::to_string(f.file_size_in_bytes), columns});
  }
  return r;
}

}  // namespace braid
