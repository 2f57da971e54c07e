#pragma once
// SnapshotExpiry: `braid table expire-snapshots`, as Iceberg's ExpireSnapshots does it. A
// snapshot is expired when it is older than the cut-off and not retained: the head of every
// branch and tag, and on each branch the newest `retain_last` ancestors, are kept whatever
// their age. One metadata update removes the snapshots (and their snapshot-log and statistics
// entries); after it commits, the files only expired snapshots reached are deleted: their
// manifest lists, manifests no kept snapshot lists, and data files no kept snapshot has live.
// A lost race (another writer committed) reloads the table and decides again.
//
// Tables whose gc.enabled property is "false" (Nessie's default) are refused: their files may
// be referenced from elsewhere (another branch of the catalog), which the table cannot know.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "table/table_operations.h"

namespace braid {

struct ExpireOptions {
  int64_t older_than_ms = 0;  // expire snapshots with timestamp-ms before this
  int retain_last = 1;        // ancestors of each branch head kept whatever their age (>= 1)
  bool dry_run = false;       // decide and count, change nothing
};

struct ExpireResult {
  std::vector<SnapshotId> expired;
  size_t kept = 0;
  size_t deleted_manifest_lists = 0;
  size_t deleted_manifests = 0;
  size_t deleted_data_files = 0;
  std::vector<std::string> delete_failures;  // files whose deletion failed (left as orphans)
};

/// Expires snapshots of `table`. InvalidArgument for retain_last < 1 or a table with
/// gc.enabled=false; Conflict after 20 lost races; other errors as the catalog or store give them.
Result<ExpireResult> ExpireSnapshots(TableOperations& table, const ExpireOptions& options);

}  // namespace braid
