// braid join: the streaming pipeline, bounded (--until-caught-up) or continuous.

#include <fmt/format.h>

#include "base/stop_signal.h"
#include "base/time_format.h"
#include "cli/command.h"
#include "cli/join_run.h"
#include "cli/pipeline_flags.h"

namespace braid::cli {

Runner AddJoinCommand(CLI::App& root) {
  struct Options {
    PipelineFlags flags;
    bool until_caught_up = false;
    std::string duration;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "join", "Join the actions, purchases and sessions topics into an Iceberg table");
  cmd->footer(
      "Rows go to <namespace>.<table>, rejected records (malformed, late) to\n"
      "<namespace>.<table>_rejects. Each commit records the Kafka offsets and the join state,\n"
      "so a restarted run continues exactly where the last one stopped.\n\n"
      "Example:\n  braid join --bootstrap 127.0.0.1:9092 --warehouse ./warehouse --until-caught-up\n"
      "  braid join --config examples/pattern-2.4.toml --duration 40s");
  o->flags.Add(cmd, /*kafka=*/true, /*join=*/true);
  cmd->add_flag("--until-caught-up", o->until_caught_up,
                "Bounded run: read to the end offsets seen at start, finish, commit, exit");
  cmd->add_option("--duration", o->duration,
                  "Continuous run: stop after this long (default: the file's "
                  "streaming_duration_seconds, else until Ctrl-C)");
  return [o] {
    auto config = o->flags.Resolve();
    if (!config.ok()) return Fail("join", config.status());
    std::optional<Duration> duration;
    if (!o->duration.empty()) {
      auto d = ParseDuration(o->duration);
      if (!d.ok()) return Fail("join", d.status().WithContext("--duration"));
      duration = *d;
    } else if (config->streaming_duration_seconds > 0) {
      duration = Duration::Seconds(config->streaming_duration_seconds);
    }
    StopSignal::Install();
    auto report = RunJoin(*config, o->until_caught_up, duration, /*verbose=*/true);
    if (!report.ok()) return Fail("join", report.status());
    return 0;
  };
}

}  // namespace braid::cli
