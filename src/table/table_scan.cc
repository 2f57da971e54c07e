#include "table/table_scan.h"

#include <fmt/format.h>

#include "table/manifest_list_reader.h"
#include "table/manifest_reader.h"

namespace braid {

Result<std::vector<ManifestFile>> TableScan::Manifests(FileSystem& fs, const Snapshot& snapshot) {
  if (!snapshot.manifest_list.empty()) return ManifestListReader::Read(fs, snapshot.manifest_list);
  std::vector<ManifestFile> out;
  for (const std::string& path : snapshot.v1_manifests) {
    ManifestFile m;
    m.manifest_path = path;
    m.added_snapshot_id = snapshot.id;
    out.push_back(std::move(m));
  }
  return out;
}

Result<const Snapshot*> TableScan::ResolveSnapshot(const TableMetadata& metadata,
                                                   std::optional<SnapshotId> snapshot_id) {
  if (!snapshot_id) return metadata.CurrentSnapshot();
  const Snapshot* s = metadata.SnapshotById(*snapshot_id);
  if (s == nullptr) {
    return Status::NotFound(fmt::format("table {} has no snapshot {}", metadata.location,
                                        snapshot_id->value()));
  }
  return s;
}

Result<std::vector<DataFile>> TableScan::LiveDataFiles(FileSystem& fs, const TableMetadata& metadata,
                                                       std::optional<SnapshotId> snapshot_id) {
  BRAID_ASSIGN_OR_RETURN(const Snapshot* snapshot, ResolveSnapshot(metadata, snapshot_id));
  std::vector<DataFile> out;
  if (snapshot == nullptr) return out;
  BRAID_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, Manifests(fs, *snapshot));
  for (const ManifestFile& m : manifests) {
    BRAID_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ManifestReader::Read(fs, m));
    for (ManifestEntry& e : entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (m.content != 0 || e.data_file.content != 0) {
        return Status::InvalidArgument(fmt::format(
            "snapshot {} of {} has delete files ({}): braid cannot read merge-on-read deletes yet",
            snapshot->id.value(), metadata.location, e.data_file.file_path));
      }
      out.push_back(std::move(e.data_file));
    }
  }
  return out;
}

}  // namespace braid
