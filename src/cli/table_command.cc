// braid table: look at a table's metadata, snapshots and files.

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "cli/seed_reports.h"
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
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand("table", "Describe a table, list its snapshots or files");
  cmd->footer(
      "Example:\n  braid table describe demo.unified_activity --warehouse ./warehouse\n"
      "  braid table snapshots demo.unified_activity\n"
      "  braid table files demo.unified_activity --format csv");
  o->flags.Add(cmd, /*kafka=*/false, /*join=*/false);
  cmd->add_option("action", o->action, "describe, snapshots or files")
      ->required()
      ->check(CLI::IsMember({"describe", "snapshots", "files"}));
  cmd->add_option("name", o->table, "namespace.table")->required();
  cmd->add_option("--format", o->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--snapshot", o->snapshot, "files: the live files of this snapshot");
  return [o] {
    auto id = TableIdentifier::Parse(o->table);
    if (!id.ok()) return Fail("table", id.status());
    auto opened = o->flags.ResolveWithCatalog();
    if (!opened.ok()) return Fail("table", opened.status());
    Catalog& catalog = *opened->second;
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
