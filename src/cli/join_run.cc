#include "cli/join_run.h"

#include <fmt/format.h>

#include "base/time_format.h"
#include "cli/pipeline_flags.h"
#include "event/rejects.h"
#include "join/join_engine.h"
#include "kafka/consumer.h"

namespace braid::cli {

Result<PipelineProgress> RunJoin(const PipelineConfig& config, PipelineOptions opt, bool verbose) {
  const JoinSpec spec = config.ToJoinSpec();
  // The catalog first (its settings and credentials), then Kafka and the topics, and only then
  // the tables: a run that cannot read must not leave empty tables behind.
  BRAID_ASSIGN_OR_RETURN(auto catalog, PipelineFlags::OpenCatalogOf(config));
  {
    BRAID_ASSIGN_OR_RETURN(auto consumer, Consumer::Create(config.ToKafkaConfig(),
                                                           "braid-" + config.PipelineId()));
    std::vector<std::string> topics{spec.driving.topic};
    for (const EnrichSpec& e : spec.enriching) topics.push_back(e.stream.topic);
    for (const std::string& topic : topics) BRAID_RETURN_IF_ERROR(consumer->ListPartitions(topic).status());
  }
  BRAID_ASSIGN_OR_RETURN(auto probe, JoinEngine::Create(spec));
  const TableIdentifier rows_id = PipelineFlags::RowsTable(config);
  const TableIdentifier rejects_id = PipelineFlags::RejectsTable(config);
  for (const auto& [id, schema] : {std::pair{rows_id, &probe->output_schema()},
                                   std::pair{rejects_id, &RejectsSchema()}}) {
    const bool existed = catalog->LoadTable(id).ok();
    BRAID_RETURN_IF_ERROR(catalog->CreateTable(id, *schema).status());
    if (verbose && !existed) fmt::print("Iceberg table created: {}\n", id.ToString());
  }
  BRAID_ASSIGN_OR_RETURN(auto rows_table, catalog->OpenTable(rows_id));
  BRAID_ASSIGN_OR_RETURN(auto rejects_table, catalog->OpenTable(rejects_id));

  opt.pipeline_id = config.PipelineId();
  opt.commit_interval = config.commit_interval;
  opt.maintenance = config.maintenance;
  if (verbose) {
    opt.on_notice = [](const std::string& line) {
      std::fflush(stdout);
      fmt::print(stderr, "braid join: {}\n", line);
    };
  }
  auto progress = [verbose](const PipelineProgress& p) {
    if (!verbose) return;
    fmt::print(stderr,
               "braid join: {:.1f}s  in {}  rows {}  rejects {} (late {})  watermark {}  "
               "state {} rows  commits {}{}{}{}\n",
               p.elapsed_s, p.join.records_in, p.join.rows_out, p.join.rejects, p.join.late,
               FormatTimestamp(p.watermark), p.join.state_rows, p.commits,
               p.commits > 0 ? fmt::format(" (last {:.3f}s)", p.last_commit_s) : "",
               p.lag >= 0 ? fmt::format("  lag {}", p.lag) : "",
               p.broker_unreachable ? "  (waiting for the broker)" : "");
  };
  if (verbose) {
    fmt::print("Joining {} ⟕ {} ⋈ {} from {} into {} (rejects: {})\n", config.topic_actions,
               config.topic_purchases, config.topic_sessions, config.kafka_bootstrap_servers,
               rows_id.ToString(), rejects_id.ToString());
  }
  PipelineRunner runner(spec, config.ToKafkaConfig(), *rows_table, *rejects_table, opt, progress);
  BRAID_ASSIGN_OR_RETURN(PipelineProgress p, runner.Run());
  if (verbose) {
    if (p.recovered) fmt::print("Resumed from the last commit of pipeline {}\n", opt.pipeline_id);
    if (p.skipped_records > 0) {
      fmt::print("Skipped {} records lost to retention (--on-data-loss=skip; recorded in the table)\n",
                 p.skipped_records);
    }
    if (p.recovered_rejects > 0) {
      fmt::print("Recovered {} rejects of an interrupted commit\n", p.recovered_rejects);
    }
    fmt::print(
        "Done in {:.1f}s: {} records in, {} rows committed, {} rejects ({} late), {} commits, "
        "watermark {}, peak state {} rows\n",
        p.elapsed_s, p.join.records_in, p.rows_committed, p.rejects_committed, p.join.late,
        p.commits, FormatTimestamp(p.watermark), p.join.peak_state_rows);
  }
  return p;
}

}  // namespace braid::cli
