#include "pipeline/pipeline_config.h"

#include <toml++/toml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include "base/byte_size.h"
#include "base/time_format.h"
#include "catalog/catalog_properties.h"

namespace braid {
namespace {

// Reads the keys of one TOML table into the config, refusing what it does not know.
class Reader {
 public:
  Reader(const std::string& path) : path_(path) {}

  Status String(const toml::node& n, const std::string& key, std::string* out) {
    if (auto v = n.value<std::string>()) {
      *out = *v;
      return Status::Ok();
    }
    return Bad(key, "a string");
  }
  // Whole numbers are TOML integers only: toml++'s value<int64_t>() also converts floats, with
  // undefined behaviour beyond the integer range (found by fuzzing).
  static std::optional<int64_t> Integer(const toml::node& n) {
    if (const toml::value<int64_t>* i = n.as_integer()) return i->get();
    return std::nullopt;
  }
  Status Int(const toml::node& n, const std::string& key, int64_t min, int64_t* out) {
    auto v = Integer(n);
    if (!v || *v < min) return Bad(key, fmt::format("a whole number >= {}", min));
    *out = *v;
    return Status::Ok();
  }
  Status Bool(const toml::node& n, const std::string& key, bool* out) {
    if (auto v = n.value<bool>()) {
      *out = *v;
      return Status::Ok();
    }
    return Bad(key, "true or false");
  }
  Status Dur(const toml::node& n, const std::string& key, Duration* out) {
    if (auto v = Integer(n)) {
      // A whole number of seconds, in the range a string duration may take.
      if (*v > kMaxDurationMicros / 1000000) {
        return Status::InvalidArgument(fmt::format("{}: {}: {} seconds is too large: the most is {} (about 3,170 years)",
                                                   path_, key, *v, kMaxDurationMicros / 1000000));
      }
      if (*v < 0) return Bad(key, fmt::format("a duration from 0 to {} seconds", kMaxDurationMicros / 1000000));
      *out = Duration::Seconds(*v);
      return Status::Ok();
    }
    auto s = n.value<std::string>();
    if (!s) return Bad(key, "a duration such as \"30 seconds\", \"30s\" or \"2m\"");
    auto d = ParseDuration(*s);
    if (!d.ok()) return Status::InvalidArgument(fmt::format("{}: {}: {}", path_, key, d.status().message()));
    *out = *d;
    return Status::Ok();
  }
  // A bare dotted key (s3.endpoint = "...", as pasted from Spark or pyiceberg settings) is a
  // nested table in TOML; it is read back as the one property "s3.endpoint".
  Status Props(const toml::node& n, const std::string& key, std::map<std::string, std::string>* out,
               const std::string& prefix = "") {
    const toml::table* t = n.as_table();
    if (t == nullptr) return Bad(key, "a table of properties");
    for (const auto& [k, v] : *t) {
      std::string name = prefix + std::string(k.str());
      std::string value;
      if (v.is_table()) {
        BRAID_RETURN_IF_ERROR(Props(v, key, out, name + "."));
        continue;
      }
      // Booleans first: toml++ also converts them to integers (true would become "1").
      if (auto b = v.as_boolean()) {
        value = b->get() ? "true" : "false";
      } else if (auto s = v.value<std::string>()) {
        value = *s;
      } else if (auto i = Integer(v)) {
        value = std::to_string(*i);
      } else if (auto f = v.as_floating_point(); f && std::isfinite(f->get())) {
        value = fmt::format("{}", f->get());
      } else {
        return Bad(key + "." + name, "a string, number or boolean");
      }
      if (!out->emplace(name, value).second) {
        return Bad(key + "." + name, "set once (it is given twice, quoted and dotted)");
      }
    }
    return Status::Ok();
  }

 private:
  Status Bad(const std::string& key, const std::string& allowed) {
    return Status::InvalidArgument(fmt::format("{}: {} must be {}", path_, key, allowed));
  }
  std::string path_;
};

using Setter = std::function<Status(const toml::node&, const std::string&)>;

// Reads every key of `table` with its setter; an unknown key is refused naming the known ones.
// `prefix` ("maintenance.") names keys of a nested table.
Status ReadKeys(const toml::table& table, const std::map<std::string, Setter>& keys,
                const std::string& prefix, const std::string& path) {
  for (const auto& [k, node] : table) {
    const std::string key(k.str());
    auto it = keys.find(key);
    if (it == keys.end()) {
      std::vector<std::string> names;
      for (const auto& [name, _] : keys) names.push_back(name);
      return Status::InvalidArgument(fmt::format("{}: unknown key \"{}{}\"; the keys{} are {}", path, prefix,
                                                 key, prefix.empty() ? "" : " of [" + prefix.substr(0, prefix.size() - 1) + "]",
                                                 fmt::join(names, ", ")));
    }
    BRAID_RETURN_IF_ERROR(it->second(node, prefix + key));
  }
  return Status::Ok();
}

Status ReadMaintenance(Reader& r, const toml::node& n, const std::string& key, const std::string& path,
                       MaintenanceSettings* m) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return Status::InvalidArgument(fmt::format("{}: {} must be a table ([maintenance])", path, key));
  const std::map<std::string, Setter> keys{
      {"enabled", [&](auto& v, auto& k) { return r.Bool(v, k, &m->enabled); }},
      {"interval", [&](auto& v, auto& k) { return r.Dur(v, k, &m->interval); }},
      {"compact_older_than", [&](auto& v, auto& k) { return r.Dur(v, k, &m->compact_older_than); }},
      {"target_file_size", [&](auto& v, auto& k) -> Status {
         if (Reader::Integer(v)) return r.Int(v, k, 1, &m->target_file_size);
         std::string text;
         BRAID_RETURN_IF_ERROR(r.String(v, k, &text));
         Result<size_t> size = ParseByteSize(text);
         if (!size.ok()) return Status::InvalidArgument(fmt::format("{}: {}: {}", path, k, size.status().message()));
         m->target_file_size = static_cast<int64_t>(*size);
         return Status::Ok();
       }},
      {"expire_older_than", [&](auto& v, auto& k) { return r.Dur(v, k, &m->expire_older_than); }},
      {"retain_last", [&](auto& v, auto& k) { return r.Int(v, k, 1, &m->retain_last); }},
      {"orphans_older_than", [&](auto& v, auto& k) { return r.Dur(v, k, &m->orphans_older_than); }},
  };
  BRAID_RETURN_IF_ERROR(ReadKeys(*t, keys, key + ".", path));
  Status valid = m->Validate();
  if (!valid.ok()) return Status::InvalidArgument(fmt::format("{}: {}", path, valid.message()));
  return Status::Ok();
}

}  // namespace

Result<PipelineConfig> PipelineConfig::Load(const std::string& path,
                                            const std::optional<PipelineQueryText>& query) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("{}: cannot open the pipeline file", path));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError(fmt::format("{}: cannot read the pipeline file", path));
  return Parse(text.str(), path, query);
}

Result<PipelineConfig> PipelineConfig::Parse(std::string_view text, const std::string& path,
                                             const std::optional<PipelineQueryText>& query) {
  toml::table parsed;
  try {
    parsed = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                               e.source().begin.column, e.description()));
  }
  PipelineConfig c;
  Reader r(path);
  const std::map<std::string, Setter> keys{
      {"execution_date", [&](auto& n, auto& k) { return r.String(n, k, &c.execution_date); }},
      {"environment", [&](auto& n, auto& k) { return r.String(n, k, &c.environment); }},
      {"database_name", [&](auto& n, auto& k) { return r.String(n, k, &c.database_name); }},
      {"topic_actions", [&](auto& n, auto& k) { return r.String(n, k, &c.topic_actions); }},
      {"topic_purchases", [&](auto& n, auto& k) { return r.String(n, k, &c.topic_purchases); }},
      {"topic_sessions", [&](auto& n, auto& k) { return r.String(n, k, &c.topic_sessions); }},
      {"iceberg_table", [&](auto& n, auto& k) { return r.String(n, k, &c.iceberg_table); }},
      {"kafka_bootstrap_servers",
       [&](auto& n, auto& k) { return r.String(n, k, &c.kafka_bootstrap_servers); }},
      {"num_events_per_topic",
       [&](auto& n, auto& k) { return r.Int(n, k, 0, &c.num_events_per_topic); }},
      {"watermark_delay", [&](auto& n, auto& k) { return r.Dur(n, k, &c.watermark_delay); }},
      {"purchase_join_window",
       [&](auto& n, auto& k) { return r.Dur(n, k, &c.purchase_join_window); }},
      {"session_join_window",
       [&](auto& n, auto& k) { return r.Dur(n, k, &c.session_join_window); }},
      {"idle_timeout", [&](auto& n, auto& k) { return r.Dur(n, k, &c.idle_timeout); }},
      {"commit_interval", [&](auto& n, auto& k) { return r.Dur(n, k, &c.commit_interval); }},
      {"streaming_duration_seconds",
       [&](auto& n, auto& k) { return r.Int(n, k, 0, &c.streaming_duration_seconds); }},
      {"enable_validation", [&](auto& n, auto& k) { return r.Bool(n, k, &c.enable_validation); }},
      {"enable_cleanup", [&](auto& n, auto& k) { return r.Bool(n, k, &c.enable_cleanup); }},
      {"pipeline_id", [&](auto& n, auto& k) { return r.String(n, k, &c.pipeline_id); }},
      {"kafka", [&](auto& n, auto& k) { return r.Props(n, k, &c.kafka); }},
      {"catalog", [&](auto& n, auto& k) { return r.Props(n, k, &c.catalog); }},
      {"maintenance", [&](auto& n, auto& k) { return ReadMaintenance(r, n, k, path, &c.maintenance); }},
      // Read as a whole by PipelineDeclaration below.
      {"streams", [](auto&, auto&) { return Status::Ok(); }},
      {"join", [](auto&, auto&) { return Status::Ok(); }},
      {"output", [](auto&, auto&) { return Status::Ok(); }},
      {"query", [](auto&, auto&) { return Status::Ok(); }},
  };
  BRAID_RETURN_IF_ERROR(ReadKeys(parsed, keys, "", path));
  if (PipelineDeclaration::IsDeclaredIn(parsed) || query) {
    // The seed's topics and windows would be a second, contradicting description of the join.
    for (const char* seed : {"topic_actions", "topic_purchases", "topic_sessions", "purchase_join_window",
                             "session_join_window"}) {
      const toml::node* n = parsed.get(seed);
      if (n != nullptr && PipelineDeclaration::IsDeclaredIn(parsed)) {
        return Status::InvalidArgument(fmt::format(
            "{}:{}: {}: belongs to the seed pipeline, but this file declares its streams ([[streams]], "
            "[join] or query); remove it and set topics and windows in the declaration",
            path, n->source().begin.line, seed));
      }
    }
    BRAID_ASSIGN_OR_RETURN(PipelineDeclaration d, PipelineDeclaration::Read(parsed, path, query));
    if (!d.table.empty()) {
      if (const toml::node* n = parsed.get("iceberg_table")) {
        return Status::InvalidArgument(fmt::format(
            "{}:{}: iceberg_table: the table is also named by [output].table (line {}); keep one", path,
            n->source().begin.line, d.table_line));
      }
      c.iceberg_table = d.table;
    }
    c.declared = std::move(d.spec);
    c.query = std::move(d.query);
    c.partition_by = std::move(d.partition_by);
    c.target_file_size = d.target_file_size;
  }
  // librdkafka knows its own properties (hundreds, by client version): ask it, now, rather than
  // when the first consumer starts.
  Status kafka = KafkaConfig::Check(c.kafka);
  if (!kafka.ok()) return Status::InvalidArgument(fmt::format("{}: [kafka]: {}", path, kafka.message()));
  // Without a type here a --catalog-property type=... may still pick the catalog: the merged
  // properties are checked again when the flags are applied (PipelineFlags::Resolve).
  bool typed = c.catalog.count("type") > 0 || c.catalog.count("catalog-impl") > 0;
  Status catalog = typed ? CatalogProperties::Check(c.catalog) : Status::Ok();
  if (!catalog.ok()) return Status::InvalidArgument(fmt::format("{}: [catalog]: {}", path, catalog.message()));
  return c;
}

JoinSpec PipelineConfig::ToJoinSpec() const {
  if (declared) {
    JoinSpec spec = *declared;
    spec.watermark_delay = watermark_delay;
    spec.idle_timeout = idle_timeout;
    return spec;
  }
  return SeedPipeline(SeedTopics{topic_actions, topic_purchases, topic_sessions},
                      purchase_join_window, session_join_window, watermark_delay, idle_timeout);
}

std::string PipelineConfig::JoinDescription() const {
  const JoinSpec spec = ToJoinSpec();
  std::string out = spec.driving.topic;
  for (const EnrichSpec& e : spec.enriching) {
    out += fmt::format(" {} {}", e.kind == JoinKind::kLeft ? "⟕" : "⋈", e.stream.topic);
  }
  return out;
}

}  // namespace braid
