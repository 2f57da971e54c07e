#include "table/orphan_files.h"

#include <set>

#include <fmt/format.h>

#include "storage/location.h"
#include "table/reachable_files.h"

namespace braid {
namespace {

// Every file under `dir`, recursively; a directory that vanished while listing is skipped.
Status ListAll(FileSystem& fs, const std::string& dir, std::vector<std::pair<std::string, FileInfo>>* out) {
  Result<std::vector<FileInfo>> entries = fs.List(dir);
  if (!entries.ok()) {
    if (entries.status().kind() == StatusKind::kNotFound) return Status::Ok();
    return entries.status();
  }
  for (FileInfo& e : *entries) {
    std::string location = JoinLocation(dir, e.name);
    if (e.is_directory) {
      BRAID_RETURN_IF_ERROR(ListAll(fs, location, out));
    } else {
      out->emplace_back(std::move(location), std::move(e));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<OrphanResult> RemoveOrphanFiles(TableOperations& table, const OrphanOptions& options, int64_t now_ms) {
  if (options.older_than_ms > now_ms - kMinOrphanAgeMs) {
    return Status::InvalidArgument(
        "--older-than must be at least 1h: younger files may belong to a commit in flight");
  }
  FileSystem& fs = table.io();
  BRAID_ASSIGN_OR_RETURN(TableState state, table.Refresh());
  const TableMetadata& m = state.metadata;
  BRAID_RETURN_IF_ERROR(CheckGcEnabled(m, table.id().ToString(), "remove orphans from it"));
  ReachableFiles reach;
  std::vector<const Snapshot*> all;
  for (const Snapshot& s : m.snapshots) all.push_back(&s);
  BRAID_RETURN_IF_ERROR(reach.Add(fs, all));
  std::set<std::string> referenced = MetadataReferencedFiles(m);
  referenced.insert(CanonicalLocation(state.metadata_location));
  for (const auto* set : {&reach.manifest_lists, &reach.manifests, &reach.live_files, &reach.deleted_files}) {
    referenced.insert(set->begin(), set->end());
  }
  OrphanResult result;
  result.referenced = referenced.size();

  std::vector<std::pair<std::string, FileInfo>> files;
  BRAID_RETURN_IF_ERROR(ListAll(fs, m.location, &files));
  for (const auto& [location, info] : files) {
    if (info.name == "version-hint.text") continue;
    if (referenced.count(CanonicalLocation(location))) continue;
    if (info.modified_ms == 0 || info.modified_ms >= options.older_than_ms) continue;  // unknown age: keep
    if (!options.dry_run) {
      Status st = fs.DeleteFile(location);
      if (!st.ok()) {
        result.delete_failures.push_back(location + ": " + st.message());
        continue;
      }
    }
    result.orphans.push_back({location, info.size});
  }
  return result;
}

}  // namespace braid
