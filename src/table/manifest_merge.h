#pragma once
// ManifestMerge: keeps a table's manifest list short however many appends it takes, the way
// Iceberg's own writers merge manifests on append. Settings come from the table's properties
// under Iceberg's names and defaults:
//   commit.manifest-merge.enabled      true
//   commit.manifest.min-count-to-merge 100
//   commit.manifest.target-size-bytes  8 MiB
// When a new snapshot would list at least min-count data manifests, the carried manifests of
// the default (unpartitioned) spec are bin-packed in list order into bins of at most the target
// size, and each bin of two or more is rewritten as one manifest of the new snapshot: its live
// entries become EXISTING with their snapshot id and sequence numbers kept, entries an older
// snapshot DELETED are dropped. Delete manifests and manifests of other specs are carried as
// they are. The rows of the table do not change.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/manifest_file.h"
#include "table/table_metadata.h"

namespace braid {

struct ManifestMergePolicy {
  bool enabled = true;
  int64_t min_count_to_merge = 100;
  int64_t target_size_bytes = 8 * 1024 * 1024;

  /// The policy a table's properties set. InvalidArgument naming the property when a value is
  /// not a boolean or a positive whole number.
  static Result<ManifestMergePolicy> FromProperties(const TableMetadata& metadata);
};

struct MergedManifests {
  std::vector<ManifestFile> manifests;  // the new list's manifests after `added`
  std::vector<std::string> written;     // manifests this merge created (to delete if the commit fails)
  int replaced = 0;                     // carried manifests folded into the written ones
};

class ManifestMerge {
 public:
  /// Merges `carried` (the parent snapshot's manifests, in list order) for a snapshot
  /// `snapshot_id` whose own new manifests number `added`. New manifests go to
  /// `metadata_dir`; their sequence numbers are left for the commit (SetSequenceNumber).
  static Result<MergedManifests> Merge(FileSystem& fs, const TableMetadata& metadata,
                                       const ManifestMergePolicy& policy, SnapshotId snapshot_id,
                                       size_t added, std::vector<ManifestFile> carried,
                                       const std::string& metadata_dir);
};

}  // namespace braid
