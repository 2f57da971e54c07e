#pragma once
// Compaction: `braid table compact`: bin-packs a table's small data files into files of about
// the target size and commits them as one `replace` snapshot, Iceberg's rewrite semantics:
// - the rows do not change (each new file's row count is checked against its inputs');
// - the new files are ADDED by the replace snapshot, the old ones DELETED in one rewrite
//   of the manifests that listed them (other entries EXISTING, sequence numbers kept); every
//   other manifest is carried unchanged;
// - a concurrent append (braid's or any engine's) is never lost: a lost race reloads the table
//   and rebuilds the manifests on the new head; the compaction gives up (Conflict, its new
//   files left as orphans) only when another commit removed one of the files it rewrote.
// Older snapshots still list the old files (time travel works) until they are expired.
//
// Partitioned tables are compacted within each partition: only files of the same partition
// tuple (under the table's default spec) are merged, and the merged file keeps that tuple.
//
// A file is small when it is under 3/4 of the target (Iceberg's min-file-size default). Tables
// with delete files are refused: their rows are not the data files' rows.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "table/data_file_writer.h"
#include "table/table_operations.h"

namespace braid {

struct CompactOptions {
  /// Target size of the files written; 0: the table's write.target-file-size-bytes, else
  /// Iceberg's default 512 MiB.
  int64_t target_file_size = 0;
  /// Only files whose adding snapshot is older than this (milliseconds since the epoch); 0: all.
  int64_t added_before_ms = 0;
  bool dry_run = false;  // plan and count, write nothing
};

struct CompactResult {
  int64_t target_file_size = 0;
  size_t live_files = 0;  // data files in the table before
  size_t rewritten_files = 0;
  int64_t rewritten_bytes = 0;
  size_t written_files = 0;
  int64_t written_bytes = 0;
  int64_t rows = 0;  // rows moved
  std::optional<SnapshotId> snapshot;  // the replace snapshot (none when nothing was rewritten)
  int attempts = 0;
};

/// The target size `options` and the table's properties give. InvalidArgument for a property
/// that is not a positive whole number.
Result<int64_t> CompactionTargetSize(const TableMetadata& metadata, const CompactOptions& options);

/// Compacts `table` with `writer` (the Parquet writer).
Result<CompactResult> Compact(TableOperations& table, DataFileWriter& writer, const CompactOptions& options);

/// The Parquet writer, asked for only when there are files to rewrite (a writer starts a DuckDB
/// instance: most maintenance passes find nothing to compact).
using DataFileWriterSource = std::function<Result<DataFileWriter*>()>;
Result<CompactResult> Compact(TableOperations& table, const DataFileWriterSource& writer,
                              const CompactOptions& options);

}  // namespace braid
