#include "table/snapshot_expiry.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "table/random_ids.h"
#include "table/reachable_files.h"

namespace braid {
namespace {

constexpr int kMaxAttempts = 20;

// The snapshots `options` keeps.
std::set<int64_t> Retained(const TableMetadata& m, const ExpireOptions& options) {
  std::set<int64_t> keep;
  for (const auto& [name, ref] : m.refs) {
    keep.insert(ref.snapshot_id.value());
    if (ref.type != "branch") continue;
    const Snapshot* s = m.SnapshotById(ref.snapshot_id);
    int kept = 0;
    // A malformed parent chain could loop; no chain is longer than the snapshot list.
    for (size_t steps = 0; s != nullptr && steps <= m.snapshots.size(); ++steps) {
      if (kept >= options.retain_last && s->timestamp_ms < options.older_than_ms) break;
      keep.insert(s->id.value());
      ++kept;
      s = s->parent_id ? m.SnapshotById(*s->parent_id) : nullptr;
    }
  }
  if (m.refs.find("main") == m.refs.end() && m.current_snapshot_id) {
    keep.insert(m.current_snapshot_id->value());  // v1 metadata without refs
  }
  // Snapshots on no branch (e.g. staged, or left by a rollback) expire by age alone.
  for (const Snapshot& s : m.snapshots) {
    if (s.timestamp_ms >= options.older_than_ms) keep.insert(s.id.value());
  }
  return keep;
}

// `m` without the snapshots not in `keep`, as Iceberg's removeSnapshots leaves it: a snapshot
// log entry of a removed snapshot drops it and every entry before it (a gap would make
// time travel answer with the wrong snapshot).
TableMetadata WithoutExpired(const TableMetadata& m, const std::set<int64_t>& keep) {
  TableMetadata out = m;
  out.snapshots.clear();
  for (const Snapshot& s : m.snapshots) {
    if (keep.count(s.id.value())) out.snapshots.push_back(s);
  }
  out.snapshot_log.clear();
  for (const SnapshotLogEntry& e : m.snapshot_log) {
    if (keep.count(e.snapshot_id.value())) {
      out.snapshot_log.push_back(e);
    } else {
      out.snapshot_log.clear();
    }
  }
  for (const char* key : {"statistics", "partition-statistics"}) {
    auto it = out.extra.find(key);
    if (it == out.extra.end() || !it->is_array()) continue;
    nlohmann::json kept = nlohmann::json::array();
    for (const nlohmann::json& stat : *it) {
      auto id = stat.find("snapshot-id");
      if (id == stat.end() || !id->is_number_integer() || keep.count(id->get<int64_t>())) kept.push_back(stat);
    }
    *it = std::move(kept);
  }
  return out;
}

std::vector<const Snapshot*> Pointers(const TableMetadata& m, const std::set<int64_t>& ids, bool in) {
  std::vector<const Snapshot*> out;
  for (const Snapshot& s : m.snapshots) {
    if (ids.count(s.id.value()) == (in ? 1u : 0u)) out.push_back(&s);
  }
  return out;
}

// Deletes `candidates` not in `keep`; counts into `deleted`, failures into `result`.
void DeleteUnkept(FileSystem& fs, const std::set<std::string>& candidates, const std::set<std::string>& keep,
                  bool dry_run, size_t* deleted, ExpireResult* result) {
  for (const std::string& f : candidates) {
    if (keep.count(f)) continue;
    if (!dry_run) {
      Status st = fs.DeleteFile(f);
      if (!st.ok()) {
        result->delete_failures.push_back(f + ": " + st.message());
        continue;
      }
    }
    ++*deleted;
  }
}

}  // namespace

Result<ExpireResult> ExpireSnapshots(TableOperations& table, const ExpireOptions& options) {
  if (options.retain_last < 1) {
    return Status::InvalidArgument(fmt::format(
        "--retain-last {}: at least the newest snapshot must be kept (give 1 or more)", options.retain_last));
  }
  FileSystem& fs = table.io();
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    BRAID_ASSIGN_OR_RETURN(TableState base, table.Refresh());
    const TableMetadata& m = base.metadata;
    BRAID_RETURN_IF_ERROR(CheckGcEnabled(m, table.id().ToString(), "expire its snapshots"));
    const std::set<int64_t> keep = Retained(m, options);
    ExpireResult result;
    result.kept = keep.size();
    for (const Snapshot* s : Pointers(m, keep, false)) result.expired.push_back(s->id);
    if (result.expired.empty()) return result;

    // Decide the files before committing: the expired snapshots' manifests must still be there.
    ReachableFiles gone, kept;
    BRAID_RETURN_IF_ERROR(gone.Add(fs, Pointers(m, keep, false)));
    BRAID_RETURN_IF_ERROR(kept.Add(fs, Pointers(m, keep, true)));
    if (!options.dry_run) {
      TableMetadata updated = WithoutExpired(m, keep);
      updated.RecordPrevious(base.metadata_location);
      updated.last_updated_ms = std::max(NowMillis(), m.last_updated_ms);
      Result<TableState> committed = table.Commit(base, updated);
      if (!committed.ok()) {
        if (committed.status().kind() != StatusKind::kConflict) return committed.status();
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 * attempt * attempt, 500)));
        continue;
      }
    }
    // Data files: any an expired snapshot mentions, and any a kept one lists as DELETED (its
    // parent, now gone, had it live), unless a kept snapshot still has it live.
    std::set<std::string> data = gone.live_files;
    data.insert(gone.deleted_files.begin(), gone.deleted_files.end());
    data.insert(kept.deleted_files.begin(), kept.deleted_files.end());
    DeleteUnkept(fs, data, kept.live_files, options.dry_run, &result.deleted_data_files, &result);
    DeleteUnkept(fs, gone.manifests, kept.manifests, options.dry_run, &result.deleted_manifests, &result);
    DeleteUnkept(fs, gone.manifest_lists, kept.manifest_lists, options.dry_run, &result.deleted_manifest_lists,
                 &result);
    return result;
  }
  return Status::Conflict(fmt::format("table {}: gave up expiring snapshots after {} commits lost to other writers",
                                      table.id().ToString(), kMaxAttempts));
}

}  // namespace braid
