// braid demo: the whole seed notebook on this machine — embedded broker, three topics,
// correlated events, the join into Iceberg, both reports and the validation.

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "base/stop_signal.h"
#include "cli/command.h"
#include "cli/join_run.h"
#include "cli/pipeline_flags.h"
#include "cli/seed_reports.h"
#include "kafka/consumer.h"
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
  g = ScaledToEvents(g);  // the notebook's 10 users and 20 sessions at its 50 events
  SeedCounts n = SeedGenerator(g).Generate([&](std::string_view topic, std::string_view json) {
    st = producer->Produce(topic, json);
    return st.ok();
  });
  BRAID_RETURN_IF_ERROR(st);
  BRAID_RETURN_IF_ERROR(producer->Flush());
  fmt::print("  Topic 1: {} ({} events)\n  Topic 2: {} ({} events)\n  Topic 3: {} ({} unique "
             "sessions)\n  ({} users, {} sessions)\n",
             c.topic_actions, n.actions, c.topic_purchases, n.purchases, c.topic_sessions,
             n.sessions, g.users, g.sessions);
  return Status::Ok();
}

// librdkafka's mock cluster, the embedded broker, keeps about 5 MiB or 100k messages per
// partition and silently drops older data: each topic gets enough partitions to hold every
// record the demo writes (3, the demo's usual number, up to about 60k events).
int DemoPartitions(int64_t events) {
  constexpr int64_t kBytesPerRecord = 200;  // the largest seed record with its batch overhead
  constexpr int64_t kBytesPerPartition = 4 << 20, kRecordsPerPartition = 80000;
  const int64_t by_bytes = (events * kBytesPerRecord + kBytesPerPartition - 1) / kBytesPerPartition;
  const int64_t by_count = (events + kRecordsPerPartition - 1) / kRecordsPerPartition;
  return static_cast<int>(std::max<int64_t>({3, by_bytes, by_count}));
}

// Fails naming the topic if the broker dropped any record the demo wrote: the join and its
// audit would otherwise agree on a part of the input and the demo would pass on it.
Status CheckNothingDropped(const PipelineConfig& c, const std::string& bootstrap) {
  BRAID_ASSIGN_OR_RETURN(auto consumer,
                         Consumer::Create(KafkaConfig{bootstrap, {}}, "braid-demo-check"));
  for (const std::string& topic : {c.topic_actions, c.topic_purchases, c.topic_sessions}) {
    BRAID_ASSIGN_OR_RETURN(std::vector<PartitionId> parts, consumer->ListPartitions(topic));
    int64_t dropped = 0;
    for (PartitionId p : parts) {
      BRAID_ASSIGN_OR_RETURN(auto lo_hi, consumer->QueryOffsets(TopicPartition{topic, p}));
      dropped += lo_hi.first.value();
    }
    if (dropped > 0) {
      return Status::DataLoss(fmt::format(
          "the embedded broker dropped the oldest {} records of topic {} (it keeps about 5 MiB "
          "per partition); run with fewer --events, or produce to a real Kafka and run braid join",
          dropped, topic));
    }
  }
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
  const int partitions = DemoPartitions(c.num_events_per_topic);
  auto broker = EmbeddedBroker::Start("", {c.topic_actions, c.topic_purchases, c.topic_sessions},
                                      partitions);
  if (!broker.ok()) return fail(broker.status());
  c.kafka_bootstrap_servers = (*broker)->bootstrap();
  c.kafka.clear();  // the embedded broker needs no TLS or SASL
  // Each demo run is its own pipeline: the embedded broker's offsets start afresh every time.
  c.pipeline_id = fmt::format("demo-{:08x}", std::random_device()());
  fmt::print("Broker ready at {} (topics {}, {}, {} with {} partitions)\n",
             c.kafka_bootstrap_servers, c.topic_actions, c.topic_purchases, c.topic_sessions,
             partitions);

  auto catalog = PipelineFlags::OpenCatalogOf(c);
  if (!catalog.ok()) return fail(catalog.status());
  fmt::print("\nGenerating correlated events for 3 Kafka topics...\n");
  if (Status st = ProduceSeed(c, c.kafka_bootstrap_servers, c.num_events_per_topic); !st.ok()) {
    return fail(st);
  }
  if (Status st = CheckNothingDropped(c, c.kafka_bootstrap_servers); !st.ok()) return FailRun("demo", st);
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
