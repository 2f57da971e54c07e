#include "cli/join_run.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "base/time_format.h"
#include "cli/pipeline_flags.h"
#include "event/rejects.h"
#include "join/join_engine.h"
#include "kafka/consumer.h"
#include "kafka/fetch_source.h"
#include "pipeline/pipeline_metrics.h"
#include "pipeline/status_server.h"
#include "table/random_ids.h"

namespace braid::cli {
namespace {

Status CheckPartitioning(const TableIdentifier& id, const TableMetadata& m, const PartitionSpec& declared) {
  const PartitionSpec* spec = m.DefaultSpec();
  const IcebergSchema* schema = m.CurrentSchema();
  if (spec == nullptr || schema == nullptr || spec->SameLayout(declared)) return Status::Ok();
  return Status::InvalidArgument(fmt::format(
      "table {} is partitioned by {}, but the pipeline declares {} ([output] partition_by); braid does "
      "not change a table's partition spec: declare the table's spec, or write to a new table",
      id.ToString(), spec->Describe(*schema),
      declared.unpartitioned() ? std::string("no partitioning") : declared.Describe(*schema)));
}

// Sets the declared table properties (target_file_size) on a table that has other values, in
// a commit of its own before any data.
Status SetProperties(Catalog& catalog, const TableIdentifier& id, TableState state,
                     const std::map<std::string, std::string>& properties) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    TableMetadata updated = state.metadata;
    for (const auto& [k, v] : properties) updated.properties[k] = v;
    if (updated.properties == state.metadata.properties) return Status::Ok();
    updated.RecordPrevious(state.metadata_location);
    updated.last_updated_ms = std::max(NowMillis(), state.metadata.last_updated_ms);
    Result<TableState> committed = catalog.CommitTable(id, state, updated);
    if (committed.ok() || committed.status().kind() != StatusKind::kConflict) return committed.status();
    BRAID_ASSIGN_OR_RETURN(state, catalog.LoadTable(id));
  }
  return Status::Conflict(fmt::format("table {}: could not set its properties: other writers kept committing", id.ToString()));
}

}  // namespace

// Removes `path` when it goes out of scope, if it did not exist when made and is empty then,
// unless Keep() was called.
class EmptyDirectoryCleanup {
 public:
  explicit EmptyDirectoryCleanup(std::string path) {
    std::error_code ec;
    if (!path.empty() && !std::filesystem::exists(path, ec) && !ec) path_ = std::move(path);
  }
  EmptyDirectoryCleanup(const EmptyDirectoryCleanup&) = delete;
  EmptyDirectoryCleanup& operator=(const EmptyDirectoryCleanup&) = delete;
  ~EmptyDirectoryCleanup() {
    std::error_code ec;
    if (!path_.empty() && std::filesystem::is_empty(path_, ec) && !ec) std::filesystem::remove(path_, ec);
  }
  void Keep() { path_.clear(); }

 private:
  std::string path_;
};

Result<PipelineProgress> RunJoin(const PipelineConfig& config, PipelineOptions opt,
                                 const JoinDisplay& display) {
  const JoinSpec spec = config.ToJoinSpec();
  const bool bar = opt.mode != RunMode::kContinuous && ProgressDisplay::StderrIsTerminal();
  ProgressDisplay out(display.log_format, bar);
  // The catalog first (its settings and credentials), then Kafka and the topics, and only then
  // the tables: a run that cannot read must not leave empty tables behind.
  // Opening a file catalog makes its warehouse directory; a run that fails before it creates a
  // table removes the directory again when braid made it and it is still empty.
  BRAID_RETURN_IF_ERROR(CheckKafkaReader(config.ToKafkaConfig()));
  EmptyDirectoryCleanup new_warehouse(PipelineFlags::LocalWarehouseOf(config));
  BRAID_ASSIGN_OR_RETURN(auto catalog, PipelineFlags::OpenCatalogOf(config));
  // The source is opened once, here: it checks that the topics exist before any table is
  // made, and the runner then reads with it (a second Kafka client cost 15-20 ms of start).
  std::unique_ptr<RecordSource> source;
  {
    const auto open = opt.source_factory ? opt.source_factory : OpenRecordSource;
    BRAID_ASSIGN_OR_RETURN(source, open(config.ToKafkaConfig(), "braid-" + config.PipelineId()));
    std::vector<std::string> topics{spec.driving.topic};
    for (const EnrichSpec& e : spec.enriching) topics.push_back(e.stream.topic);
    for (const std::string& topic : topics) {
      BRAID_RETURN_IF_ERROR(source->ListPartitions(topic).status());
    }
    opt.source_factory = [&source](const KafkaConfig&, const std::string&)
        -> Result<std::unique_ptr<RecordSource>> {
      if (!source) return Status::Internal("the Kafka source was handed over already");
      return std::move(source);
    };
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
  BRAID_ASSIGN_OR_RETURN(PartitionSpec rows_spec, PartitionSpec::Bind(config.partition_by, probe->output_schema()));
  std::map<std::string, std::string> rows_properties;
  if (config.target_file_size > 0) {
    rows_properties["write.target-file-size-bytes"] = std::to_string(config.target_file_size);
  }
  {
    // A table that exists keeps its partition spec: rows split another way than the spec
    // says would be pruned wrongly by every reader, and braid does not evolve specs.
    Result<TableState> existing = catalog->LoadTable(rows_id);
    if (existing.ok()) BRAID_RETURN_IF_ERROR(CheckPartitioning(rows_id, existing->metadata, rows_spec));
  }
  for (const auto& [id, schema] : {std::pair{rows_id, &probe->output_schema()},
                                   std::pair{rejects_id, &RejectsSchema()}}) {
    const bool existed = catalog->LoadTable(id).ok();
    const bool rows = id == rows_id;
    BRAID_ASSIGN_OR_RETURN(TableState state,
                           catalog->CreateTable(id, *schema, rows ? rows_properties : std::map<std::string, std::string>{},
                                                rows ? rows_spec : PartitionSpec{}));
    if (!existed) out.Info("table-created", fmt::format("Iceberg table created: {}", id.ToString()));
    if (rows) {
      BRAID_RETURN_IF_ERROR(CheckPartitioning(rows_id, state.metadata, rows_spec));  // another creator won
      BRAID_RETURN_IF_ERROR(SetProperties(*catalog, rows_id, std::move(state), rows_properties));
    }
  }
  new_warehouse.Keep();
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
