#include "pipeline/source_audit.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "kafka/consumer.h"
#include "sql/sql_session.h"

namespace braid {
namespace {

// `s` between `q` characters, any `q` inside doubled: SQL string literals (') and identifiers (").
std::string Quoted(std::string_view s, char q) {
  std::string out(1, q);
  for (char c : s) {
    out += c;
    if (c == q) out += q;
  }
  return out + q;
}
std::string Quote(std::string_view s) { return Quoted(s, '\''); }
std::string Ident(std::string_view s) { return Quoted(s, '"'); }

// The pipeline's own query names a field at a nested path as alias.user.id, which DuckDB reads
// as the field id of a STRUCT column user: the stream's flat columns ("user.id") regrouped so.
struct PathTree {
  std::string leaf;  // the flat column, for a field
  std::map<std::string, PathTree> children;
};

std::string StructOf(const PathTree& node) {
  if (node.children.empty()) return Ident(node.leaf);
  std::vector<std::string> members;
  for (const auto& [name, child] : node.children) members.push_back(fmt::format("{} := {}", Ident(name), StructOf(child)));
  return fmt::format("struct_pack({})", fmt::join(members, ", "));
}

std::string NestedColumns(const StreamSpec& s) {
  std::vector<std::string> order;  // top-level names in declaration order
  std::map<std::string, PathTree> top;
  for (const FieldSpec& f : s.fields) {
    const std::string_view name = f.name;
    const size_t dot = name.find('.');
    const std::string head(name.substr(0, dot));
    if (!top.count(head)) order.push_back(head);
    PathTree* node = &top[head];
    for (size_t at = dot; at != std::string_view::npos;) {
      const size_t next = name.find('.', at + 1);
      node = &node->children[std::string(name.substr(at + 1, next == std::string_view::npos ? next : next - at - 1))];
      at = next;
    }
    node->leaf = f.name;
  }
  std::vector<std::string> cols;
  for (const std::string& head : order) cols.push_back(fmt::format("{} AS {}", StructOf(top[head]), Ident(head)));
  return fmt::format("{}", fmt::join(cols, ", "));
}

const char* SqlType(FieldType t) {
  switch (t) {
    case FieldType::kString: return "VARCHAR";
    case FieldType::kDouble: return "DOUBLE";
    case FieldType::kLong: return "BIGINT";
    case FieldType::kTimestamp: return "TIMESTAMPTZ";
    case FieldType::kBoolean: return "BOOLEAN";
  }
  return "VARCHAR";
}

// The SQL reading field `f` from its JSON text `value` (accepted records only).
std::string FieldValue(const FieldSpec& f, const std::string& value) {
  if (f.type == FieldType::kString) return value;
  if (f.type == FieldType::kTimestamp && f.time_format != TimeFormat::kIso8601) {
    const int64_t per_unit = f.time_format == TimeFormat::kEpochSeconds  ? 1000000
                             : f.time_format == TimeFormat::kEpochMillis ? 1000
                                                                         : 1;
    return fmt::format("make_timestamptz(CAST({} AS BIGINT) * {})", value, per_unit);
  }
  return fmt::format("CAST({} AS {})", value, SqlType(f.type));
}

// Says on stderr what the audit is doing, every interval (2 s unless the user chose) while it runs: at a million
// events it takes a while, and a silent minute looks like a hang.
class AuditTicker {
 public:
  explicit AuditTicker(Duration interval)
      : interval_(std::chrono::microseconds(interval.micros())), thread_([this] { Run(); }) {}
  ~AuditTicker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void Phase(std::string phase) {
    std::lock_guard<std::mutex> lock(mu_);
    phase_ = std::move(phase);
    phase_start_ = std::chrono::steady_clock::now();
  }
  std::atomic<int64_t> read{0};      // source records read so far
  std::atomic<int64_t> to_read{0};   // of about this many (end - start offsets)

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
      if (phase_.empty()) continue;
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_start_).count();
      std::string detail =
          to_read > 0 && phase_.starts_with("re-reading")
              ? fmt::format(": {} of {} records", read.load(), to_read.load())
              : "";
      fmt::print(stderr, "audit: {}{} ({:.0f}s)\n", phase_, detail, secs);
      std::fflush(stderr);
    }
  }
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::string phase_;
  std::chrono::steady_clock::time_point phase_start_ = std::chrono::steady_clock::now();
  const std::chrono::microseconds interval_;
  std::thread thread_;  // last: starts once the members above exist
};

// Reads every record of `topics` up to the end offsets seen now into one NDJSON file per topic:
// {"p":partition,"o":offset,"v":"<value>"}.
Result<int64_t> DumpTopics(const KafkaConfig& kafka, const std::vector<std::string>& topics,
                           const std::map<std::string, std::string>& files, AuditTicker& ticker) {
  BRAID_ASSIGN_OR_RETURN(auto consumer,
                         Consumer::Create(kafka, fmt::format("braid-audit-{:x}", std::random_device()())));
  std::vector<StartPosition> positions;
  std::map<TopicPartition, KafkaOffset> end;
  for (const std::string& topic : topics) {
    BRAID_ASSIGN_OR_RETURN(auto parts, consumer->ListPartitions(topic));
    for (PartitionId p : parts) {
      TopicPartition tp{topic, p};
      BRAID_ASSIGN_OR_RETURN(auto lo_hi, consumer->QueryOffsets(tp));
      if (lo_hi.second > lo_hi.first) {
        positions.push_back({tp, lo_hi.first});
        end[tp] = lo_hi.second;
        ticker.to_read += lo_hi.second.value() - lo_hi.first.value();
      }
    }
  }
  BRAID_RETURN_IF_ERROR(consumer->Assign(positions));
  std::map<std::string, std::ofstream> out;
  for (const auto& [topic, file] : files) out[topic].open(file);
  int64_t n = 0;
  size_t remaining = end.size();
  // A partition is done once a record or the end of the log reaches its end offset: under
  // read_committed the last offsets may be transaction markers that are never delivered.
  std::set<TopicPartition> done;
  auto reached = [&](const TopicPartition& tp, KafkaOffset next) {
    auto it = end.find(tp);
    if (it != end.end() && next >= it->second && done.insert(tp).second) --remaining;
  };
  while (remaining > 0) {
    BRAID_ASSIGN_OR_RETURN(size_t got, consumer->Poll(200, [&](const KafkaRecord& r) {
      TopicPartition tp{std::string(r.topic), r.partition};
      auto it = end.find(tp);
      if (it == end.end() || r.offset >= it->second) return;
      nlohmann::json line{{"p", r.partition.value()}, {"o", r.offset.value()},
                          {"v", std::string(r.value)}};
      out[tp.topic] << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                    << '\n';
      ++n;
      ticker.read.store(n, std::memory_order_relaxed);
      reached(tp, KafkaOffset(r.offset.value() + 1));
    }, reached));
    (void)got;
  }
  return n;
}

}  // namespace

Result<AuditResult> AuditAgainstSource(const JoinSpec& spec, const std::string& query, const KafkaConfig& kafka,
                                       Catalog& catalog, const TableIdentifier& rows,
                                       const TableIdentifier& rejects,
                                       std::optional<Timestamp> since, Duration progress_interval) {
  std::vector<const StreamSpec*> streams{&spec.driving};
  const std::string processing_time = Ident(spec.processing_time_column);
  const std::string since_filter =
      since ? fmt::format(" WHERE {} >= make_timestamptz({})", processing_time, since->micros())
            : "";
  const std::string rejects_since =
      since ? fmt::format(" AND j.processing_time >= make_timestamptz({})", since->micros()) : "";
  for (const EnrichSpec& e : spec.enriching) streams.push_back(&e.stream);
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("braid-audit-{:x}", std::random_device()());
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};
  std::map<std::string, std::string> files;
  std::vector<std::string> topics;
  for (const StreamSpec* s : streams) {
    if (files.count(s->topic)) continue;
    files[s->topic] = (dir / (std::to_string(files.size()) + ".ndjson")).string();
    topics.push_back(s->topic);
  }
  AuditResult result;
  AuditTicker ticker(progress_interval);
  ticker.Phase("re-reading the source topics");
  BRAID_ASSIGN_OR_RETURN(result.source_records, DumpTopics(kafka, topics, files, ticker));
  ticker.Phase("loading the source records into DuckDB");

  BRAID_ASSIGN_OR_RETURN(auto session, SqlSession::Open(catalog));
  BRAID_RETURN_IF_ERROR(session->Execute("SET TimeZone='UTC'"));
  const std::string rej = rejects.ToString();
  // The pipeline's own query reads the streams by name; the query built here reads s0, s1, ...
  auto table_of = [&](size_t i) { return query.empty() ? fmt::format("s{}", i) : Ident(streams[i]->name); };
  for (size_t i = 0; i < streams.size(); ++i) {
    const StreamSpec& s = *streams[i];
    // One json_extract_string over the list of paths parses each record once (a call per
    // field parsed it once per field: most of the load time at a million records).
    std::vector<std::string> cols, paths;
    for (const FieldSpec& f : s.fields) {
      // A nested field "user.id" is the JSON path $.user.id.
      paths.push_back(Quote("$." + f.name));
      const std::string value = fmt::format("x[{}]", paths.size());
      cols.push_back(fmt::format("{} AS {}", FieldValue(f, value), Ident(f.name)));
    }
    BRAID_RETURN_IF_ERROR(session->Execute(fmt::format(
        "CREATE TEMP TABLE {} AS SELECT {} FROM (SELECT {} FROM (SELECT json_extract_string(v, [{}]) AS x FROM "
        "read_ndjson({}, columns={{p: 'INTEGER', o: 'BIGINT', v: 'VARCHAR'}}) r WHERE NOT EXISTS "
        "(SELECT 1 FROM {} j WHERE j.topic = {} AND j.\"partition\" = r.p AND j.\"offset\" = "
        "r.o{})))",
        table_of(i), query.empty() ? "*" : NestedColumns(s), fmt::join(cols, ", "), fmt::join(paths, ", "),
        Quote(files[s.topic]), rej, Quote(s.topic), rejects_since)));
  }
  BRAID_ASSIGN_OR_RETURN(QueryResult rej_count,
                         session->Query("SELECT COUNT(*) FROM " + rej + since_filter));
  result.rejected_records = std::stoll(rej_count.rows.at(0).at(0).value_or("0"));

  // DESIGN §2's query, from the pipeline description.
  std::map<std::string, std::string> alias;
  for (size_t i = 0; i < streams.size(); ++i) alias[streams[i]->name] = fmt::format("s{}", i);
  std::vector<std::string> select, names;
  for (const OutputColumnSpec& c : spec.columns) {
    select.push_back(fmt::format("{}.{}", alias[c.stream], Ident(c.field)));
    names.push_back(Ident(c.name));
  }
  std::string from = "s0";
  for (size_t i = 0; i < spec.enriching.size(); ++i) {
    const EnrichSpec& e = spec.enriching[i];
    const std::string a = fmt::format("s{}", i + 1);
    std::vector<std::string> on;
    for (size_t k = 0; k < spec.driving.key_fields.size(); ++k) {
      on.push_back(fmt::format("{}.{} = s0.{}", a, Ident(e.stream.key_fields[k]),
                               Ident(spec.driving.key_fields[k])));
    }
    const std::string ts = Ident(e.stream.timestamp_field);
    const std::string dts = Ident(spec.driving.timestamp_field);
    // to_microseconds, not an INTERVAL literal: DuckDB's grammar takes only 32-bit numbers
    // there, and a window over about 35 minutes is more microseconds than that.
    on.push_back(fmt::format(
        "{0}.{1} BETWEEN s0.{2} - to_microseconds({3}::BIGINT) AND s0.{2} + to_microseconds({3}::BIGINT)",
        a, ts, dts, e.window.micros()));
    from += fmt::format(" {} JOIN {} ON {}", e.kind == JoinKind::kLeft ? "LEFT" : "INNER",
                        a + " " + a, fmt::join(on, " AND "));
  }
  ticker.Phase("recomputing the join");
  // The query on lines of its own: a trailing comment or semicolon in it stays harmless.
  BRAID_RETURN_IF_ERROR(session->Execute(
      query.empty() ? fmt::format("CREATE TEMP TABLE expected AS SELECT {} FROM {}", fmt::join(select, ", "), from)
                    : fmt::format("CREATE TEMP TABLE expected AS\n{}\n", query)));
  ticker.Phase("reading the table");
  BRAID_RETURN_IF_ERROR(session->Execute(fmt::format(
      "CREATE TEMP TABLE actual AS SELECT {} FROM {}{}", fmt::join(names, ", "), rows.ToString(),
      since_filter)));
  auto count = [&](const std::string& sql) -> Result<int64_t> {
    BRAID_ASSIGN_OR_RETURN(QueryResult r, session->Query(sql));
    return std::stoll(r.rows.at(0).at(0).value_or("0"));
  };
  ticker.Phase("comparing the table with the recomputed join");
  BRAID_ASSIGN_OR_RETURN(result.expected_rows, count("SELECT COUNT(*) FROM expected"));
  BRAID_ASSIGN_OR_RETURN(result.table_rows, count("SELECT COUNT(*) FROM actual"));
  // The multiset difference in one hash aggregate: each distinct row with how many more times
  // the query gives it than the table has it (EXCEPT ALL both ways sorted both sides twice:
  // most of the audit's time at a million rows). GROUP BY, like EXCEPT, matches NULLs.
  constexpr const char* kSurplus = "braid_audit_surplus";
  BRAID_RETURN_IF_ERROR(session->Execute(fmt::format(
      "CREATE TEMP TABLE diff AS SELECT * EXCLUDE ({0}), sum({0}) AS {0} FROM (SELECT *, 1 AS {0} "
      "FROM expected UNION ALL SELECT *, -1 FROM actual) GROUP BY ALL HAVING sum({0}) <> 0",
      kSurplus)));
  BRAID_ASSIGN_OR_RETURN(result.missing_rows,
                         count(fmt::format("SELECT COALESCE(SUM({0}), 0) FROM diff WHERE {0} > 0", kSurplus)));
  BRAID_ASSIGN_OR_RETURN(result.extra_rows,
                         count(fmt::format("SELECT COALESCE(-SUM({0}), 0) FROM diff WHERE {0} < 0", kSurplus)));
  for (auto [label, sign] : {std::pair{"missing", ">"}, {"extra", "<"}}) {
    BRAID_ASSIGN_OR_RETURN(QueryResult r, session->Query(fmt::format(
                                              "SELECT * EXCLUDE ({0}) FROM diff WHERE {0} {1} 0 LIMIT 5", kSurplus, sign)));
    for (const auto& row : r.rows) {
      std::vector<std::string> cells;
      for (const auto& c : row) cells.push_back(c.value_or("NULL"));
      result.samples.push_back(fmt::format("{}: ({})", label, fmt::join(cells, ", ")));
    }
  }
  return result;
}

}  // namespace braid
