// braid table: look at a table's metadata, snapshots and files.

#include <fmt/format.h>

#include "base/time_format.h"
#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "sql/query_result.h"
#include "sql/result_formatter.h"
#include "table/table_scan.h"

namespace braid::cli {
namespace {

QueryResult Make(std::vector<std::string> names) {
  QueryResult r;
  for (auto& n : names) r.columns.push_back(QueryColumn{std::move(n), "VARCHAR"});
  return r;
}

std::string Get(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

int Describe(const TableState& t, const std::string& name) {
  const TableMetadata& md = t.metadata;
  fmt::print("table      {}\nlocation   {}\nmetadata   {}\nformat     v{}\nuuid       {}\n", name,
             md.location, t.metadata_location, md.format_version, md.table_uuid);
  const Snapshot* cur = md.CurrentSnapshot();
  fmt::print("snapshot   {}\n", cur ? std::to_string(cur->id.value()) : "none");
  if (cur) fmt::print("records    {}\n", Get(cur->summary, "total-records"));
  QueryResult r = Make({"field_id", "name", "type", "required"});
  if (const IcebergSchema* s = md.CurrentSchema()) {
    for (const auto& f : s->fields) {
      r.rows.push_back({std::to_string(f.id), f.name,
                        f.type.is_string() ? f.type.get<std::string>() : f.type.dump(),
                        f.required ? "true" : "false"});
    }
  }
  fmt::print("{}", ResultFormatter::Table(r));
  return 0;
}

int Snapshots(const TableState& t) {
  QueryResult r = Make({"snapshot_id", "parent_id", "sequence", "committed_at", "operation",
                        "added_records", "total_records", "braid.pipeline-id", "braid.commit-seq"});
  for (const Snapshot& s : t.metadata.snapshots) {
    r.rows.push_back({std::to_string(s.id.value()),
                      s.parent_id ? std::optional(std::to_string(s.parent_id->value())) : std::nullopt,
                      std::to_string(s.sequence_number),
                      FormatTimestamp(Timestamp(s.timestamp_ms * 1000)), s.operation(),
                      Get(s.summary, "added-records"), Get(s.summary, "total-records"),
                      Get(s.summary, "braid.pipeline-id"), Get(s.summary, "braid.commit-seq")});
  }
  fmt::print("{}", ResultFormatter::Table(r));
  return 0;
}

int Files(FileSystem& fs, const TableState& t, const std::string& name) {
  auto files = TableScan::LiveDataFiles(fs, t.metadata);
  if (!files.ok()) return Fail("table files", files.status().WithContext(name));
  QueryResult r = Make({"file_path", "records", "bytes"});
  for (const DataFile& f : *files) {
    r.rows.push_back({f.file_path, std::to_string(f.record_count),
                      std::to_string(f.file_size_in_bytes)});
  }
  fmt::print("{}", ResultFormatter::Table(r));
  return 0;
}

}  // namespace

Runner AddTableCommand(CLI::App& root) {
  struct Options {
    PipelineFlags flags;
    std::string action;
    std::string table;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand("table", "Describe a table, list its snapshots or files");
  cmd->footer(
      "Example:\n  braid table describe demo.unified_activity --warehouse ./warehouse\n"
      "  braid table snapshots demo.unified_activity\n  braid table files demo.unified_activity");
  o->flags.Add(cmd, /*kafka=*/false, /*join=*/false);
  cmd->add_option("action", o->action, "describe, snapshots or files")
      ->required()
      ->check(CLI::IsMember({"describe", "snapshots", "files"}));
  cmd->add_option("name", o->table, "namespace.table")->required();
  return [o] {
    auto opened = o->flags.ResolveWithCatalog();
    if (!opened.ok()) return Fail("table", opened.status());
    Catalog& catalog = *opened->second;
    auto id = TableIdentifier::Parse(o->table);
    if (!id.ok()) return Fail("table", id.status());
    auto state = catalog.LoadTable(*id);
    if (!state.ok()) return Fail("table", state.status());
    if (o->action == "describe") return Describe(*state, o->table);
    if (o->action == "snapshots") return Snapshots(*state);
    auto fs = catalog.FileSystemFor(state->metadata_location);
    if (!fs.ok()) return Fail("table", fs.status());
    return Files(**fs, *state, o->table);
  };
}

}  // namespace braid::cli
