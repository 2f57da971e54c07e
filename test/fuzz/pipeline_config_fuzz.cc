// Fuzz target: the pipeline file (PipelineConfig::Parse, TOML) and the durations it holds.
// Properties of a file that parses: every duration prints (FormatDuration) in a form that
// ParseDuration reads back to the same value, and the join it describes either compiles into
// an engine or is refused with an error — and a declared join ([[streams]]) always compiles,
// since the declaration was checked against the engine's own validation when read.

#include "base/time_format.h"
#include "fuzz_check.h"
#include "join/join_engine.h"
#include "pipeline/pipeline_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  Result<PipelineConfig> config = PipelineConfig::Parse(fuzz::AsView(data, size), "fuzz.toml");
  if (!config.ok()) {
    BRAID_FUZZ_CHECK(!config.status().message().empty());
    return 0;
  }
  for (Duration d : {config->watermark_delay, config->purchase_join_window,
                     config->session_join_window, config->idle_timeout, config->commit_interval}) {
    Result<Duration> again = ParseDuration(FormatDuration(d));
    BRAID_FUZZ_CHECK(again.ok() && *again == d);
  }
  auto engine = JoinEngine::Create(config->ToJoinSpec());
  if (config->declared) BRAID_FUZZ_CHECK(engine.ok());
  return 0;
}
