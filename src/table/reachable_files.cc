#include "table/reachable_files.h"

#include <fmt/format.h>

#include "storage/location.h"
#include "table/manifest_reader.h"
#include "table/table_scan.h"

namespace braid {

Status ReachableFiles::Add(FileSystem& fs, const std::vector<const Snapshot*>& snapshots) {
  for (const Snapshot* s : snapshots) {
    if (!s->manifest_list.empty()) manifest_lists.insert(CanonicalLocation(s->manifest_list));
    BRAID_ASSIGN_OR_RETURN(std::vector<ManifestFile> list, TableScan::Manifests(fs, *s));
    for (const ManifestFile& mf : list) {
      if (!manifests.insert(CanonicalLocation(mf.manifest_path)).second) continue;
      BRAID_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ManifestReader::Read(fs, mf));
      for (const ManifestEntry& e : entries) {
        std::set<std::string>& into = e.status == EntryStatus::kDeleted ? deleted_files : live_files;
        into.insert(CanonicalLocation(e.data_file.file_path));
      }
    }
  }
  return Status::Ok();
}

std::set<std::string> MetadataReferencedFiles(const TableMetadata& m) {
  std::set<std::string> out;
  for (const MetadataLogEntry& e : m.metadata_log) out.insert(CanonicalLocation(e.metadata_file));
  for (const char* key : {"statistics", "partition-statistics"}) {
    auto it = m.extra.find(key);
    if (it == m.extra.end() || !it->is_array()) continue;
    for (const nlohmann::json& stat : *it) {
      auto path = stat.find("statistics-path");
      if (path != stat.end() && path->is_string()) out.insert(CanonicalLocation(path->get<std::string>()));
    }
  }
  for (const Snapshot& s : m.snapshots) {
    auto it = s.summary.find("braid.state-location");
    if (it != s.summary.end()) out.insert(CanonicalLocation(it->second));
  }
  for (const auto& [key, value] : m.properties) {
    if (key.starts_with("braid.pipeline.") && key.ends_with(".state-location")) {
      out.insert(CanonicalLocation(value));
    }
  }
  return out;
}

bool GcEnabled(const TableMetadata& m) {
  auto gc = m.properties.find("gc.enabled");
  return gc == m.properties.end() || gc->second != "false";
}

Status CheckGcEnabled(const TableMetadata& m, const std::string& table, const std::string& action) {
  if (GcEnabled(m)) return Status::Ok();
  return Status::InvalidArgument(fmt::format(
      "table {} has gc.enabled=false: its files may be shared with other branches or tables, so "
      "braid does not {} (use the catalog's own garbage collection)", table, action));
}

}  // namespace braid
