// braid validate: the seed notebook's checks and stricter ones, and optionally an audit that
// recomputes the join from the source topics; non-zero exit on failure.

#include <fmt/format.h>

#include "base/time_format.h"
#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "cli/seed_reports.h"
#include "pipeline/source_audit.h"

namespace braid::cli {

Result<bool> RunSourceAudit(const PipelineConfig& config, Catalog& catalog,
                            std::optional<Timestamp> since, Duration progress_interval) {
  fmt::print("Re-reading {} from {} and recomputing the join in DuckDB{}...\n", config.JoinDescription(),
             config.kafka_bootstrap_servers, config.query.empty() ? "" : " with the pipeline's own query");
  BRAID_ASSIGN_OR_RETURN(
      AuditResult a,
      AuditAgainstSource(config.ToJoinSpec(), config.query, config.ToKafkaConfig(), catalog,
                         PipelineFlags::RowsTable(config), PipelineFlags::RejectsTable(config), since,
                         progress_interval));
  fmt::print("{} {} source records, {} rejected; the query gives {} rows, the table has {}: "
             "{} missing, {} extra\n",
             a.ok() ? "PASS" : "FAIL", a.source_records, a.rejected_records, a.expected_rows,
             a.table_rows, a.missing_rows, a.extra_rows);
  for (const std::string& s : a.samples) fmt::print("     {}\n", s);
  return a.ok();
}

Runner AddValidateCommand(CLI::App& root) {
  struct Options {
    PipelineFlags flags;
    bool against_source = false;
    std::string progress_interval = "2s";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand("validate", "Check the table: rows joined, devices, keys, rejects");
  cmd->footer(
      "--against-source re-reads the source topics, recomputes the join's batch meaning in\n"
      "DuckDB over the records braid accepted, and diffs it with the table.\n"
      "Exits 1 when a check fails.\n\n"
      "Example:\n  braid validate --warehouse ./warehouse\n"
      "  braid validate --warehouse ./warehouse --bootstrap 127.0.0.1:9092 --against-source");
  o->flags.Add(cmd, /*kafka=*/true, /*join=*/true);
  cmd->add_flag("--against-source", o->against_source,
                "Recompute the join from the source topics and diff it with the table");
  cmd->add_option("--progress-interval", o->progress_interval,
                  "With --against-source: how often a line on stderr says what the audit is "
                  "doing (default 2s)");
  return [o] {
    auto interval = ParseDuration(o->progress_interval);
    if (!interval.ok()) return Fail("validate", interval.status().WithContext("--progress-interval"));
    if (*interval <= Duration::Micros(0)) {
      return Fail("validate", Status::InvalidArgument(fmt::format(
                                  "--progress-interval: {} is not longer than zero; give a duration "
                                  "such as 2s or 500ms", o->progress_interval)));
    }
    auto opened = o->flags.ResolveWithCatalog(CatalogAccess::kReadOnly);
    if (!opened.ok()) return Fail("validate", opened.status());
    const PipelineConfig& config = opened->first;
    Catalog& catalog = *opened->second;
    bool passed = true;
    // The seed's checks know the seed's columns; the audit is general and is all a declared
    // pipeline gets.
    if (config.declared && !o->against_source) {
      return Fail("validate", Status::InvalidArgument(
                                  "has only the seed pipeline's checks, and this pipeline file declares its own "
                                  "streams; use --against-source to recompute its join from the topics"));
    }
    if (!config.declared) {
      auto ok = RunSeedValidation(catalog, PipelineFlags::RowsTable(config),
                                  PipelineFlags::RejectsTable(config));
      if (!ok.ok()) return FailRun("validate", ok.status());
      passed = *ok;
    }
    if (o->against_source) {
      auto audit = RunSourceAudit(config, catalog, std::nullopt, *interval);
      if (!audit.ok()) return FailRun("validate", audit.status());
      passed = passed && *audit;
    }
    return passed ? 0 : 1;
  };
}

}  // namespace braid::cli
