#include "join/random_pipeline.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "base/time_format.h"

namespace braid {
namespace {

using Rng = std::mt19937_64;
constexpr int64_t kSec = 1000000;
constexpr int64_t kT0 = 1737021600000000;  // 2025-01-16T10:00:00Z

int64_t Uniform(Rng& r, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(r);
}
bool Chance(Rng& r, double p) { return std::bernoulli_distribution(p)(r); }
template <typename T>
const T& Pick(Rng& r, const std::vector<T>& v) { return v[Uniform(r, 0, v.size() - 1)]; }

Duration RandomWindow(Rng& r) {
  int64_t w = Pick(r, std::vector<int64_t>{0, 1, kSec, 7 * kSec, 30 * kSec, 120 * kSec,
                                           300 * kSec});
  if (w > kSec && Chance(r, 0.3)) w += Uniform(r, 0, kSec);
  return Duration(w);
}

JoinSpec RandomSpec(Rng& r) {
  const Duration delay(Pick(r, std::vector<int64_t>{0, kSec, 10 * kSec, 30 * kSec, 120 * kSec}));
  if (Chance(r, 0.35)) {
    return SeedPipeline({}, RandomWindow(r), RandomWindow(r), delay, Duration::Seconds(10));
  }
  JoinSpec spec;
  const FieldType key2 = Chance(r, 0.3) ? FieldType::kLong : FieldType::kString;
  spec.driving = StreamSpec{"A",
                            "topic_a",
                            {{"k1", FieldType::kString},
                             {"act", FieldType::kString},
                             {"k2", key2},
                             {"n", FieldType::kLong, false},
                             {"ts", FieldType::kTimestamp}},
                            {"k1", "k2"},
                            "ts"};
  spec.columns = {{"A", "k1", "k1"}, {"A", "k2", "k2"}, {"A", "act", "act"}, {"A", "n", "n"}};
  const int64_t n = Uniform(r, 1, 3);
  for (int64_t i = 1; i <= n; ++i) {
    const std::string name = fmt::format("E{}", i);
    StreamSpec s{name,
                 fmt::format("topic_e{}", i),
                 {{"when", FieldType::kTimestamp},
                  {"item", FieldType::kString, false},
                  {"key_b", key2},
                  {"amount", FieldType::kDouble},
                  {"key_a", FieldType::kString}},
                 {"key_a", "key_b"},
                 "when"};
    spec.enriching.push_back({s, Chance(r, 0.5) ? JoinKind::kLeft : JoinKind::kInner,
                              RandomWindow(r)});
    spec.columns.push_back({name, "item", name + "_item"});
    spec.columns.push_back({name, "amount", name + "_amount"});
    if (Chance(r, 0.5)) spec.columns.push_back({name, "when", name + "_when"});
    if (Chance(r, 0.3)) spec.columns.push_back({name, "key_a", name + "_key"});
  }
  spec.columns.push_back({"A", "ts", "event_time"});
  spec.watermark_delay = delay;
  return spec;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string RandomString(Rng& r) {
  static const std::vector<std::string> pieces = {"a", "b", "x", "/", "|", " ", "\"", "\\",
                                                  "\n", "\x01", "\xc3\xa9", "\xf0\x9f\x98\x80",
                                                  "page", "42", ",", "{"};
  std::string s;
  for (int64_t i = Uniform(r, 0, 6); i > 0; --i) s += Pick(r, pieces);
  return s;
}

// Event time as a producer might write it: every form ParseEventTimestamp accepts.
std::string IsoFormat(int64_t us, Rng& r) {
  const int64_t style = Uniform(r, 0, 6);
  const int64_t offset_min = style == 3 ? Pick(r, std::vector<int64_t>{330, -480, 60, -90, 840}) : 0;
  const int64_t local = us + offset_min * 60 * kSec;
  const int64_t secs = local >= 0 ? local / kSec : -((-local + kSec - 1) / kSec);
  const int64_t frac = local - secs * kSec;
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_seconds(seconds(secs)));
  const year_month_day ymd(day);
  const int64_t sod = secs - duration_cast<seconds>(day.time_since_epoch()).count();
  std::string s = fmt::format("{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                              static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                              style == 4 ? ' ' : 'T', sod / 3600, sod / 60 % 60, sod % 60);
  if (style == 5) {
    s += fmt::format(".{:06}{:03}", frac, Uniform(r, 0, 999));  // truncated to micros
  } else if (style == 6 && frac % 1000 == 0) {
    s += fmt::format(".{:03}", frac / 1000);
  } else if (frac != 0) {
    s += fmt::format(".{:06}", frac);  // Python's isoformat omits a zero fraction
  }
  if (style == 1) s += "Z";
  if (style == 2) s += "+00:00";
  if (style == 3) {
    const int64_t a = std::abs(offset_min);
    s += fmt::format("{}{:02}{}{:02}", offset_min < 0 ? '-' : '+', a / 60,
                     Chance(r, 0.5) ? ":" : "", a % 60);
  }
  return s;
}

struct Fields {
  std::vector<std::pair<std::string, std::string>> json;  // name, JSON text
  std::string Join() const {
    std::string out = "{";
    for (const auto& [name, value] : json) {
      out += (out.size() > 1 ? "," : "") + JsonString(name) + ":" + value;
    }
    return out + "}";
  }
};

std::string CellJson(const Cell& c) {
  if (const std::string* s = std::get_if<std::string>(&c)) return JsonString(*s);
  if (const int64_t* i = std::get_if<int64_t>(&c)) return std::to_string(*i);
  return "null";
}

// A valid record of `spec` for `key` at `ts`; fills `truth` per declared field.
Fields MakeFields(const StreamSpec& spec, const std::vector<Cell>& key, int64_t ts, Rng& r,
                  std::vector<Cell>* truth) {
  Fields f;
  truth->assign(spec.fields.size(), Cell{});
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const FieldSpec& fs = spec.fields[i];
    auto k = std::find(spec.key_fields.begin(), spec.key_fields.end(), fs.name);
    Cell& cell = (*truth)[i];
    std::string json;
    if (k != spec.key_fields.end()) {
      cell = key[k - spec.key_fields.begin()];
      json = CellJson(cell);
    } else if (fs.name == spec.timestamp_field) {
      cell = ts;
      json = JsonString(IsoFormat(ts, r));
    } else if (!fs.required && Chance(r, 0.15)) {
      if (Chance(r, 0.5)) continue;  // absent
      json = "null";
    } else if (fs.type == FieldType::kString) {
      cell = RandomString(r);
      json = JsonString(std::get<std::string>(cell));
    } else if (fs.type == FieldType::kDouble) {
      if (Chance(r, 0.3)) {
        const int64_t v = Uniform(r, -1000, 100000);
        cell = static_cast<double>(v);
        json = std::to_string(v);
      } else {
        const double v = static_cast<double>(Uniform(r, 1999, 49999)) / 100.0;
        cell = v;
        json = fmt::format("{}", v);
      }
    } else if (fs.type == FieldType::kLong) {
      cell = Uniform(r, -1000000000000000, 1000000000000000);
      json = CellJson(cell);
    } else {
      cell = ts;
      json = JsonString(IsoFormat(ts, r));
    }
    f.json.emplace_back(fs.name, json);
  }
  if (Chance(r, 0.5)) std::shuffle(f.json.begin(), f.json.end(), r);
  if (Chance(r, 0.3)) f.json.emplace_back("extra", R"({"nested":[1,"x",{"y":null}],"t":true})");
  return f;
}

// Breaks a valid record in one of many ways, each of which the decoder must reject.
std::string Malformed(const StreamSpec& spec, Fields f, Rng& r) {
  auto find = [&](const std::string& name) {
    return std::find_if(f.json.begin(), f.json.end(), [&](auto& p) { return p.first == name; });
  };
  const std::string& key = spec.key_fields[Uniform(r, 0, spec.key_fields.size() - 1)];
  const bool long_key = spec.fields[spec.FieldIndex(key)].type == FieldType::kLong;
  switch (Uniform(r, 0, 11)) {
    case 0: return "not json {";
    case 1: { std::string v = f.Join(); return v.substr(0, Uniform(r, 0, v.size() - 1)); }
    case 2: return "[1,2,3]";
    case 3: f.json.erase(find(key)); break;
    case 4: find(key)->second = "null"; break;
    case 5: find(key)->second = long_key ? "\"x\"" : "42"; break;
    case 6: find(spec.timestamp_field)->second = "\"yesterday\""; break;
    case 7: find(spec.timestamp_field)->second = "1737021600"; break;
    case 8: f.json.erase(find(spec.timestamp_field)); break;
    case 9: return f.Join() + " trailing";
    case 10: {
      const std::string copy = find(key)->second;
      f.json.emplace_back(key, copy);
      break;
    }
    default: find(spec.timestamp_field)->second = "\"2025-01-16T10:00:00\xff\""; break;
  }
  return f.Join();
}

}  // namespace

std::vector<Row> RowsOf(const RowBatch& batch, size_t skip_last) {
  std::vector<Row> rows(batch.num_rows());
  for (size_t c = 0; c + skip_last < batch.num_columns(); ++c) {
    const ColumnData& col = batch.column(c);
    for (size_t i = 0; i < batch.num_rows(); ++i) {
      Cell cell;
      if (col.valid[i]) {
        switch (batch.schema()[c].type) {
          case ColumnType::kString: cell = std::string(col.string_at(i)); break;
          case ColumnType::kDouble: cell = col.doubles[i]; break;
          default: cell = col.ints[i]; break;
        }
      }
      rows[i].push_back(std::move(cell));
    }
  }
  return rows;
}

std::string RowText(const Row& row) {
  std::string out;
  for (const Cell& c : row) {
    out += out.empty() ? "" : " | ";
    if (std::holds_alternative<std::monostate>(c)) out += "NULL";
    if (const std::string* s = std::get_if<std::string>(&c)) out += JsonString(*s);
    if (const double* d = std::get_if<double>(&c)) out += fmt::format("{}", *d);
    if (const int64_t* i = std::get_if<int64_t>(&c)) out += std::to_string(*i);
  }
  return out;
}

std::string GenInput::Describe() const {
  std::string out = fmt::format("delay {} idle_mode {} driving {}", FormatDuration(spec.watermark_delay),
                                idle_mode, spec.driving.name);
  for (const EnrichSpec& e : spec.enriching) {
    out += fmt::format(", {} {} {}", e.stream.name, e.kind == JoinKind::kLeft ? "LEFT" : "INNER",
                       FormatDuration(e.window));
  }
  size_t n = 0;
  for (const auto& p : records) n += p.size();
  return out + fmt::format("; {} partitions, {} records", partitions.size(), n);
}

GenInput GenerateInput(uint64_t seed) {
  Rng r(seed);
  GenInput in;
  in.spec = RandomSpec(r);
  in.idle_mode = Chance(r, 0.25);
  if (in.idle_mode) in.spec.idle_timeout = Duration::Seconds(Uniform(r, 1, 5));
  std::vector<const StreamSpec*> streams = {&in.spec.driving};
  for (const EnrichSpec& e : in.spec.enriching) streams.push_back(&e.stream);
  std::vector<std::vector<size_t>> parts_of(streams.size());
  for (size_t s = 0; s < streams.size(); ++s) {
    for (int64_t p = 0, n = Uniform(r, 1, 3); p < n; ++p) {
      parts_of[s].push_back(in.partitions.size());
      in.partitions.push_back(TopicPartition{streams[s]->topic, PartitionId(p)});
      in.stream_of_partition.push_back(s);
    }
  }
  in.records.resize(in.partitions.size());

  std::vector<std::vector<Cell>> keys(Uniform(r, 1, 30));
  for (size_t k = 0; k < keys.size(); ++k) {
    for (const std::string& name : in.spec.driving.key_fields) {
      const FieldType t = in.spec.driving.fields[in.spec.driving.FieldIndex(name)].type;
      if (t == FieldType::kLong) keys[k].push_back(Cell(Uniform(r, -3, 3) * 1000000000000 + int64_t(k)));
      else keys[k].push_back(Cell(fmt::format("{}{}{}", name, k, Chance(r, 0.2) ? "|\xc3\xa9" : "")));
    }
  }
  const int64_t span = Uniform(r, 2, 60) * 60 * kSec;
  // Coarse times make exact coincidences (event time == watermark == a.ts + W) common.
  const int64_t grain = Pick(r, std::vector<int64_t>{1, kSec, 10 * kSec});
  auto random_time = [&] { return kT0 + Uniform(r, 0, span) / grain * grain; };
  const int64_t delay = in.spec.watermark_delay.micros();
  const int64_t disorder = Chance(r, 0.3) ? delay : Uniform(r, 0, delay);
  std::vector<std::pair<size_t, int64_t>> drivers;  // key, ts

  for (size_t s = 0; s < streams.size(); ++s) {
    const StreamSpec& spec = *streams[s];
    const int64_t window = s == 0 ? 0 : in.spec.enriching[s - 1].window.micros();
    auto add = [&](GenRecord rec) {
      in.records[Pick(r, parts_of[s])].push_back(std::move(rec));
    };
    for (int64_t i = 0, n = Uniform(r, 10, 200); i < n; ++i) {
      size_t key = Uniform(r, 0, keys.size() - 1);
      int64_t ts = random_time();
      if (s > 0 && !drivers.empty() && Chance(r, 0.35)) {
        const auto& [dkey, dts] = Pick(r, drivers);
        key = dkey;
        ts = dts + Pick(r, std::vector<int64_t>{-window, window, -window - 1, window + 1, 0,
                                                Uniform(r, -window, window)});
      }
      if (s == 0) drivers.emplace_back(key, ts);
      GenRecord rec{s, GenRecord::Kind::kOnTime, "", {}, 0};
      rec.value = MakeFields(spec, keys[key], ts, r, &rec.truth).Join();
      rec.arrival = ts + (Chance(r, 0.2) ? disorder : Uniform(r, 0, disorder) / grain * grain);
      if (Chance(r, 0.03)) add(rec);  // an exact duplicate: both join
      add(std::move(rec));
    }
    for (int64_t i = 0, n = Uniform(r, 0, 8); i < n; ++i) {
      const int64_t ts = kT0 + Uniform(r, 0, span);
      GenRecord rec{s, GenRecord::Kind::kMaybeLate, "", {}, 0};
      rec.value = MakeFields(spec, Pick(r, keys), ts, r, &rec.truth).Join();
      rec.arrival = ts + delay + Uniform(r, 1, 20 * 60 * kSec);
      add(std::move(rec));
    }
    for (int64_t i = 0, n = Uniform(r, 0, 10); i < n; ++i) {
      std::vector<Cell> unused;
      Fields f = MakeFields(spec, Pick(r, keys), kT0 + Uniform(r, 0, span), r, &unused);
      add(GenRecord{s, GenRecord::Kind::kMalformed, Malformed(spec, std::move(f), r), {},
                    kT0 + Uniform(r, 0, span)});
    }
  }
  for (auto& part : in.records) {
    std::stable_sort(part.begin(), part.end(),
                     [](const GenRecord& a, const GenRecord& b) { return a.arrival < b.arrival; });
  }
  return in;
}

}  // namespace braid
