#include "cli/progress_display.h"

#include <cmath>
#include <cstdio>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace braid::cli {
namespace {


double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// 1234567 -> "1.23M", for the bar, where space is short.
std::string Short(double n) {
  if (n >= 1e9) return fmt::format("{:.2f}G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.2f}M", n / 1e6);
  if (n >= 1e4) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

std::string Seconds(double s) {
  if (s < 120) return fmt::format("{:.0f}s", s);
  if (s < 7200) return fmt::format("{:.0f}m{:02.0f}s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.1f}h", s / 3600);
}

void PrintJson(std::FILE* to, nlohmann::json j) {
  j["time"] = FormatTimestamp(Timestamp(static_cast<int64_t>(WallSeconds() * 1e6)));
  fmt::print(to, "{}\n", j.dump());
  std::fflush(to);
}

}  // namespace

bool ProgressDisplay::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

ProgressDisplay::ProgressDisplay(LogFormat format, bool bar)
    : format_(format), bar_(bar && format == LogFormat::kText) {}

void ProgressDisplay::ClearBar() {
  if (!bar_drawn_) return;
  fmt::print(stderr, "\r\033[K");
  bar_drawn_ = false;
}

void ProgressDisplay::Info(const std::string& event, const std::string& text) {
  ClearBar();
  if (format_ == LogFormat::kJson) {
    PrintJson(stdout, {{"event", event}, {"message", text}});
  } else {
    fmt::print("{}\n", text);
    std::fflush(stdout);
  }
}

void ProgressDisplay::Notice(const std::string& text) {
  std::fflush(stdout);
  ClearBar();
  if (format_ == LogFormat::kJson) {
    PrintJson(stderr, {{"event", "notice"}, {"message", text}});
  } else {
    fmt::print(stderr, "braid join: {}\n", text);
  }
}

std::string ProgressDisplay::ProgressLine(const PipelineProgress& p, double rate) const {
  std::string lag;
  if (p.broker_unreachable) {
    lag = "  (waiting for the broker)";
  } else if (p.lag >= 0) {
    lag = fmt::format("  lag {} records", p.lag);
  }
  if (p.watermark.finite()) {
    lag += fmt::format("{}event time {} behind", lag.empty() ? "  " : ", ",
                       Seconds(std::max(0.0, WallSeconds() - p.watermark.micros() / 1e6)));
  }
  return fmt::format(
      "braid join: {:.1f}s  read {} ({:.0f}/s)  rows {}  rejects {} (late {})  watermark {}{}  "
      "state {} rows  commits {}{}",
      p.elapsed_s, p.join.records_in, rate, p.join.rows_out, p.join.rejects, p.join.late,
      FormatTimestamp(p.watermark), lag, p.join.state_rows, p.commits,
      p.commits > 0 ? fmt::format(" (last {:.3f}s)", p.last_commit_s) : "");
}

std::string ProgressDisplay::BarLine(const PipelineProgress& p, double rate) const {
  constexpr int kWidth = 28;
  const double total = static_cast<double>(std::max<int64_t>(p.to_read, 0));
  const double done = total > 0 && p.lag >= 0 ? total - static_cast<double>(p.lag) : 0;
  const double frac = total > 0 ? std::clamp(done / total, 0.0, 1.0) : 1.0;
  const int filled = static_cast<int>(frac * kWidth);
  const std::string eta =
      rate > 0 && total > done ? Seconds((total - done) / rate) : (frac >= 1 ? "0s" : "?");
  return fmt::format("[{}{}] {:3.0f}%  {}/{} records  {}/s  ETA {}  rows {}  commits {}",
                     std::string(filled, '#'), std::string(kWidth - filled, '.'), frac * 100,
                     Short(done), Short(total), Short(rate), eta, Short(p.join.rows_out), p.commits);
}

void ProgressDisplay::Progress(const PipelineProgress& p) {
  const double dt = p.elapsed_s - last_elapsed_;
  if (dt > 0) {
    const double now_rate = static_cast<double>(p.join.records_in - last_records_) / dt;
    rate_ = last_elapsed_ == 0 ? now_rate : 0.5 * rate_ + 0.5 * now_rate;
    last_elapsed_ = p.elapsed_s;
    last_records_ = p.join.records_in;
  }
  if (format_ == LogFormat::kJson) {
    nlohmann::json j = {{"event", "progress"},
                        {"elapsed_s", p.elapsed_s},
                        {"records_in", p.join.records_in},
                        {"records_per_s", std::round(rate_)},
                        {"rows_out", p.join.rows_out},
                        {"rows_committed", p.rows_committed},
                        {"rejects", p.join.rejects},
                        {"late", p.join.late},
                        {"watermark", p.watermark.finite() ? nlohmann::json(FormatTimestamp(p.watermark))
                                                          : nlohmann::json(nullptr)},
                        {"state_rows", p.join.state_rows},
                        {"commits", p.commits},
                        {"broker_unreachable", p.broker_unreachable}};
    if (p.lag >= 0) j["lag"] = p.lag;
    if (p.to_read >= 0) j["to_read"] = p.to_read;
    PrintJson(stderr, std::move(j));
    return;
  }
  if (bar_) {
    fmt::print(stderr, "\r\033[K{}", BarLine(p, rate_));
    std::fflush(stderr);
    bar_drawn_ = true;
    return;
  }
  fmt::print(stderr, "{}\n", ProgressLine(p, rate_));
}

void ProgressDisplay::Done(const PipelineProgress& p) {
  ClearBar();
  if (format_ == LogFormat::kJson) {
    PrintJson(stdout, {{"event", "done"},
                       {"elapsed_s", p.elapsed_s},
                       {"records_in", p.join.records_in},
                       {"rows_committed", p.rows_committed},
                       {"rejects_committed", p.rejects_committed},
                       {"late", p.join.late},
                       {"commits", p.commits},
                       {"watermark", FormatTimestamp(p.watermark)},
                       {"peak_state_rows", p.join.peak_state_rows},
                       {"recovered", p.recovered},
                       {"skipped_records", p.skipped_records}});
    return;
  }
  if (p.recovered) fmt::print("Resumed from the last commit of the pipeline\n");
  if (p.skipped_records > 0) {
    fmt::print("Skipped {} records lost to retention (--on-data-loss=skip; recorded in the table)\n",
               p.skipped_records);
  }
  if (p.recovered_rejects > 0) {
    fmt::print("Recovered {} rejects of an interrupted commit\n", p.recovered_rejects);
  }
  fmt::print(
      "Done in {:.1f}s: {} records in, {} rows committed, {} rejects ({} late), {} commits, "
      "watermark {}, peak state {} rows\n",
      p.elapsed_s, p.join.records_in, p.rows_committed, p.rejects_committed, p.join.late,
      p.commits, FormatTimestamp(p.watermark), p.join.peak_state_rows);
  std::fflush(stdout);
}

}  // namespace braid::cli
