#pragma once
// ReachableFiles: every file a set of snapshots needs or mentions — manifest lists, manifests,
// and the data and delete files their manifests list — keyed by CanonicalLocation so that
// locations spelled differently by different engines compare equal. Snapshot expiry deletes
// what only expired snapshots reach; orphan removal keeps everything any snapshot reaches.

#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/table_metadata.h"

namespace braid {

struct ReachableFiles {
  std::set<std::string> manifest_lists;
  std::set<std::string> manifests;
  std::set<std::string> live_files;     // ADDED or EXISTING entries (data and delete files)
  std::set<std::string> deleted_files;  // DELETED entries

  /// Adds the files of `snapshots`, reading each manifest once however many snapshots share it.
  /// Errors name the manifest list or manifest that cannot be read.
  Status Add(FileSystem& fs, const std::vector<const Snapshot*>& snapshots);
};

/// The files a table's metadata itself points at besides snapshots: metadata log entries and
/// statistics files, and braid's join-state checkpoints (braid.state-location in snapshot
/// summaries and braid.pipeline.<id>.state-location in properties), canonical.
std::set<std::string> MetadataReferencedFiles(const TableMetadata& metadata);

/// Whether the table lets its files be deleted: false when its gc.enabled property is "false"
/// (Nessie's default: the files may be shared with other branches or tables).
bool GcEnabled(const TableMetadata& metadata);

/// InvalidArgument naming `table` and `action` ("expire its snapshots") when !GcEnabled.
Status CheckGcEnabled(const TableMetadata& metadata, const std::string& table, const std::string& action);

}  // namespace braid
