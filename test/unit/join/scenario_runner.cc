#include "join/scenario_runner.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "base/time_format.h"
#include "event/timestamp_parser.h"
#include "join/join_engine.h"

namespace braid {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Normalises "a|b |  c" to "a | b | c".
std::string NormalizeRow(std::string_view line) {
  std::vector<std::string> cells = Split(line, '|');
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) out += (i ? " | " : "") + cells[i];
  return out;
}

class Runner {
 public:
  explicit Runner(std::string path) : path_(std::move(path)) {}
  std::vector<std::string> Run();

 private:
  void Fail(const std::string& m) { failures_.push_back(fmt::format("{}:{}: {}", path_, line_no_, m)); }
  bool Header(const std::vector<std::string>& w);
  bool Start();
  void Step(const std::string& line);
  void Record(const std::vector<std::string>& w, const std::string& line);
  void Send(size_t stream, int64_t partition, std::string value);
  void Tick(Timestamp ts);
  void ExpectBlock(const std::string& what, std::vector<std::string> expected);
  std::optional<Timestamp> Time(const std::string& token);
  std::string TimeText(Timestamp ts) const;
  std::string FormatRow(const RowBatch& b, size_t row);
  void AfterStep() { engine_->OnIdleCheck(clock_, &rows_); }

  std::string path_;
  int line_no_ = 0;
  std::vector<std::string> failures_;
  std::string date_ = "2025-01-16";
  Duration purchase_window_ = Duration::Seconds(120), session_window_ = Duration::Seconds(120);
  Duration delay_ = Duration::Seconds(30), idle_ = Duration::Seconds(10);
  std::map<std::string, JoinKind> kinds_;
  std::map<std::string, int64_t> partitions_;
  JoinSpec spec_;
  std::unique_ptr<JoinEngine> engine_;
  std::vector<TopicPartition> assigned_;
  std::map<std::pair<size_t, int64_t>, int64_t> offsets_;
  Timestamp clock_{1'000'000'000'000'000};
  RowBatch rows_, rejects_;
};

bool Runner::Header(const std::vector<std::string>& w) {
  const std::string& k = w[0];
  auto duration = [&](Duration* d) {
    Result<Duration> r = ParseDuration(w.size() > 1 ? w[1] : "");
    if (!r.ok()) Fail(r.status().message());
    else *d = *r;
    return true;
  };
  if (k == "date" && w.size() == 2) return date_ = w[1], true;
  if (k == "purchase_window") return duration(&purchase_window_);
  if (k == "session_window") return duration(&session_window_);
  if (k == "watermark_delay") return duration(&delay_);
  if (k == "idle_timeout") return duration(&idle_);
  if (k == "join" && w.size() == 3 && (w[2] == "left" || w[2] == "inner")) {
    kinds_[w[1]] = w[2] == "left" ? JoinKind::kLeft : JoinKind::kInner;
    return true;
  }
  if (k == "partitions" && w.size() == 3) return partitions_[w[1]] = std::stoll(w[2]), true;
  return false;
}

bool Runner::Start() {
  spec_ = SeedPipeline(SeedTopics{"actions", "purchases", "sessions"}, purchase_window_,
                       session_window_, delay_, idle_);
  for (EnrichSpec& e : spec_.enriching) {
    if (kinds_.count(e.stream.name)) e.kind = kinds_[e.stream.name];
  }
  auto engine = JoinEngine::Create(spec_);
  if (!engine.ok()) return Fail(engine.status().ToString()), false;
  engine_ = std::move(*engine);
  for (size_t s = 0; s < engine_->plan().num_streams(); ++s) {
    const std::string& name = engine_->plan().stream(s).spec.name;
    int64_t n = partitions_.count(name) ? partitions_[name] : 1;
    for (int64_t p = 0; p < n; ++p) assigned_.push_back(TopicPartition{name, PartitionId(p)});
  }
  if (Status st = engine_->AssignPartitions(assigned_); !st.ok()) return Fail(st.ToString()), false;
  rows_ = RowBatch(engine_->output_schema());
  rejects_ = RowBatch(RejectsSchema());
  AfterStep();
  return true;
}

std::optional<Timestamp> Runner::Time(const std::string& token) {
  if (token == "-inf") return Timestamp::Min();
  if (token == "+inf") return Timestamp::Max();
  std::string text = token.find('-') == std::string::npos ? date_ + "T" + token : token;
  std::optional<Timestamp> t = ParseEventTimestamp(text);
  if (!t) Fail(fmt::format("bad time \"{}\"", token));
  return t;
}

std::string Runner::TimeText(Timestamp ts) const {
  const int64_t day = ParseEventTimestamp(date_ + "T00:00:00")->micros();
  const int64_t us = ts.micros() - day;
  if (ts == Timestamp::Min() || ts == Timestamp::Max() || us < 0 || us >= 86'400'000'000) {
    return FormatTimestamp(ts);
  }
  const int64_t s = us / 1000000, frac = us % 1000000;
  std::string out = fmt::format("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return frac ? out + fmt::format(".{:06}", frac) : out;
}

void Runner::Send(size_t stream, int64_t partition, std::string value) {
  const std::string& topic = engine_->plan().stream(stream).spec.topic;
  int64_t& offset = offsets_[{stream, partition}];
  KafkaRecord r{topic, PartitionId(partition), KafkaOffset(offset++), std::nullopt, value,
                Timestamp(0)};
  engine_->Process(r, &rows_, &rejects_);
}

void Runner::Record(const std::vector<std::string>& w, const std::string& line) {
  const int s = engine_->plan().StreamOfTopic(w[0]);
  if (w.size() < 3 || w[1].size() < 2 || w[1][0] != 'p') {
    return Fail("expected: <stream> p<N> @<time> field=value... | <stream> p<N> raw <bytes>");
  }
  const int64_t partition = std::stoll(w[1].substr(1));
  const size_t after = line.find(w[2], line.find(w[1]) + w[1].size()) + w[2].size();
  const std::string rest = Trim(std::string_view(line).substr(after));
  if (w[2] == "raw") return Send(s, partition, rest);
  if (w[2][0] != '@') return Fail("expected @<time> or raw after the partition");
  const StreamSpec& spec = engine_->plan().stream(s).spec;
  std::string ts = w[2].substr(1);
  if (ts.find('-') == std::string::npos) ts = date_ + "T" + ts;
  std::string json = "{" + JsonString(spec.timestamp_field) + ":" + JsonString(ts);
  if (!rest.empty() && rest[0] == '{') {
    std::string inner = Trim(std::string_view(rest).substr(1));
    json += inner == "}" ? "}" : "," + inner;
  } else {
    for (const std::string& kv : Words(rest)) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) return Fail(fmt::format("expected field=value, got \"{}\"", kv));
      const std::string field = kv.substr(0, eq), value = kv.substr(eq + 1);
      const int idx = spec.FieldIndex(field);
      const bool number = idx >= 0 && (spec.fields[idx].type == FieldType::kDouble ||
                                       spec.fields[idx].type == FieldType::kLong);
      json += "," + JsonString(field) + ":" + (number || value == "null" ? value : JsonString(value));
    }
    json += "}";
  }
  Send(s, partition, json);
}

void Runner::Tick(Timestamp ts) {
  const std::string iso = FormatTimestamp(ts);
  for (size_t s = 0; s < engine_->plan().num_streams(); ++s) {
    const StreamSpec& spec = engine_->plan().stream(s).spec;
    std::string json = "{";
    for (const FieldSpec& f : spec.fields) {
      std::string v = f.type == FieldType::kDouble || f.type == FieldType::kLong ? "0"
                      : f.name == spec.timestamp_field ? JsonString(iso)
                                                        : JsonString("~tick-" + spec.name);
      json += (json.size() > 1 ? "," : "") + JsonString(f.name) + ":" + v;
    }
    json += "}";
    for (const TopicPartition& tp : assigned_) {
      if (tp.topic == spec.topic) Send(s, tp.partition.value(), json);
    }
  }
}

std::string Runner::FormatRow(const RowBatch& b, size_t row) {
  std::string out;
  for (size_t c = 0; c < b.num_columns(); ++c) {
    const ColumnData& col = b.column(c);
    const ColumnSpec& spec = b.schema()[c];
    if (spec.name == spec_.processing_time_column) {
      if (col.valid[row]) Fail("processing_time is not NULL");
      continue;
    }
    std::string cell;
    if (!col.valid[row]) {
      cell = "NULL";
    } else if (spec.type == ColumnType::kString) {
      cell = std::string(col.string_at(row));
    } else if (spec.type == ColumnType::kDouble) {
      cell = fmt::format("{}", col.doubles[row]);
    } else if (spec.type == ColumnType::kTimestampTz) {
      cell = TimeText(Timestamp(col.ints[row]));
    } else {
      cell = std::to_string(col.ints[row]);
    }
    out += (out.empty() ? "" : " | ") + cell;
  }
  return out;
}

void Runner::ExpectBlock(const std::string& what, std::vector<std::string> expected) {
  std::vector<std::string> actual;
  if (what == "rows") {
    for (size_t r = 0; r < rows_.num_rows(); ++r) {
      std::string row = FormatRow(rows_, r);
      // Filler records of `tick` join nothing, but a driving one with LEFT joins only still
      // yields its all-NULL row: not part of any story.
      if (row.find("~tick-") == std::string::npos) actual.push_back(std::move(row));
    }
    rows_.Clear();
  } else {
    for (size_t r = 0; r < rejects_.num_rows(); ++r) {
      actual.push_back(fmt::format("{} p{} #{} | {}", rejects_.column(0).string_at(r),
                                   rejects_.column(1).ints[r], rejects_.column(2).ints[r],
                                   rejects_.column(3).string_at(r)));
    }
    rejects_.Clear();
  }
  for (std::string& e : expected) e = NormalizeRow(e);
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  if (expected == actual) return;
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                      std::back_inserter(missing));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  std::string m = fmt::format("{} differ", what);
  for (const std::string& x : missing) m += "\n    expected, not emitted: " + x;
  for (const std::string& x : extra) m += "\n    emitted, not expected: " + x;
  Fail(m);
}

std::vector<std::string> Runner::Run() {
  std::ifstream in(path_);
  if (!in) return {fmt::format("{}: cannot open", path_)};
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  bool started = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    line_no_ = static_cast<int>(i + 1);
    std::string line = Trim(lines[i]);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> w = Words(line);
    // " # comment" ends a step, except a raw record's bytes, which run to the end of the line.
    if (!(w.size() > 2 && w[2] == "raw")) {
      for (size_t k = 1; k < line.size(); ++k) {
        if (line[k] == '#' && std::isspace(static_cast<unsigned char>(line[k - 1]))) {
          line = Trim(std::string_view(line).substr(0, k));
          w = Words(line);
          break;
        }
      }
    }
    if (!started && Header(w)) continue;
    if (!started && !(started = Start())) return failures_;
    if (w[0] == "expect" && w.size() == 2 && (w[1] == "rows" || w[1] == "rejects")) {
      std::vector<std::string> block;
      const int start_line = line_no_;
      while (++i < lines.size() && Trim(lines[i]) != "end") {
        std::string b = Trim(lines[i]);
        if (!b.empty() && b[0] != '#') block.push_back(b);
      }
      line_no_ = start_line;
      if (i == lines.size()) Fail("expect block without end");
      ExpectBlock(w[1], block);
    } else {
      Step(line);
    }
  }
  if (!started) Fail("no steps");
  line_no_ = static_cast<int>(lines.size());
  if (engine_ && (rows_.num_rows() || rejects_.num_rows())) {
    ExpectBlock("rows", {});
    ExpectBlock("rejects", {});
  }
  return failures_;
}

void Runner::Step(const std::string& line) {
  std::vector<std::string> w = Words(line);
  if (w[0] == "expect" && w.size() == 3 && w[1] == "no" && w[2] == "rows") {
    ExpectBlock("rows", {});
  } else if (w[0] == "expect" && w.size() == 3 && w[1] == "watermark") {
    if (std::optional<Timestamp> t = Time(w[2]); t && *t != engine_->watermark()) {
      Fail(fmt::format("watermark is {}, expected {}", TimeText(engine_->watermark()), w[2]));
    }
  } else if (w[0] == "expect" && w.size() == 3 && w[1] == "state") {
    const uint64_t held = engine_->counters().state_rows;
    if (std::to_string(held) != w[2]) Fail(fmt::format("state holds {} events, expected {}", held, w[2]));
  } else if (w[0] == "tick" && w.size() == 2) {
    if (std::optional<Timestamp> t = Time(w[1])) Tick(*t);
  } else if (w[0] == "caught-up" && w.size() == 3) {
    engine_->MarkCaughtUp(TopicPartition{w[1], PartitionId(std::stoll(w[2].substr(1)))});
  } else if (w[0] == "wait" && w.size() == 2) {
    Result<Duration> d = ParseDuration(w[1]);
    if (!d.ok()) return Fail(d.status().message());
    clock_ = clock_ + *d;
  } else if (w[0] == "finish" && w.size() == 1) {
    engine_->Finish(&rows_);
  } else if (w[0] == "restart" && w.size() == 1) {
    std::string state;
    if (Status s = engine_->SaveState(&state); !s.ok()) return Fail(s.ToString());
    auto fresh = JoinEngine::Create(spec_);
    if (!fresh.ok()) return Fail(fresh.status().ToString());
    if (Status s = (*fresh)->AssignPartitions(assigned_); !s.ok()) return Fail(s.ToString());
    if (Status s = (*fresh)->LoadState(state); !s.ok()) return Fail(s.ToString());
    engine_ = std::move(*fresh);
  } else if (engine_->plan().StreamOfTopic(w[0]) >= 0) {
    Record(w, line);
  } else {
    return Fail(fmt::format("unknown step \"{}\"", line));
  }
  AfterStep();
}

}  // namespace

std::vector<std::string> RunScenario(const std::string& path) { return Runner(path).Run(); }

}  // namespace braid
