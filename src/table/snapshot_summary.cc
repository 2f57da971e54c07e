#include "table/snapshot_summary.h"

#include <charconv>
#include <set>

#include <fmt/format.h>

#include "table/manifest_reader.h"
#include "table/partition_splitter.h"
#include "table/table_scan.h"

namespace braid {
namespace {

const char* const kTotalKeys[] = {"total-data-files",     "total-records",
                                  "total-files-size",     "total-delete-files",
                                  "total-position-deletes", "total-equality-deletes"};

std::optional<int64_t> Number(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || ptr != it->second.data() + it->second.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<SummaryTotals> SnapshotSummary::TotalsFromSummary(const Snapshot& snapshot) {
  int64_t v[6];
  for (int i = 0; i < 6; ++i) {
    std::optional<int64_t> n = Number(snapshot.summary, kTotalKeys[i]);
    if (!n) return std::nullopt;
    v[i] = *n;
  }
  return SummaryTotals{v[0], v[1], v[2], v[3], v[4], v[5]};
}

Result<SummaryTotals> SnapshotSummary::TotalsFromManifests(FileSystem& fs, const Snapshot& snapshot) {
  SummaryTotals t;
  BRAID_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, TableScan::Manifests(fs, snapshot));
  for (const ManifestFile& m : manifests) {
    BRAID_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ManifestReader::Read(fs, m));
    for (const ManifestEntry& e : entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      const DataFile& f = e.data_file;
      t.files_size += f.file_size_in_bytes;
      if (f.content == 0) {
        ++t.data_files;
        t.records += f.record_count;
      } else {
        ++t.delete_files;
        (f.content == 1 ? t.position_deletes : t.equality_deletes) += f.record_count;
      }
    }
  }
  return t;
}

Result<SummaryTotals> SnapshotSummary::TotalsOf(FileSystem& fs, const Snapshot* snapshot) {
  if (snapshot == nullptr) return SummaryTotals{};
  if (std::optional<SummaryTotals> t = TotalsFromSummary(*snapshot)) return *t;
  return TotalsFromManifests(fs, *snapshot);
}

Result<std::map<std::string, std::string>> SnapshotSummary::ForAppend(
    const SummaryTotals& before, const std::vector<DataFile>& added,
    const std::map<std::string, std::string>& extra) {
  int64_t records = 0, bytes = 0;
  for (const DataFile& f : added) {
    records += f.record_count;
    bytes += f.file_size_in_bytes;
  }
  std::map<std::string, std::string> s;
  s["operation"] = "append";
  s["added-data-files"] = std::to_string(added.size());
  s["added-records"] = std::to_string(records);
  s["added-files-size"] = std::to_string(bytes);
  // The distinct partition tuples added to (an unpartitioned table has one, the empty tuple).
  std::set<std::string> partitions;
  for (const DataFile& f : added) partitions.insert(std::to_string(f.spec_id) + ":" + PartitionKey(f.partition));
  s["changed-partition-count"] = std::to_string(partitions.size());
  s["total-data-files"] = std::to_string(before.data_files + static_cast<int64_t>(added.size()));
  s["total-records"] = std::to_string(before.records + records);
  s["total-files-size"] = std::to_string(before.files_size + bytes);
  s["total-delete-files"] = std::to_string(before.delete_files);
  s["total-position-deletes"] = std::to_string(before.position_deletes);
  s["total-equality-deletes"] = std::to_string(before.equality_deletes);
  for (const auto& [key, value] : extra) {
    if (s.count(key)) {
      return Status::InvalidArgument(fmt::format(
          "snapshot summary key \"{}\" is Iceberg's own; put pipeline keys under a prefix such as braid.", key));
    }
  }
  s.insert(extra.begin(), extra.end());
  return s;
}

std::map<std::string, std::string> SnapshotSummary::ForReplace(const SummaryTotals& before,
                                                               const std::vector<DataFile>& added,
                                                               const std::vector<DataFile>& removed) {
  auto sum = [](const std::vector<DataFile>& files, int64_t DataFile::*field) {
    int64_t n = 0;
    for (const DataFile& f : files) n += f.*field;
    return n;
  };
  const int64_t added_records = sum(added, &DataFile::record_count);
  const int64_t removed_records = sum(removed, &DataFile::record_count);
  const int64_t added_bytes = sum(added, &DataFile::file_size_in_bytes);
  const int64_t removed_bytes = sum(removed, &DataFile::file_size_in_bytes);
  std::map<std::string, std::string> s;
  s["operation"] = "replace";
  s["added-data-files"] = std::to_string(added.size());
  s["deleted-data-files"] = std::to_string(removed.size());
  s["added-records"] = std::to_string(added_records);
  s["deleted-records"] = std::to_string(removed_records);
  s["added-files-size"] = std::to_string(added_bytes);
  s["removed-files-size"] = std::to_string(removed_bytes);
  std::set<std::string> partitions;
  for (const std::vector<DataFile>* files : {&added, &removed}) {
    for (const DataFile& f : *files) partitions.insert(std::to_string(f.spec_id) + ":" + PartitionKey(f.partition));
  }
  s["changed-partition-count"] = std::to_string(partitions.size());
  s["total-data-files"] = std::to_string(before.data_files + static_cast<int64_t>(added.size()) -
                                         static_cast<int64_t>(removed.size()));
  s["total-records"] = std::to_string(before.records + added_records - removed_records);
  s["total-files-size"] = std::to_string(before.files_size + added_bytes - removed_bytes);
  s["total-delete-files"] = std::to_string(before.delete_files);
  s["total-position-deletes"] = std::to_string(before.position_deletes);
  s["total-equality-deletes"] = std::to_string(before.equality_deletes);
  return s;
}

const Snapshot* FindSnapshotSummary(const TableMetadata& metadata,
                                    const std::function<bool(const Snapshot&)>& match) {
  const Snapshot* s = metadata.CurrentSnapshot();
  // A malformed parent chain could loop; no chain is longer than the snapshot list.
  for (size_t steps = 0; s != nullptr && steps <= metadata.snapshots.size(); ++steps) {
    if (match(*s)) return s;
    s = s->parent_id ? metadata.SnapshotById(*s->parent_id) : nullptr;
  }
  return nullptr;
}

}  // namespace braid
