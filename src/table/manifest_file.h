#pragma once
// ManifestFile: one row of a manifest list, describing a manifest (spec "Manifest Lists").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/types.h"

namespace braid {

/// Summary of one partition field over a manifest's files (field 507's r508 records).
struct PartitionFieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
};

struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;  // exact byte size of the manifest file
  int partition_spec_id = 0;
  int content = 0;              // 0 data, 1 deletes
  int64_t sequence_number = 0;  // of the snapshot that added the manifest
  int64_t min_sequence_number = 0;
  SnapshotId added_snapshot_id;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  bool file_counts_known = true;  // false when a (v1) manifest list left the counts out
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  std::optional<std::vector<PartitionFieldSummary>> partitions;
};

/// True for a manifest every entry of which is DELETED: it records what its own snapshot
/// removed, and a later snapshot leaves it out of its list, as Iceberg's writers do. Carried
/// forward, such manifests pile up with every compaction and each commit reads them again.
/// False where the list did not give the counts (nothing is known about the entries).
inline bool OnlyDeletedEntries(const ManifestFile& m) {
  return m.file_counts_known && m.added_files_count == 0 && m.existing_files_count == 0;
}

}  // namespace braid
