#pragma once
// SnapshotSummary: the summary map of an append snapshot (spec "Snapshot Summary": operation
// and the standard counts as decimal strings) with the caller's own keys beside them, and the
// newest-first search through a branch's ancestry that finds those keys again on restart.
// The keys braid itself writes are documented in docs/snapshot-summary.md.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/data_file.h"
#include "table/snapshot.h"
#include "table/table_metadata.h"

namespace braid {

/// The table-wide totals a summary carries.
struct SummaryTotals {
  int64_t data_files = 0;
  int64_t records = 0;
  int64_t files_size = 0;
  int64_t delete_files = 0;
  int64_t position_deletes = 0;
  int64_t equality_deletes = 0;
};

class SnapshotSummary {
 public:
  /// The totals `snapshot`'s summary records; nullopt if it lacks any of them (writers may
  /// omit totals).
  static std::optional<SummaryTotals> TotalsFromSummary(const Snapshot& snapshot);

  /// The totals of `snapshot` counted from its manifests (slow path for summaries without
  /// totals).
  static Result<SummaryTotals> TotalsFromManifests(FileSystem& fs, const Snapshot& snapshot);

  /// The totals of the table at `snapshot`: from its summary, else counted from its
  /// manifests; all zero for nullptr (a table without snapshots).
  static Result<SummaryTotals> TotalsOf(FileSystem& fs, const Snapshot* snapshot);

  /// The summary of an append adding `added` to a table whose totals were `before`:
  /// operation "append", added-data-files, added-records, added-files-size,
  /// changed-partition-count, the six total-* keys, and `extra`. InvalidArgument if an
  /// `extra` key is "operation" or one of the standard keys.
  static Result<std::map<std::string, std::string>> ForAppend(
      const SummaryTotals& before, const std::vector<DataFile>& added,
      const std::map<std::string, std::string>& extra);

  /// The summary of a rewrite (compaction) that replaces the data files `removed` by `added`
  /// holding the same rows: operation "replace", added-/deleted-data-files, added-/deleted-
  /// records, added-/removed-files-size, changed-partition-count and the six total-* keys.
  static std::map<std::string, std::string> ForReplace(const SummaryTotals& before,
                                                       const std::vector<DataFile>& added,
                                                       const std::vector<DataFile>& removed);
};

/// Walks the main branch from its head to older ancestors (following parent-snapshot-id
/// while the parent is still in the metadata) and returns the first snapshot `match` accepts,
/// or nullptr. The pointer is into `metadata`. Used on restart to find the newest snapshot of
/// a pipeline (its braid.* keys).
const Snapshot* FindSnapshotSummary(const TableMetadata& metadata,
                                    const std::function<bool(const Snapshot&)>& match);

}  // namespace braid
