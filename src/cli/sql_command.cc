// braid sql: SQL over the catalog's tables through embedded DuckDB.

#include <cstdio>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "cli/seed_reports.h"
#include "sql/result_formatter.h"
#include "sql/sql_session.h"

namespace braid::cli {


Runner AddSqlCommand(CLI::App& root) {
  struct Options {
    PipelineFlags flags;
    std::string query;
    std::string format = "table";
    int64_t snapshot = 0;
    std::string remote_read = "auto";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand("sql", "Run SQL over the tables (embedded DuckDB)");
  cmd->footer(
      "Every table of the catalog is a view <namespace>.<table> over the live Parquet files of\n"
      "its current snapshot (or of --snapshot ID for the table that has it).\n\n"
      "Example:\n  braid sql --warehouse ./warehouse \"SELECT device_type, COUNT(*) FROM "
      "demo.unified_activity GROUP BY 1\"\n"
      "  braid sql --format csv \"SELECT reason, COUNT(*) FROM demo.unified_activity_rejects "
      "GROUP BY 1\"");
  o->flags.Add(cmd, /*kafka=*/false, /*join=*/false);
  cmd->add_option("query", o->query, "The SQL statement")->required();
  cmd->add_option("--format", o->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--snapshot", o->snapshot, "Read the table that has this snapshot at it");
  cmd->add_option("--remote-read", o->remote_read,
                  "Data files on S3: direct (DuckDB httpfs), download (copy first) or auto")
      ->check(CLI::IsMember({"auto", "direct", "download"}))
      ->capture_default_str();
  return [o] {
    auto opened = o->flags.ResolveWithCatalog(CatalogAccess::kReadOnly);
    if (!opened.ok()) return Fail("sql", opened.status());
    Catalog& catalog = *opened->second;
    SqlSessionOptions so;
    if (o->snapshot != 0) so.snapshot = SnapshotId(o->snapshot);
    if (o->remote_read == "direct") so.remote_read = RemoteRead::kDirect;
    if (o->remote_read == "download") so.remote_read = RemoteRead::kDownload;
    auto session = SqlSession::Open(catalog, so);
    if (!session.ok()) return Fail("sql", session.status());
    auto result = (*session)->Query(o->query);
    if (!result.ok()) return FailRun("sql", result.status());
    (void)PrintResult(*result, o->format);
    return 0;
  };
}

}  // namespace braid::cli
