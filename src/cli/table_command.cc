// braid table: look at a table's metadata, snapshots and files; compact it, expire its
// snapshots, remove its orphan files (cli/table_maintenance.cc).

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "cli/seed_reports.h"
#include "cli/table_maintenance.h"
#include "sql/result_formatter.h"
#include "sql/table_info.h"

namespace braid::cli {

Runner AddTableCommand(CLI::App& root) {
  struct Options {
    PipelineFlags flags;
    std::string action;
    std::string table;
    std::string format = "table";
    int64_t snapshot = 0;
    MaintenanceFlags maintenance;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "table", "Describe a table, list its snapshots or files; compact it, expire snapshots, remove orphans");
  cmd->footer(
      "Examples:\n  braid table describe demo.unified_activity --warehouse ./warehouse\n"
      "  braid table snapshots demo.unified_activity\n"
      "  braid table files demo.unified_activity --format csv\n"
      "  braid table compact demo.unified_activity --target-file-size 128MiB --older-than 10m\n"
      "  braid table expire-snapshots demo.unified_activity --older-than 7d --retain-last 10\n"
      "  braid table remove-orphans demo.unified_activity --older-than 3d --dry-run\n"
      "Defaults: compact to the table's write.target-file-size-bytes (else 512MiB), files under 3/4\n"
      "of it; expire-snapshots --older-than 7d --retain-last 1; remove-orphans --older-than 3d\n"
      "(at least 1h).");
  // The table is the NS.TABLE argument, the one way to name it here.
  o->flags.Add(cmd, /*kafka=*/false, /*join=*/false, /*table_names=*/false);
  cmd->add_option("action", o->action,
                  "describe, snapshots, files, compact, expire-snapshots or remove-orphans")
      ->required()
      ->check(CLI::IsMember({"describe", "snapshots", "files", "compact", "expire-snapshots", "remove-orphans"}));
  cmd->add_option("name", o->table, "namespace.table")->required();
  cmd->add_option("--format", o->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--snapshot", o->snapshot, "files: the live files of this snapshot");
  cmd->add_option("--target-file-size", o->maintenance.target_file_size,
                  "compact: size of the files written (e.g. 128MiB)");
  cmd->add_option("--older-than", o->maintenance.older_than,
                  "compact: only files added longer ago; expire-snapshots, remove-orphans: the age cut-off");
  cmd->add_option("--retain-last", o->maintenance.retain_last,
                  "expire-snapshots: newest snapshots of each branch kept whatever their age")
      ->check(WholeNumberAtLeast(1))
      ->capture_default_str();
  cmd->add_flag("--dry-run", o->maintenance.dry_run,
                "compact, expire-snapshots, remove-orphans: say what would be done, change nothing");
  return [o] {
    auto id = TableIdentifier::Parse(o->table);
    if (!id.ok()) return Fail("table", id.status());
    bool maintains = o->action == "compact" || o->action == "expire-snapshots" || o->action == "remove-orphans";
    auto opened = o->flags.ResolveWithCatalog(maintains ? CatalogAccess::kReadWrite : CatalogAccess::kReadOnly);
    if (!opened.ok()) return Fail("table", opened.status());
    Catalog& catalog = *opened->second;
    if (maintains) {
      return RunMaintenance(o->action, o->table, catalog, o->maintenance);
    }
    auto state = catalog.LoadTable(*id);
    if (!state.ok()) return Fail("table", state.status());
    Result<QueryResult> result = Status::Internal("no action");
    if (o->action == "describe") {
      result = TableInfo::Describe(*state);
    } else if (o->action == "snapshots") {
      result = TableInfo::Snapshots(*state);
    } else {
      auto fs = catalog.FileSystemFor(state->metadata_location);
      if (!fs.ok()) return Fail("table", fs.status());
      std::optional<SnapshotId> snap;
      if (o->snapshot != 0) snap = SnapshotId(o->snapshot);
      result = TableInfo::Files(**fs, *state, snap);
    }
    if (!result.ok()) return Fail("table", result.status().WithContext(o->table));
    if (o->format == "table") {
      fmt::print("{}", ResultFormatter::Table(*result));  // full cells: paths and ids
    } else {
      (void)PrintResult(*result, o->format);
    }
    return 0;
  };
}

}  // namespace braid::cli
