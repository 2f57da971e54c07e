#pragma once
// OrphanFiles: `braid table remove-orphans`: deletes files under a table's location that no
// metadata references — data files, manifests and manifest lists of commits that failed or
// crashed, metadata files beyond the metadata log, join-state checkpoints no snapshot or
// pipeline record names — and that are older than the cut-off, as Iceberg's DeleteOrphanFiles
// does. Referenced: the current metadata file and its metadata log, every snapshot's manifest
// list, every manifest those list and every file those manifests mention (live or deleted),
// statistics files, braid's checkpoints, and the file catalog's version-hint.text.
//
// A file younger than the cut-off is never touched: it may belong to a commit in flight. The
// cut-off must be at least an hour old for that reason. Tables with gc.enabled=false are
// refused, as for snapshot expiry.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "table/table_operations.h"

namespace braid {

/// The youngest cut-off orphan removal accepts: files written by commits in flight are younger.
inline constexpr int64_t kMinOrphanAgeMs = 3600 * 1000;

struct OrphanOptions {
  int64_t older_than_ms = 0;  // only files modified before this (milliseconds since the epoch)
  bool dry_run = false;       // list them, delete nothing
};

struct OrphanFile {
  std::string location;
  uint64_t size = 0;
};

struct OrphanResult {
  std::vector<OrphanFile> orphans;          // deleted (or, in a dry run, to be deleted)
  std::vector<std::string> delete_failures;  // location: reason
  size_t referenced = 0;                     // files the metadata references
};

/// Finds (and unless dry_run deletes) the orphans of `table`. `now_ms` is the current time:
/// InvalidArgument when options.older_than_ms is later than now_ms - kMinOrphanAgeMs.
Result<OrphanResult> RemoveOrphanFiles(TableOperations& table, const OrphanOptions& options, int64_t now_ms);

}  // namespace braid
