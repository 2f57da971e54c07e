// braid table compact | expire-snapshots | remove-orphans.

#include "cli/table_maintenance.h"

#include <fmt/format.h>

#include "base/byte_size.h"
#include "base/time_format.h"
#include "cli/command.h"
#include "table/compaction.h"
#include "table/random_ids.h"
#include "table/orphan_files.h"
#include "table/snapshot_expiry.h"

namespace braid::cli {
namespace {

std::string Bytes(int64_t n) {
  const double v = static_cast<double>(n);
  if (n >= int64_t{1} << 30) return fmt::format("{:.1f} GiB", v / (1 << 30));
  if (n >= int64_t{1} << 20) return fmt::format("{:.1f} MiB", v / (1 << 20));
  if (n >= int64_t{1} << 10) return fmt::format("{:.1f} KiB", v / (1 << 10));
  return fmt::format("{} B", n);
}

// The cut-off `flag` (or `fallback`) gives: now minus the duration, in milliseconds.
Result<int64_t> CutOff(const std::string& flag, const char* fallback, int64_t now_ms) {
  const std::string text = flag.empty() ? fallback : flag;
  Result<Duration> d = ParseDuration(text);
  if (!d.ok()) return d.status().WithContext("--older-than");
  return now_ms - d->micros() / 1000;
}

int Compact(const std::string& name, TableOperations& table, const MaintenanceFlags& f, int64_t now_ms) {
  const std::string cmd = "table compact";
  CompactOptions options;
  options.dry_run = f.dry_run;
  if (!f.target_file_size.empty()) {
    Result<size_t> size = ParseByteSize(f.target_file_size);
    if (!size.ok()) return Fail(cmd, size.status().WithContext("--target-file-size"));
    options.target_file_size = static_cast<int64_t>(*size);
  }
  if (!f.older_than.empty()) {
    Result<int64_t> cut = CutOff(f.older_than, "0s", now_ms);
    if (!cut.ok()) return Fail(cmd, cut.status());
    options.added_before_ms = *cut;
  }
  auto writer = DataFileWriter::Create();
  if (!writer.ok()) return FailRun(cmd, writer.status());
  Result<CompactResult> r = braid::Compact(table, **writer, options);
  if (!r.ok()) return FailRun(cmd, r.status().WithContext(name));
  if (r->rewritten_files == 0) {
    fmt::print("compact {}: nothing to compact ({} data files; none can be combined below the target {})\n",
               name, r->live_files, Bytes(r->target_file_size));
  } else if (f.dry_run) {
    fmt::print("compact {}: would rewrite {} of {} data files ({}, {} rows) into {} (target {}); dry run, "
               "nothing written\n", name, r->rewritten_files, r->live_files, Bytes(r->rewritten_bytes),
               r->rows, r->written_files, Bytes(r->target_file_size));
  } else {
    fmt::print("compact {}: rewrote {} of {} data files ({}) into {} ({}), {} rows, snapshot {} (replace)\n",
               name, r->rewritten_files, r->live_files, Bytes(r->rewritten_bytes), r->written_files,
               Bytes(r->written_bytes), r->rows, r->snapshot ? r->snapshot->value() : 0);
  }
  std::fflush(stdout);
  return 0;
}

int Expire(const std::string& name, TableOperations& table, const MaintenanceFlags& f, int64_t now_ms) {
  const std::string cmd = "table expire-snapshots";
  Result<int64_t> cut = CutOff(f.older_than, "7d", now_ms);
  if (!cut.ok()) return Fail(cmd, cut.status());
  ExpireOptions options{*cut, f.retain_last, f.dry_run};
  Result<ExpireResult> r = ExpireSnapshots(table, options);
  if (!r.ok()) return FailRun(cmd, r.status().WithContext(name));
  fmt::print("expire-snapshots {}: {} {} snapshots, kept {}; {} {} data files, {} manifests, {} manifest lists{}\n",
             name, f.dry_run ? "would remove" : "removed", r->expired.size(), r->kept,
             f.dry_run ? "would delete" : "deleted", r->deleted_data_files, r->deleted_manifests,
             r->deleted_manifest_lists, f.dry_run ? " (dry run)" : "");
  for (const std::string& failure : r->delete_failures) {
    fmt::print(stderr, "braid {}: could not delete {} (left as an orphan)\n", cmd, failure);
  }
  std::fflush(stdout);
  return r->delete_failures.empty() ? 0 : 1;
}

int RemoveOrphans(const std::string& name, TableOperations& table, const MaintenanceFlags& f, int64_t now_ms) {
  const std::string cmd = "table remove-orphans";
  Result<int64_t> cut = CutOff(f.older_than, "3d", now_ms);
  if (!cut.ok()) return Fail(cmd, cut.status());
  Result<OrphanResult> r = RemoveOrphanFiles(table, OrphanOptions{*cut, f.dry_run}, now_ms);
  if (!r.ok()) return FailRun(cmd, r.status().WithContext(name));
  int64_t bytes = 0;
  for (const OrphanFile& o : r->orphans) {
    fmt::print("{}\n", o.location);
    bytes += static_cast<int64_t>(o.size);
  }
  fmt::print("remove-orphans {}: {} {} orphan files ({}); {} files referenced{}\n", name,
             f.dry_run ? "would delete" : "deleted", r->orphans.size(), Bytes(bytes), r->referenced,
             f.dry_run ? " (dry run)" : "");
  for (const std::string& failure : r->delete_failures) {
    fmt::print(stderr, "braid {}: could not delete {}\n", cmd, failure);
  }
  std::fflush(stdout);
  return r->delete_failures.empty() ? 0 : 1;
}

}  // namespace

int RunMaintenance(const std::string& action, const std::string& name, Catalog& catalog,
                   const MaintenanceFlags& flags) {
  auto id = TableIdentifier::Parse(name);
  if (!id.ok()) return Fail("table " + action, id.status());
  // Bad flags are exit 2 whether or not the table exists: check them before opening it.
  if (!flags.older_than.empty()) {
    Result<Duration> d = ParseDuration(flags.older_than);
    if (!d.ok()) return Fail("table " + action, d.status().WithContext("--older-than"));
    if (action == "remove-orphans" && d->micros() / 1000 < kMinOrphanAgeMs) {
      return Fail("table " + action, Status::InvalidArgument(fmt::format(
                                          "--older-than {}: must be at least 1h, younger files may "
                                          "belong to a commit in flight", flags.older_than)));
    }
  }
  if (!flags.target_file_size.empty()) {
    if (Result<size_t> size = ParseByteSize(flags.target_file_size); !size.ok()) {
      return Fail("table " + action, size.status().WithContext("--target-file-size"));
    }
  }
  auto table = catalog.OpenTable(*id);
  if (!table.ok()) return FailRun("table " + action, table.status());
  const int64_t now_ms = NowMillis();
  if (action == "compact") return Compact(name, **table, flags, now_ms);
  if (action == "expire-snapshots") return Expire(name, **table, flags, now_ms);
  return RemoveOrphans(name, **table, flags, now_ms);
}

}  // namespace braid::cli
