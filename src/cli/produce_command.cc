// braid produce: the seed notebook's correlated generator, scaled.

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "base/stop_signal.h"
#include "base/time_format.h"
#include "cli/command.h"
#include "kafka/producer.h"
#include "kafka/seed_generator.h"
#include "kafka/topic_admin.h"

namespace braid::cli {
namespace {

struct Options {
  std::string bootstrap = "127.0.0.1:9092";
  std::vector<std::string> properties;
  SeedGeneratorOptions gen;
  std::string span = "60s";
  std::string disorder = "5s";
  int partitions = 3;
  double rate = 0;
};

int Run(Options& o) {
  StopSignal::Install();
  auto fail = [](const Status& s) { return Fail("produce", s); };
  for (auto [text, out] : {std::pair{&o.span, &o.gen.span}, {&o.disorder, &o.gen.disorder}}) {
    auto d = ParseDuration(*text);
    if (!d.ok()) return fail(d.status());
    *out = *d;
  }
  o.gen.now = Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
  KafkaConfig kc{o.bootstrap, {}};
  for (const std::string& kv : o.properties) {
    std::string k, v;
    if (Status s = SplitProperty(kv, &k, &v); !s.ok()) return fail(s);
    if (Status s = KafkaConfig::Check({{k, v}}); !s.ok()) return fail(s.WithContext("-X"));
    kc.properties[k] = v;
  }
  if (o.gen.seed == 0) o.gen.seed = std::random_device()();

  auto topics = EnsureTopics(
      kc, {o.gen.topic_actions, o.gen.topic_purchases, o.gen.topic_sessions}, o.partitions);
  if (!topics.ok()) return fail(topics.status());
  auto producer = Producer::Create(kc);
  if (!producer.ok()) return fail(producer.status());

  fmt::print("Generating correlated events for 3 Kafka topics (seed {})...\n", o.gen.seed);
  const auto start = std::chrono::steady_clock::now();
  int64_t sent = 0;
  Status produce_status;
  SeedGenerator gen(o.gen);
  SeedCounts counts = gen.Generate([&](std::string_view topic, std::string_view json) {
    if (StopSignal::requested()) return false;
    produce_status = (*producer)->Produce(topic, json);
    if (!produce_status.ok()) return false;
    ++sent;
    if (o.rate > 0) {
      auto due = start + std::chrono::duration<double>(static_cast<double>(sent) / o.rate);
      std::this_thread::sleep_until(
          std::chrono::time_point_cast<std::chrono::steady_clock::duration>(due));
    }
    return true;
  });
  if (!produce_status.ok()) return fail(produce_status);
  if (Status s = (*producer)->Flush(); !s.ok()) return fail(s);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  fmt::print("  Topic 1: {} ({} events)\n", o.gen.topic_actions, counts.actions);
  fmt::print("  Topic 2: {} ({} events)\n", o.gen.topic_purchases, counts.purchases);
  fmt::print("  Topic 3: {} ({} unique sessions)\n", o.gen.topic_sessions, counts.sessions);
  fmt::print("Produced correlated events across 3 topics\n");
  fmt::print("   - {} actions\n", counts.actions);
  fmt::print("   - {} purchases (60% conversion)\n", counts.purchases);
  fmt::print("   - {} unique sessions\n", counts.sessions);
  if (counts.late > 0 || counts.malformed > 0) {
    fmt::print("   - of which {} late and {} malformed on purpose\n", counts.late,
               counts.malformed);
  }
  fmt::print("   {} records in {:.2f}s ({:.0f} records/s)\n", sent, secs,
             secs > 0 ? static_cast<double>(sent) / secs : 0.0);
  return StopSignal::requested() ? 130 : 0;
}

}  // namespace

Runner AddProduceCommand(CLI::App& root) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "produce", "Write the seed's correlated actions, purchases and sessions to Kafka");
  cmd->footer(
      "Records are JSON exactly as the seed notebook's producer writes them, without keys.\n"
      "Each topic is sent in event-time order moved by at most --disorder.\n\n"
      "Example:\n  braid produce --bootstrap 127.0.0.1:9092 --events 50 --seed 7\n"
      "  braid produce --events 1000000 --users 100000 --sessions 200000 --span 1h "
      "--late-fraction 0.001 --malformed-fraction 0.001");
  cmd->add_option("--bootstrap", o->bootstrap, "Kafka bootstrap servers")->capture_default_str();
  cmd->add_option("-X", o->properties, "librdkafka property KEY=VALUE (repeatable)");
  cmd->add_option("--events", o->gen.events, "Actions to write (purchases: 60 %)")
      ->check(WholeNumberAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--users", o->gen.users, "Distinct users")
      ->check(WholeNumberAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--sessions", o->gen.sessions, "Distinct sessions")
      ->check(WholeNumberAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--seed", o->gen.seed, "Random seed (same seed, same events; 0: random)");
  cmd->add_option("--partitions", o->partitions, "Partitions of topics braid creates")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--span", o->span, "Event times spread over this long before now")
      ->capture_default_str();
  cmd->add_option("--rate", o->rate, "Records per second (0: as fast as possible)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--disorder", o->disorder, "Largest event-time inversion within a topic")
      ->capture_default_str();
  cmd->add_option("--late-fraction", o->gen.late_fraction, "Share of records sent late")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--malformed-fraction", o->gen.malformed_fraction,
                  "Share of records that are not valid events")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--topic-actions", o->gen.topic_actions)->capture_default_str();
  cmd->add_option("--topic-purchases", o->gen.topic_purchases)->capture_default_str();
  cmd->add_option("--topic-sessions", o->gen.topic_sessions)->capture_default_str();
  return [o] { return Run(*o); };
}

}  // namespace braid::cli
