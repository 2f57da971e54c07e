// braid status: the pipelines that write a table, from the commit records they keep in it;
// with --bootstrap, how far each lags behind its topics.

#include <chrono>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "cli/pipeline_status.h"

namespace braid::cli {

Runner AddStatusCommand(CLI::App& root) {
  struct Options {
    PipelineFlags flags;
    std::string table;
    std::string format = "table";
    std::string bootstrap;
    std::vector<std::string> kafka_props;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "status", "The pipelines writing a table: last commit, offsets, watermark, lag to the broker");
  cmd->footer(
      "Examples:\n  braid status demo.unified_activity --warehouse ./warehouse\n"
      "  braid status demo.unified_activity --bootstrap 127.0.0.1:9092 --format json\n"
      "Without --bootstrap the broker is not asked: offsets only, no lag.");
  o->flags.Add(cmd, /*kafka=*/false, /*join=*/false);
  cmd->add_option("name", o->table,
                  "namespace.table (default: the pipeline's rows table, --namespace/--table)");
  cmd->add_option("--format", o->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("--bootstrap", o->bootstrap,
                  "Kafka bootstrap servers: ask them for the topics' end offsets and show lag");
  cmd->add_option("-X", o->kafka_props, "librdkafka property KEY=VALUE (repeatable)");
  return [o] {
    auto opened = o->flags.ResolveWithCatalog();
    if (!opened.ok()) return Fail("status", opened.status());
    if (o->table.empty()) o->table = PipelineFlags::RowsTable(opened->first).ToString();
    auto id = TableIdentifier::Parse(o->table);
    if (!id.ok()) return Fail("status", id.status());
    KafkaConfig kafka{o->bootstrap, opened->first.kafka};  // [kafka] of --config, then -X
    for (const std::string& kv : o->kafka_props) {
      std::string k, v;
      Status st = SplitProperty(kv, &k, &v);
      if (!st.ok()) return Fail("status", st);
      kafka.properties[k] = v;
    }
    auto state = opened->second->LoadTable(*id);
    if (!state.ok()) return FailRun("status", state.status());
    auto pipelines = ReadPipelineStatus(state->metadata);
    if (!pipelines.ok()) return FailRun("status", pipelines.status().WithContext(o->table));
    if (pipelines->empty()) {
      if (o->format == "json") {
        fmt::print(stderr, "braid status: no braid pipeline has committed to {}\n", o->table);
      }
    } else if (!o->bootstrap.empty()) {
      // A few seconds per request: an unreachable broker is an answer, not a hang.
      // A refused -X property is a bad flag (exit 2); an unreachable broker a runtime failure.
      Status st = AddLag(kafka, 5000, *pipelines);
      if (!st.ok()) return Fail("status", st);
    }
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    fmt::print("{}", o->format == "json" ? FormatStatusJson(o->table, *pipelines, now_ms)
                                         : FormatStatusText(o->table, *pipelines, now_ms));
    return 0;
  };
}

}  // namespace braid::cli
