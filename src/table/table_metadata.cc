#include "table/table_metadata.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "storage/location.h"
#include "table/random_ids.h"

namespace braid {

TableMetadata TableMetadata::NewTable(std::string location, const RowSchema& schema,
                                      std::map<std::string, std::string> properties,
                                      int64_t now_ms, PartitionSpec spec) {
  TableMetadata m;
  m.format_version = 2;
  m.table_uuid = RandomUuid();
  while (!location.empty() && location.back() == '/') location.pop_back();
  m.location = std::move(location);
  m.last_updated_ms = now_ms;
  m.schemas.push_back(IcebergSchema::FromRowSchema(schema, 0));
  m.last_column_id = m.schemas[0].HighestFieldId();
  m.current_schema_id = 0;
  spec.spec_id = 0;
  m.last_partition_id = 999;  // Java's choice for a table that never had a partition field
  for (const PartitionField& f : spec.fields) m.last_partition_id = std::max(m.last_partition_id, f.field_id);
  m.partition_specs.push_back(std::move(spec));
  m.default_spec_id = 0;
  m.sort_orders = nlohmann::json::array({{{"order-id", 0}, {"fields", nlohmann::json::array()}}});
  m.default_sort_order_id = 0;
  m.properties = std::move(properties);
  return m;
}

const IcebergSchema* TableMetadata::CurrentSchema() const { return SchemaById(current_schema_id); }

const IcebergSchema* TableMetadata::SchemaById(int id) const {
  for (const IcebergSchema& s : schemas) {
    if (s.schema_id == id) return &s;
  }
  return nullptr;
}

const PartitionSpec* TableMetadata::DefaultSpec() const {
  for (const PartitionSpec& s : partition_specs) {
    if (s.spec_id == default_spec_id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotById(SnapshotId id) const {
  for (const Snapshot& s : snapshots) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  auto main = refs.find("main");
  if (main != refs.end()) return SnapshotById(main->second.snapshot_id);
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

std::string TableMetadata::DataLocation() const {
  auto it = properties.find("write.data.path");
  return it != properties.end() && !it->second.empty() ? it->second : JoinLocation(location, "data");
}

std::string TableMetadata::MetadataLocation() const {
  auto it = properties.find("write.metadata.path");
  return it != properties.end() && !it->second.empty() ? it->second
                                                        : JoinLocation(location, "metadata");
}

Result<int64_t> TableMetadata::PositiveProperty(const std::string& key, int64_t fallback) const {
  auto it = properties.find(key);
  if (it == properties.end()) return fallback;
  const std::string& v = it->second;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n <= 0) {
    return Status::InvalidArgument(fmt::format("table property {} = \"{}\": must be a positive whole number", key, v));
  }
  return n;
}

Snapshot TableMetadata::NextSnapshot(SnapshotId id, std::string manifest_list,
                                     std::map<std::string, std::string> summary) const {
  Snapshot s;
  s.id = id;
  if (const Snapshot* head = CurrentSnapshot()) s.parent_id = head->id;
  s.sequence_number = last_sequence_number + 1;
  s.timestamp_ms = std::max(NowMillis(), last_updated_ms);
  s.manifest_list = std::move(manifest_list);
  s.schema_id = current_schema_id;
  s.summary = std::move(summary);
  return s;
}

void TableMetadata::RecordPrevious(const std::string& previous_metadata_file) {
  if (!previous_metadata_file.empty()) {
    metadata_log.push_back({last_updated_ms, previous_metadata_file});
    size_t keep = 100;
    auto it = properties.find("write.metadata.previous-versions-max");
    if (it != properties.end()) {
      size_t v = 0;
      auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
      if (ec == std::errc() && v > 0) keep = v;
    }
    if (metadata_log.size() > keep) {
      metadata_log.erase(metadata_log.begin(), metadata_log.end() - static_cast<ptrdiff_t>(keep));
    }
  }
}

void TableMetadata::AddSnapshot(Snapshot snapshot, const std::string& previous_metadata_file) {
  RecordPrevious(previous_metadata_file);
  last_sequence_number = std::max(last_sequence_number, snapshot.sequence_number);
  last_updated_ms = std::max(last_updated_ms, snapshot.timestamp_ms);
  current_snapshot_id = snapshot.id;
  refs["main"].snapshot_id = snapshot.id;
  refs["main"].type = "branch";
  snapshot_log.push_back({snapshot.timestamp_ms, snapshot.id});
  snapshots.push_back(std::move(snapshot));
}

}  // namespace braid
