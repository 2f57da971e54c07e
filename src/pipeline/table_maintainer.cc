#include "pipeline/table_maintainer.h"

#include <fmt/format.h>

#include "base/time_format.h"
#include "table/compaction.h"
#include "table/orphan_files.h"
#include "table/reachable_files.h"
#include "table/snapshot_expiry.h"

namespace braid {
namespace {

constexpr int64_t kDayMs = 86'400'000;

int64_t Ms(Duration d) { return d.micros() / 1000; }

bool GcDisabled(TableOperations& table) {
  Result<TableState> s = table.Refresh();
  return s.ok() && !GcEnabled(s->metadata);
}

}  // namespace

Status MaintenanceSettings::Validate() const {
  if (interval.micros() <= 0) return Status::InvalidArgument("maintenance interval must be more than 0s");
  if (retain_last < 1) return Status::InvalidArgument("maintenance retain_last must be at least 1");
  if (Ms(orphans_older_than) < kMinOrphanAgeMs) {
    return Status::InvalidArgument(fmt::format(
        "maintenance orphans_older_than = {}: must be at least 1h, younger files may belong to a commit "
        "in flight", FormatDuration(orphans_older_than)));
  }
  if (target_file_size < 0) return Status::InvalidArgument("maintenance target_file_size must be positive");
  return Status::Ok();
}

TableMaintainer::TableMaintainer(MaintenanceSettings settings, std::function<void(const std::string&)> on_line)
    : settings_(settings), on_line_(std::move(on_line)) {}

TableMaintainer::~TableMaintainer() = default;

void TableMaintainer::Say(const std::string& line) const {
  if (on_line_) on_line_(line);
}

void TableMaintainer::AfterCommit(const std::vector<TableOperations*>& tables, int64_t now_ms, bool final) {
  if (!settings_.enabled) return;
  if (last_run_ms_ < 0) last_run_ms_ = now_ms;  // the first interval starts with the run
  if (!final && now_ms - last_run_ms_ < Ms(settings_.interval)) return;
  Run(tables, now_ms);
}

void TableMaintainer::Run(const std::vector<TableOperations*>& tables, int64_t now_ms) {
  last_run_ms_ = now_ms;
  const bool orphans = last_orphans_ms_ < 0 || now_ms - last_orphans_ms_ >= kDayMs;
  if (orphans) last_orphans_ms_ = now_ms;
  for (TableOperations* t : tables) Maintain(*t, now_ms, orphans);
}

void TableMaintainer::Maintain(TableOperations& table, int64_t now_ms, bool orphans) {
  const std::string name = table.id().ToString();
  auto writer = [this]() -> Result<DataFileWriter*> {
    if (!writer_) {
      Result<std::unique_ptr<DataFileWriter>> w = DataFileWriter::Create(DataFileWriterOptions{1, 0});
      if (!w.ok()) return w.status().WithContext("starting the Parquet writer");
      writer_ = std::move(*w);
    }
    return writer_.get();
  };
  CompactOptions compact{settings_.target_file_size, now_ms - Ms(settings_.compact_older_than), false};
  Result<CompactResult> c = Compact(table, writer, compact);
  if (!c.ok()) {
    Say(fmt::format("maintenance {}: compaction failed, will retry: {}", name, c.status().message()));
  } else if (c->snapshot) {
    Say(fmt::format("maintenance {}: compacted {} data files into {} ({} rows), snapshot {}", name,
                    c->rewritten_files, c->written_files, c->rows, c->snapshot->value()));
  }
  if (GcDisabled(table)) {
    if (no_gc_said_.insert(name).second) {
      Say(fmt::format("maintenance {}: gc.enabled=false, snapshots are not expired and orphans not removed", name));
    }
    return;
  }
  ExpireOptions expire{now_ms - Ms(settings_.expire_older_than), static_cast<int>(settings_.retain_last), false};
  Result<ExpireResult> e = ExpireSnapshots(table, expire);
  if (!e.ok()) {
    Say(fmt::format("maintenance {}: snapshot expiry failed, will retry: {}", name, e.status().message()));
  } else if (!e->expired.empty()) {
    Say(fmt::format("maintenance {}: expired {} snapshots, deleted {} data files, {} manifests, {} manifest lists",
                    name, e->expired.size(), e->deleted_data_files, e->deleted_manifests,
                    e->deleted_manifest_lists));
  }
  if (!orphans) return;
  Result<OrphanResult> o = RemoveOrphanFiles(table, {now_ms - Ms(settings_.orphans_older_than), false}, now_ms);
  if (!o.ok()) {
    Say(fmt::format("maintenance {}: orphan removal failed, will retry: {}", name, o.status().message()));
  } else if (!o->orphans.empty()) {
    Say(fmt::format("maintenance {}: removed {} orphan files", name, o->orphans.size()));
  }
}

}  // namespace braid
