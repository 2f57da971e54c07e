#pragma once
// Running the join pipeline from the CLI (braid join, braid demo): create the tables if
// missing, run, print progress and a summary.

#include <optional>

#include <string>

#include "base/result.h"
#include "cli/progress_display.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/pipeline_runner.h"

namespace braid::cli {

/// How a run shows itself: progress and notices (ProgressDisplay), and the HTTP endpoint of
/// /metrics and the status page.
struct JoinDisplay {
  LogFormat log_format = LogFormat::kText;
  /// "HOST:PORT" to serve /metrics and the status page on; empty: none.
  std::string metrics_listen;
};

/// Runs the pipeline `config` describes with the run options of `options` (mode, duration,
/// data-loss policy, ...); the pipeline id and commit interval come from `config`. Progress and
/// notices go to stderr, the summary to stdout.
Result<PipelineProgress> RunJoin(const PipelineConfig& config, PipelineOptions options,
                                 const JoinDisplay& display);

}  // namespace braid::cli
