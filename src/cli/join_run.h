#pragma once
// Running the join pipeline from the CLI (braid join, braid demo): create the tables if
// missing, run, print progress and a summary.

#include <optional>

#include "base/result.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/pipeline_runner.h"

namespace braid::cli {

/// Runs the pipeline `config` describes; progress goes to stderr, the summary to stdout.
Result<PipelineProgress> RunJoin(const PipelineConfig& config, bool until_caught_up,
                                 std::optional<Duration> duration, bool verbose);

}  // namespace braid::cli
