// braid demo: the whole seed notebook on this machine — embedded broker, three topics,
// correlated events, the join into Iceberg, both reports and the validation.

#include <chrono>
#include <random>

#include <fmt/format.h>

#include "base/stop_signal.h"
#include "cli/command.h"
#include "cli/join_run.h"
#include "cli/pipeline_flags.h"
#include "cli/seed_reports.h"
#include "kafka/embedded_broker.h"
#include "kafka/producer.h"
#include "kafka/seed_generator.h"

namespace braid::cli {
namespace {

Status ProduceSeed(const PipelineConfig& c, const std::string& bootstrap, int64_t events) {
  BRAID_ASSIGN_OR_RETURN(auto producer, Producer::Create(KafkaConfig{bootstrap, {}}));
  SeedGeneratorOptions g;
  g.events = events;
  g.seed = std::random_device()();
  g.now = Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count());
  g.topic_actions = c.topic_actions;
  g.topic_purchases = c.topic_purchases;
  g.topic_sessions = c.topic_sessions;
  Status st;
  SeedCounts n = SeedGenerator(g).Generate([&](std::string_view topic, std::string_view json) {
    st = producer->Produce(topic, json);
    return st.ok();
  });
  BRAID_RETURN_IF_ERROR(st);
  BRAID_RETURN_IF_ERROR(producer->Flush());
  fmt::print("  Topic 1: {} ({} events)\n  Topic 2: {} ({} events)\n  Topic 3: {} ({} unique "
             "sessions)\n",
             c.topic_actions, n.actions, c.topic_purchases, n.purchases, c.topic_sessions,
             n.sessions);
  return Status::Ok();
}

int Run(PipelineFlags& flags, int64_t events, bool cleanup) {
  auto fail = [](const Status& s) { return Fail("demo", s); };
  auto config = flags.Resolve();
  if (!config.ok()) return fail(config.status());
  PipelineConfig& c = *config;
  if (c.declared) {
    // The demo generates the seed's three topics; it has no data for declared streams.
    return fail(Status::InvalidArgument(
        "runs the seed pipeline only, and this pipeline file declares its own streams; produce "
        "to its topics and run `braid join --config FILE`"));
  }
  if (events >= 0) c.num_events_per_topic = events;
  cleanup = cleanup || c.enable_cleanup;
  StopSignal::Install();

  const Timestamp run_start(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  fmt::print("Starting the embedded Kafka broker...\n");
  auto broker = EmbeddedBroker::Start("", {c.topic_actions, c.topic_purchases, c.topic_sessions}, 3);
  if (!broker.ok()) return fail(broker.status());
  c.kafka_bootstrap_servers = (*broker)->bootstrap();
  c.kafka.clear();  // the embedded broker needs no TLS or SASL
  // Each demo run is its own pipeline: the embedded broker's offsets start afresh every time.
  c.pipeline_id = fmt::format("demo-{:08x}", std::random_device()());
  fmt::print("Broker ready at {} (topics {}, {}, {} with 3 partitions)\n",
             c.kafka_bootstrap_servers, c.topic_actions, c.topic_purchases, c.topic_sessions);

  auto catalog = PipelineFlags::OpenCatalogOf(c);
  if (!catalog.ok()) return fail(catalog.status());
  fmt::print("\nGenerating correlated events for 3 Kafka topics...\n");
  if (Status st = ProduceSeed(c, c.kafka_bootstrap_servers, c.num_events_per_topic); !st.ok()) {
    return fail(st);
  }
  fmt::print("\nRunning the stream join (actions ⟕ purchases ⋈ sessions, watermark delay {}s)...\n",
             c.watermark_delay.micros() / 1000000);
  PipelineOptions opt;
  opt.mode = RunMode::kDrain;
  auto progress = RunJoin(c, std::move(opt), JoinDisplay{});
  if (!progress.ok()) return fail(progress.status());
  fmt::print("\n");

  if (Status st = PrintSeedReports(**catalog, PipelineFlags::RowsTable(c)); !st.ok()) {
    return fail(st);
  }
  bool passed = true;
  if (c.enable_validation) {
    fmt::print("\nValidation:\n");
    auto ok = RunSeedValidation(**catalog, PipelineFlags::RowsTable(c), PipelineFlags::RejectsTable(c));
    if (!ok.ok()) return fail(ok.status());
    passed = *ok;
    // The audit needs the source topics, which live as long as this process's broker.
    auto audit = RunSourceAudit(c, **catalog, run_start);
    if (!audit.ok()) return fail(audit.status());
    passed = passed && *audit;
    fmt::print("{}\n", passed ? "All validations passed!" : "Validation FAILED");
  }
  if (cleanup) {
    for (const TableIdentifier& id : {PipelineFlags::RowsTable(c), PipelineFlags::RejectsTable(c)}) {
      if (Status st = (*catalog)->DropTable(id); !st.ok()) return fail(st);
    }
    fmt::print("Cleanup completed: dropped {} and its rejects table\n",
               PipelineFlags::RowsTable(c).ToString());
  } else {
    fmt::print("Cleanup skipped (tables kept; query them with `braid sql`)\n");
  }
  return passed ? 0 : 1;
}

}  // namespace

Runner AddDemoCommand(CLI::App& root) {
  struct Options {
    PipelineFlags flags;
    int64_t events = -1;
    bool cleanup = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "demo", "Run the whole seed notebook here: broker, topics, events, join, reports, checks");
  cmd->footer(
      "Needs no Kafka, catalog or object store: the broker is embedded and the table goes to\n"
      "a file catalog (default ./warehouse). Running it again appends another run.\n\n"
      "Example:\n  braid demo\n  braid demo --warehouse /tmp/wh --events 5000 --cleanup");
  o->flags.Add(cmd, /*kafka=*/false, /*join=*/false);
  cmd->add_option("--events", o->events, "Actions to generate (default 50, the seed's)")
      ->check(WholeNumberAtLeast(1));
  cmd->add_flag("--cleanup", o->cleanup, "Drop the tables at the end (the seed's enable_cleanup)");
  return [o] { return Run(o->flags, o->events, o->cleanup); };
}

}  // namespace braid::cli
