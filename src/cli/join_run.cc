#include "cli/join_run.h"

#include <fmt/format.h>

#include "base/time_format.h"
#include "cli/pipeline_flags.h"
#include "event/rejects.h"
#include "join/join_engine.h"
#include "kafka/consumer.h"
#include "pipeline/pipeline_metrics.h"
#include "pipeline/status_server.h"

namespace braid::cli {

Result<PipelineProgress> RunJoin(const PipelineConfig& config, PipelineOptions opt,
                                 const JoinDisplay& display) {
  const JoinSpec spec = config.ToJoinSpec();
  const bool bar = opt.mode != RunMode::kContinuous && ProgressDisplay::StderrIsTerminal();
  ProgressDisplay out(display.log_format, bar);
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
  // The metrics endpoint before any table: a port in use must not leave tables behind either.
  PipelineMetrics metrics(config.PipelineId(),
                          opt.mode == RunMode::kContinuous     ? "continuous"
                          : opt.mode == RunMode::kUntilCaughtUp ? "until-caught-up"
                                                                 : "drain",
                          rows_id.ToString());
  std::unique_ptr<StatusServer> server;
  if (!display.metrics_listen.empty()) {
    BRAID_ASSIGN_OR_RETURN(server, StatusServer::Start(display.metrics_listen, metrics));
    opt.metrics = &metrics;
  }
  for (const auto& [id, schema] : {std::pair{rows_id, &probe->output_schema()},
                                   std::pair{rejects_id, &RejectsSchema()}}) {
    const bool existed = catalog->LoadTable(id).ok();
    BRAID_RETURN_IF_ERROR(catalog->CreateTable(id, *schema).status());
    if (!existed) out.Info("table-created", fmt::format("Iceberg table created: {}", id.ToString()));
  }
  BRAID_ASSIGN_OR_RETURN(auto rows_table, catalog->OpenTable(rows_id));
  BRAID_ASSIGN_OR_RETURN(auto rejects_table, catalog->OpenTable(rejects_id));

  opt.pipeline_id = config.PipelineId();
  opt.commit_interval = config.commit_interval;
  opt.maintenance = config.maintenance;
  opt.on_notice = [&out](const std::string& line) { out.Notice(line); };
  if (bar) opt.progress_interval = Duration::Millis(250);
  out.Info("start", fmt::format("Joining {} from {} into {} (rejects: {})",
                                config.JoinDescription(), config.kafka_bootstrap_servers,
                                rows_id.ToString(), rejects_id.ToString()));
  if (server) {
    out.Info("metrics", fmt::format("Metrics on {}/metrics, status page on {}/", server->url(),
                                    server->url()));
  }
  PipelineRunner runner(spec, config.ToKafkaConfig(), *rows_table, *rejects_table, opt,
                        [&out](const PipelineProgress& p) { out.Progress(p); });
  BRAID_ASSIGN_OR_RETURN(PipelineProgress p, runner.Run());
  out.Done(p);
  return p;
}

}  // namespace braid::cli
