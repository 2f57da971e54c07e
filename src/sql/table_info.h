#pragma once
// TableInfo: what `braid table describe | snapshots | files` show, as QueryResults so that the
// CLI prints them with ResultFormatter like any query (table, CSV or JSON).

#include <optional>

#include "base/result.h"
#include "sql/query_result.h"
#include "storage/file_system.h"
#include "table/table_operations.h"

namespace braid {

class TableInfo {
 public:
  /// One row per property of the table: location, table-uuid, format-version, metadata file,
  /// current snapshot, totals of the current snapshot, partition spec, each schema column
  /// ("column <id>": "<name> <type> [required]") and each table property ("property <key>").
  static QueryResult Describe(const TableState& state);

  /// One row per snapshot, oldest first: snapshot_id, parent_id, sequence_number, committed_at
  /// (UTC), operation, added_files, added_records, total_records, is_current, and the
  /// snapshot's braid.* keys as one JSON object.
  static QueryResult Snapshots(const TableState& state);

  /// One row per live data file of `snapshot` (the current one when nullopt): file_path,
  /// record_count, file_size_in_bytes, and per column "name: lower .. upper (nulls n)".
  /// NotFound for an unknown snapshot.
  static Result<QueryResult> Files(FileSystem& fs, const TableState& state,
                                   std::optional<SnapshotId> snapshot = std::nullopt);
};

}  // namespace braid
