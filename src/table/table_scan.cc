#include "table/table_scan.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "table/manifest_list_reader.h"
#include "table/manifest_reader.h"

namespace braid {

void DeleteFileCounts::Add(const DataFile& f) {
  std::string format = f.file_format;
  for (char& c : format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (f.content == 2) {
    ++equality;
  } else if (format == "PUFFIN") {
    ++deletion_vectors;  // v3: position deletes as a bitmap in a Puffin file
  } else {
    ++position;
  }
}

std::string DeleteFileCounts::Describe() const {
  std::string kinds;
  auto add = [&](int64_t n, std::string_view one, std::string_view many) {
    if (n > 0) kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", n, n == 1 ? one : many);
  };
  add(position, "position delete file", "position delete files");
  add(equality, "equality delete file", "equality delete files");
  add(deletion_vectors, "deletion vector", "deletion vectors");
  return fmt::format("{} delete file{} ({})", total(), total() == 1 ? "" : "s", kinds);
}

namespace {

// The reserved field id of a position delete file's file_path column (Iceberg spec).
constexpr int kDeleteFilePathField = 2147483546;

// Whether delete entry `e` can delete a row of some live data file, by the spec's rules: an
// equality delete applies to data files of a smaller data sequence number, a position delete
// (or deletion vector) to those of a smaller or equal one, and a position delete whose
// file_path bounds name one file only to that file. Partitions are ignored, which can only
// keep a delete file that a partition-aware reader would drop, never drop one that applies.
// After Spark's rewrite_data_files rewrote the files they point at, delete files apply to
// none and the table reads correctly without them.
bool AppliesToAny(const ManifestEntry& e, int64_t min_data_seq, const std::set<std::string>& live_paths) {
  if (live_paths.empty() || !e.sequence_number) return !live_paths.empty();
  const int64_t seq = *e.sequence_number;
  if (e.data_file.content == 2) return min_data_seq < seq;
  if (min_data_seq > seq) return false;
  auto lo = e.data_file.lower_bounds.find(kDeleteFilePathField);
  auto hi = e.data_file.upper_bounds.find(kDeleteFilePathField);
  if (lo != e.data_file.lower_bounds.end() && hi != e.data_file.upper_bounds.end() && lo->second == hi->second) {
    return live_paths.contains(lo->second);
  }
  return true;
}

}  // namespace

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
  std::vector<ManifestEntry> delete_entries;
  std::set<std::string> live_paths;
  // The smallest data sequence number of a live data file (unknown counts as 0: applies).
  int64_t min_data_seq = std::numeric_limits<int64_t>::max();
  for (const ManifestFile& m : manifests) {
    BRAID_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ManifestReader::Read(fs, m));
    for (ManifestEntry& e : entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (m.content != 0 || e.data_file.content != 0) {
        delete_entries.push_back(std::move(e));
        continue;
      }
      min_data_seq = std::min(min_data_seq, e.sequence_number.value_or(0));
      live_paths.insert(e.data_file.file_path);
      out.push_back(std::move(e.data_file));
    }
  }
  DeleteFileCounts deletes;
  for (const ManifestEntry& e : delete_entries) {
    if (!AppliesToAny(e, min_data_seq, live_paths)) continue;
    deletes.Add(e.data_file);
  }
  // Every delete file is counted first, so the refusal says what the snapshot holds. The
  // compaction it names rewrites every data file with a newer sequence number than every
  // delete file, which then applies to no data file (AppliesToAny).
  if (deletes.total() > 0) {
    return Status::InvalidArgument(fmt::format(
        "snapshot {} has {}: braid does not apply merge-on-read deletes, and reading around them "
        "would return deleted rows; compact them away first with Spark's rewrite_data_files "
        "(options rewrite-all=true, use-starting-sequence-number=false), after which they "
        "apply to no data file",
        snapshot->id.value(), deletes.Describe()));
  }
  return out;
}

}  // namespace braid
