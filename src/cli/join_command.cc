// braid join: the streaming pipeline, bounded (--until-caught-up) or continuous.

#include <fmt/format.h>

#include "base/stop_signal.h"
#include "base/time_format.h"
#include "cli/command.h"
#include "cli/join_run.h"
#include "base/byte_size.h"
#include "cli/pipeline_flags.h"
#include "pipeline/status_server.h"

namespace braid::cli {

Runner AddJoinCommand(CLI::App& root) {
  struct Options {
    PipelineFlags flags;
    bool until_caught_up = false;
    bool drain = false;
    std::string duration;
    std::string on_data_loss = "fail";
    std::string starting_offsets = "earliest";
    std::string max_buffer = "256MiB";
    std::string metrics_listen;
    std::string log_format = "text";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "join", "Join the actions, purchases and sessions topics into an Iceberg table");
  cmd->footer(
      "Rows go to <namespace>.<table>, rejected records (malformed, late) to\n"
      "<namespace>.<table>_rejects. Each commit records the Kafka offsets and the join state,\n"
      "so a restarted run continues exactly where the last one stopped.\n\n"
      "Bounded runs: --until-caught-up reads to the end offsets seen at start and saves the join\n"
      "state (a scheduled run: the next one continues, joining across the boundary);\n"
      "--drain also ends the input (watermark +inf): every pending row is emitted.\n"
      "One live writer per pipeline id: a second process on the same tables stops itself.\n\n"
      "Example:\n  braid join --bootstrap 127.0.0.1:9092 --warehouse ./warehouse --until-caught-up\n"
      "  braid join --bootstrap 127.0.0.1:9092 --warehouse ./warehouse --drain\n"
      "  braid join --config examples/pattern-2.4.toml --duration 40s\n"
      "  braid join --config examples/pattern-2.4.toml --metrics-listen 127.0.0.1:9464");
  o->flags.Add(cmd, /*kafka=*/true, /*join=*/true);
  cmd->add_flag("--until-caught-up", o->until_caught_up,
                "Bounded run: read to the end offsets seen at start, commit rows, rejects and "
                "the join state, exit (Spark's availableNow)");
  cmd->add_flag("--drain", o->drain,
                "Bounded run that ends the input: read to the end offsets seen at start, emit "
                "every pending row (watermark +inf), commit, exit");
  cmd->add_option("--on-data-loss", o->on_data_loss,
                  "When recorded offsets were deleted by retention: fail (default) or skip "
                  "(recorded in the table)")
      ->check(CLI::IsMember({"fail", "skip"}));
  cmd->add_option("--starting-offsets", o->starting_offsets,
                  "Where a pipeline's first run starts: earliest (default) or latest")
      ->check(CLI::IsMember({"earliest", "latest"}));
  cmd->add_option("--max-buffer-bytes", o->max_buffer,
                  "Commit early when the output since the last commit reaches this size; rows are written as data files every eighth of it (default 256MiB)");
  cmd->add_option("--metrics-listen", o->metrics_listen,
                  "Serve Prometheus metrics on /metrics and a live status page on / at HOST:PORT "
                  "(e.g. 127.0.0.1:9464)");
  cmd->add_option("--log-format", o->log_format,
                  "text (default; a progress bar on a terminal in bounded runs) or json (one "
                  "object per line)")
      ->check(CLI::IsMember({"text", "json"}));
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
    if (!o->metrics_listen.empty()) {
      Status listen = CheckListenAddress(o->metrics_listen);
      if (!listen.ok()) return Fail("join", listen);
    }
    auto max_buffer = ParseByteSize(o->max_buffer);
    if (!max_buffer.ok()) return Fail("join", max_buffer.status().WithContext("--max-buffer-bytes"));
    PipelineOptions opt;
    opt.mode = o->drain ? RunMode::kDrain
               : o->until_caught_up ? RunMode::kUntilCaughtUp
                                    : RunMode::kContinuous;
    opt.duration = duration;
    opt.on_data_loss = o->on_data_loss == "skip" ? OnDataLoss::kSkip : OnDataLoss::kFail;
    opt.starting_offsets =
        o->starting_offsets == "latest" ? StartingOffsets::kLatest : StartingOffsets::kEarliest;
    opt.max_buffer_bytes = *max_buffer;
    opt.process_ends_after = true;
    StopSignal::Install();
    JoinDisplay display;
    display.log_format = o->log_format == "json" ? LogFormat::kJson : LogFormat::kText;
    display.metrics_listen = o->metrics_listen;
    auto report = RunJoin(*config, std::move(opt), display);
    if (!report.ok()) return Fail("join", report.status());
    return 0;
  };
}

}  // namespace braid::cli
