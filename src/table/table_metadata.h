#pragma once
// TableMetadata: the content of one Iceberg metadata JSON file (format v1 or v2 when read,
// always v2 when braid creates or commits), and the one change braid makes to it: adding an
// append snapshot as the new head of the main branch. A value type; not thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "base/row_batch.h"
#include "table/iceberg_schema.h"
#include "table/partition_spec.h"
#include "table/snapshot.h"

namespace braid {

struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;  // absolute URI, "file:///..."
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int last_column_id = 0;
  std::vector<IcebergSchema> schemas;
  int current_schema_id = 0;
  std::vector<PartitionSpec> partition_specs;
  int default_spec_id = 0;
  int last_partition_id = 999;
  nlohmann::json sort_orders = nlohmann::json::array();  // kept verbatim
  int default_sort_order_id = 0;
  std::map<std::string, std::string> properties;
  std::optional<SnapshotId> current_snapshot_id;  // written as -1 when none
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::map<std::string, SnapshotRef> refs;
  /// Top-level keys braid does not interpret ("statistics", ...), written back unchanged.
  nlohmann::json extra = nlohmann::json::object();

  /// Metadata of a new, empty, unsorted v2 table at `location` with `schema` (schema 0),
  /// partitioned by `spec` (made spec 0; unpartitioned by default), sort order 0, a fresh
  /// table-uuid and no snapshot.
  static TableMetadata NewTable(std::string location, const RowSchema& schema,
                                std::map<std::string, std::string> properties, int64_t now_ms,
                                PartitionSpec spec = {});

  /// The current schema; nullptr only for malformed metadata.
  const IcebergSchema* CurrentSchema() const;
  /// The schema with this id, or nullptr.
  const IcebergSchema* SchemaById(int id) const;
  /// The default partition spec; nullptr only for malformed metadata.
  const PartitionSpec* DefaultSpec() const;
  /// The snapshot with this id, or nullptr (expired or never existed).
  const Snapshot* SnapshotById(SnapshotId id) const;
  /// The head of the main branch (refs.main, else current-snapshot-id), or nullptr when the
  /// table has no snapshot.
  const Snapshot* CurrentSnapshot() const;

  /// The table property `key` as a positive whole number, `fallback` when it is not set.
  /// InvalidArgument naming the property and its value otherwise.
  Result<int64_t> PositiveProperty(const std::string& key, int64_t fallback) const;

  /// Where new data files go: property write.data.path, else <location>/data.
  std::string DataLocation() const;
  /// Where new metadata, manifests and manifest lists go: write.metadata.path, else
  /// <location>/metadata.
  std::string MetadataLocation() const;

  /// Makes `snapshot` the head of main: appends it, sets current-snapshot-id, refs.main,
  /// last-sequence-number, last-updated-ms and the snapshot log, and records
  /// `previous_metadata_file` (the file this metadata was read from, "" for none) in the
  /// metadata log, trimmed to write.metadata.previous-versions-max (default 100) entries.
  void AddSnapshot(Snapshot snapshot, const std::string& previous_metadata_file);

  /// The snapshot that would follow the current head of main: `id`, parent the head (if any),
  /// sequence number last_sequence_number + 1, the current schema, and the wall clock but
  /// never before last_updated_ms (the snapshot log must stay in time order even when this
  /// host's clock is behind the previous writer's).
  Snapshot NextSnapshot(SnapshotId id, std::string manifest_list, std::map<std::string, std::string> summary) const;

  /// Records `previous_metadata_file` (this metadata's file before a change; "" for none) in
  /// the metadata log with the time it was last updated, trimmed to
  /// write.metadata.previous-versions-max entries. AddSnapshot does this; other changes
  /// (snapshot expiry) call it themselves, then set last_updated_ms.
  void RecordPrevious(const std::string& previous_metadata_file);
};

/// Parses metadata JSON of format v1 or v2, as Java, pyiceberg or braid wrote it (v1's single
/// "schema" / "partition-spec", missing optional keys). `source` names the file for errors.
/// Corruption when the JSON is malformed or required keys are missing.
Result<TableMetadata> ParseTableMetadata(std::string_view json, std::string_view source);

/// Serializes metadata as JSON with every key format v2 requires (see ICEBERG.md). braid
/// creates and commits only v2 metadata; other versions are written back as they were read.
std::string SerializeTableMetadata(const TableMetadata& metadata);

}  // namespace braid
