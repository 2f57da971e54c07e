#pragma once
// TableScan: the data files live in a snapshot of a table, read from its manifest list and
// manifests (status != DELETED), for tables of format v1 and v2 by any writer.

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/data_file.h"
#include "table/manifest_file.h"
#include "table/table_metadata.h"

namespace braid {

/// The live delete files of a snapshot, by kind (merge-on-read, as Spark writes them).
struct DeleteFileCounts {
  int64_t position = 0;          // v2 position delete files (content 1, Parquet/Avro/ORC)
  int64_t equality = 0;          // equality delete files (content 2)
  int64_t deletion_vectors = 0;  // v3 deletion vectors (content 1 in a Puffin file)
  void Add(const DataFile& delete_file);
  int64_t total() const { return position + equality + deletion_vectors; }
  /// "3 delete files (2 position delete files, 1 deletion vector)".
  std::string Describe() const;
};

class TableScan {
 public:
  /// The manifests of `snapshot`: its manifest list, or the v1 "manifests" array.
  static Result<std::vector<ManifestFile>> Manifests(FileSystem& fs, const Snapshot& snapshot);

  /// The live data files of snapshot `snapshot_id`, or of the current snapshot when nullopt
  /// (no files when the table has none). NotFound for an unknown snapshot id. InvalidArgument
  /// when the snapshot has live delete files that apply to a live data file (by sequence
  /// number, and by file for a position delete file naming one), naming how many of each kind
  /// and how to compact them away (merge-on-read deletes are not applied by braid, and reading
  /// around them would return deleted rows). Delete files that apply to no live data file, as
  /// after a compaction, are skipped.
  static Result<std::vector<DataFile>> LiveDataFiles(FileSystem& fs, const TableMetadata& metadata,
                                                     std::optional<SnapshotId> snapshot_id = std::nullopt);

  /// The snapshot `snapshot_id`, or the current one when nullopt; nullptr when the table has
  /// no snapshot yet. NotFound for an unknown id.
  static Result<const Snapshot*> ResolveSnapshot(const TableMetadata& metadata,
                                                 std::optional<SnapshotId> snapshot_id);
};

}  // namespace braid
