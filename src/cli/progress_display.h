#pragma once
// ProgressDisplay: how `braid join` and `braid demo` show a run while it goes.
//   - a bounded run on a terminal: one progress bar redrawn in place (percent of the records
//     up to the end offsets, records/s, ETA);
//   - otherwise plain lines every couple of seconds, with rates and the lag in records and in
//     event time;
//   - `--log-format json`: one JSON object per line instead (event = start, notice, progress,
//     done), for log collectors.
// Progress and notices go to stderr; the start lines and the summary to stdout (flushed first,
// so both stay in order when piped together).

#include <chrono>
#include <string>

#include "pipeline/pipeline_runner.h"

namespace braid::cli {

enum class LogFormat { kText, kJson };

class ProgressDisplay {
 public:
  /// `bar`: draw the in-place bar (a bounded run with stderr on a terminal, text format).
  ProgressDisplay(LogFormat format, bool bar);

  /// Whether stderr is a terminal (the bar is only drawn there).
  static bool StderrIsTerminal();

  /// A line of the run's start or end (stdout).
  void Info(const std::string& event, const std::string& text);
  /// A notice (stderr): where a first run starts, an unreachable broker, maintenance.
  void Notice(const std::string& text);
  void Progress(const PipelineProgress& p);
  /// The final summary (stdout); clears the bar first.
  void Done(const PipelineProgress& p);

 private:
  void ClearBar();
  std::string ProgressLine(const PipelineProgress& p, double rate) const;
  std::string BarLine(const PipelineProgress& p, double rate) const;

  LogFormat format_;
  bool bar_;
  bool bar_drawn_ = false;
  double last_elapsed_ = 0;
  uint64_t last_records_ = 0;
  double rate_ = 0;  // records/s, smoothed over the last reports
};

}  // namespace braid::cli
