#pragma once
// Running the join pipeline from the CLI (braid join, braid demo): create the tables if
// missing, run, print progress and a summary.

#include <optional>

#include "base/result.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/pipeline_runner.h"

namespace braid::cli {

/// Runs the pipeline `config` describes with the run options of `options` (mode, duration,
/// data-loss policy, ...); the pipeline id and commit interval come from `config`. Progress and
/// notices go to stderr, the summary to stdout.
Result<PipelineProgress> RunJoin(const PipelineConfig& config, PipelineOptions options, bool verbose);

}  // namespace braid::cli
