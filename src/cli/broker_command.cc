// braid broker: an embedded Kafka-protocol broker for development.

#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/stop_signal.h"
#include "cli/command.h"
#include "kafka/embedded_broker.h"

namespace braid::cli {

Runner AddBrokerCommand(CLI::App& root) {
  struct Options {
    std::string listen = "127.0.0.1:9092";
    int partitions = 3;
    std::vector<std::string> topics{"user_actions", "purchases", "sessions"};
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "broker", "Run an embedded Kafka-protocol broker on loopback (development, demo)");
  cmd->footer(
      "Prints its bootstrap address alone on the first line of stdout, then serves until\n"
      "SIGINT/SIGTERM. It is librdkafka's mock cluster: it keeps about 5 MiB or 100k messages\n"
      "per partition and drops older data; use a real Kafka for anything bigger.\n\n"
      "Example:\n  braid broker --listen 127.0.0.1:9092 --partitions 3 &\n"
      "  braid produce --bootstrap 127.0.0.1:9092 --events 50 --seed 7");
  cmd->add_option("--listen", opt->listen, "HOST:PORT clients bootstrap from (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--partitions", opt->partitions, "Partitions of each topic created at start")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--topic", opt->topics, "Topics to create at start (repeatable)")
      ->capture_default_str();
  return [opt] {
    StopSignal::Install();
    auto broker = EmbeddedBroker::Start(opt->listen, opt->topics, opt->partitions);
    if (!broker.ok()) return Fail("broker", broker.status());
    fmt::print("{}\n", (*broker)->bootstrap());
    std::fflush(stdout);
    fmt::print(stderr,
               "braid broker: serving on {} (topics {} with {} partitions; others are created "
               "on first use with 4); stop with Ctrl-C\n",
               (*broker)->bootstrap(), fmt::join(opt->topics, ", "), opt->partitions);
    while (!StopSignal::requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    fmt::print(stderr, "braid broker: stopped\n");
    return 0;
  };
}

}  // namespace braid::cli
