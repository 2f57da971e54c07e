#include "pipeline/pipeline_declaration.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "base/byte_size.h"
#include "base/time_format.h"
#include "join/join_plan.h"
#include "pipeline/pipeline_query.h"

namespace braid {
namespace {

// Names a column or stream is referred to by in "stream.field AS name" and in SQL.
bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// A top-level query = written after a table is read into that table by TOML: said so.
constexpr const char* kMisplacedQuery =
    "query is a top-level key: write it before the first table ([[streams]], [output], ...); in TOML a "
    "key after a table header belongs to that table";

// Keys braid knows it cannot honour yet: refused by name, with the reason, rather than taken
// for typos (or, worse, ignored).
using NotYet = std::map<std::string, std::string>;

struct DeclaredStream {
  StreamSpec spec;
  std::string key;  // "streams[2]", for messages
  const toml::table* table = nullptr;
  bool used = false;
};

class Reader {
 public:
  Reader(const toml::table& root, std::string path, const std::optional<PipelineQueryText>& query)
      : root_(root), path_(std::move(path)), query_(query) {}

  Result<PipelineDeclaration> Read() {
    const toml::node* streams = root_.get("streams");
    const toml::node* join = root_.get("join");
    const toml::node* output = root_.get("output");
    const toml::node* query = root_.get("query");
    const toml::node* any = streams ? streams : join ? join : output ? output : query;
    if (streams == nullptr) {
      if (any == nullptr) {
        return Status::InvalidArgument(fmt::format("{}: declares no [[streams]] for the query {} to read; declare "
                                                   "each input with [[streams]] (name, topic, fields, key, event_time)",
                                                   path_, query_->origin));
      }
      return Error(*any, join ? "join" : output ? "output" : "query",
                   "declares a join without streams; declare each input with [[streams]] (name, "
                   "topic, fields, key, event_time)");
    }
    const toml::array* list = streams->as_array();
    if (list == nullptr || list->empty() || !list->is_array_of_tables()) {
      return Error(*streams, "streams", "must be one or more [[streams]] tables");
    }
    for (size_t i = 0; i < list->size(); ++i) {
      BRAID_RETURN_IF_ERROR(ReadStream(*list->get(i)->as_table(), fmt::format("streams[{}]", i + 1)));
    }
    if (query != nullptr || query_) return ReadQuery(query, join, output);
    if (join == nullptr) {
      const toml::table* out = output ? output->as_table() : nullptr;
      if (const toml::node* misplaced = out ? out->get("query") : nullptr) {
        return Error(*misplaced, "output.query", kMisplacedQuery);
      }
      return Error(*streams, "join", "is missing; add [join] with driving = \"<stream>\" and a "
                                     "[[join.enrich]] table per enriching stream, or give the join as "
                                     "its SQL (query = \"\"\"SELECT ...\"\"\" before the first table)");
    }
    BRAID_RETURN_IF_ERROR(ReadJoin(*join));
    for (const DeclaredStream& s : streams_) {
      if (!s.used) {
        return Error(*s.table->get("name"), s.key + ".name",
                     fmt::format("stream \"{}\" is declared but not used in [join]; make it the "
                                 "driving stream, add a [[join.enrich]] for it, or remove it",
                                 s.spec.name));
      }
    }
    if (output == nullptr) {
      return Error(*join, "output", "is missing; add [output] with columns = [\"stream.field\", "
                                    "\"stream.field AS name\", ...]");
    }
    BRAID_RETURN_IF_ERROR(ReadOutput(*output));
    return Checked();
  }

 private:
  // Whatever the checks before missed, the engine's own validation still refuses.
  Result<PipelineDeclaration> Checked() {
    Result<JoinPlan> plan = JoinPlan::Compile(decl_.spec);
    if (!plan.ok()) return Status::InvalidArgument(fmt::format("{}: {}", path_, plan.status().message()));
    return std::move(decl_);
  }

  // The join as its SQL: query = """...""" in the file, or the text given with --query.
  Result<PipelineDeclaration> ReadQuery(const toml::node* query, const toml::node* join, const toml::node* output) {
    // --query overrides the file's join (its query, or [join] and [output].columns), as flags
    // override the file; within one file two descriptions of the join are refused.
    if (join != nullptr && !query_) {
      return Error(*join, "join", fmt::format("the join is also given as a query (line {}); keep one",
                                              query->source().begin.line));
    }
    std::string origin;
    if (query_) {
      decl_.query = query_->text;
      origin = query_->origin;
    } else {
      auto text = query->value<std::string>();
      if (!text || text->empty()) return Error(*query, "query", "must be the pipeline's SELECT, as a string (query = \"\"\"SELECT ...\"\"\")");
      decl_.query = *text;
      origin = fmt::format("{}:{}", path_, query->source().begin.line);
    }
    std::vector<StreamSpec> streams;
    for (const DeclaredStream& s : streams_) streams.push_back(s.spec);
    Result<JoinSpec> spec = CompilePipelineQuery(decl_.query, streams);
    if (!spec.ok()) return Status::InvalidArgument(fmt::format("{}: {}", origin, spec.status().message()));
    decl_.spec = std::move(*spec);
    if (output != nullptr) BRAID_RETURN_IF_ERROR(ReadOutput(*output, /*from_query=*/true));
    return Checked();
  }

  Status Error(const toml::node& at, const std::string& key, const std::string& what) const {
    return Status::InvalidArgument(fmt::format("{}:{}: {}: {}", path_, at.source().begin.line, key, what));
  }

  // Refuses keys of `table` outside `known`, naming what is known (and what is not yet).
  Status CheckKeys(const toml::table& table, const std::string& where,
                   const std::vector<std::string>& known, const NotYet& not_yet = {}) const {
    for (const auto& [k, v] : table) {
      const std::string key(k.str());
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      const std::string full = where + "." + key;
      if (auto it = not_yet.find(key); it != not_yet.end()) return Error(v, full, it->second);
      return Status::InvalidArgument(fmt::format("{}:{}: {}: unknown key; the keys of {} are {}", path_,
                                                 k.source().begin.line, full, where, fmt::join(known, ", ")));
    }
    return Status::Ok();
  }

  Result<std::string> String(const toml::table& t, const std::string& where, const std::string& key,
                             const std::string& allowed) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return Error(t, where + "." + key, "is missing; it must be " + allowed);
    auto v = n->value<std::string>();
    if (!v || v->empty()) return Error(*n, where + "." + key, "must be " + allowed);
    return *v;
  }

  Result<std::vector<std::string>> Names(const toml::node& n, const std::string& key) const {
    const toml::array* a = n.as_array();
    if (a == nullptr) return Error(n, key, "must be an array of field names, such as [\"user_id\"]");
    std::vector<std::string> out;
    for (const toml::node& e : *a) {
      auto v = e.value<std::string>();
      if (!v) return Error(e, key, "must be an array of field names, such as [\"user_id\"]");
      out.push_back(*v);
    }
    return out;
  }

  // `fields`: name = type, where a name with dots ("user.id", quoted in TOML) or a sub-table
  // ({ user = { id = "string" } }, or TOML's unquoted dotted key) is a nested JSON path.
  Status ReadFields(const toml::node& n, const std::string& key, StreamSpec* s) const {
    const toml::table* t = n.as_table();
    if (t == nullptr || t->empty()) {
      return Error(n, key, "must be a table of field name = type, such as { user_id = \"string\" }");
    }
    return ReadFieldTable(*t, key, "", s);
  }

  Status ReadFieldTable(const toml::table& t, const std::string& key, const std::string& prefix,
                        StreamSpec* s) const {
    for (const auto& [k, v] : t) {
      const std::string name = prefix + std::string(k.str());
      const std::string full = key + "." + std::string(k.str());
      if (const toml::table* sub = v.as_table()) {
        if (sub->empty()) return Error(v, full, "is an empty table; declare the fields inside it, such as { id = \"string\" }");
        BRAID_RETURN_IF_ERROR(ReadFieldTable(*sub, full, name + ".", s));
        continue;
      }
      if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos) {
        return Error(v, full, fmt::format("\"{}\" has an empty part; a nested field is a path of JSON keys "
                                          "joined by dots, such as \"user.id\"", name));
      }
      for (const FieldSpec& o : s->fields) {
        if (o.name == name) return Error(v, full, fmt::format("field \"{}\" is declared twice", name));
        const std::string& shorter = o.name.size() < name.size() ? o.name : name;
        const std::string& longer = o.name.size() < name.size() ? name : o.name;
        if (longer.starts_with(shorter) && longer[shorter.size()] == '.') {
          return Error(v, full, fmt::format("\"{}\" and \"{}\" are both declared, but one JSON value cannot be "
                                            "\"{}\" and the object holding \"{}\"; declare one of them",
                                            o.name, name, shorter, longer));
        }
      }
      auto type = v.value<std::string>();
      if (!type) return Error(v, full, std::string("must be a type name: ") + kTypes);
      FieldSpec f{name, FieldType::kString, true};
      BRAID_RETURN_IF_ERROR(Type(v, full, *type, &f));
      s->fields.push_back(std::move(f));
    }
    return Status::Ok();
  }

  static constexpr const char* kTypes =
      "string, long, double, boolean, timestamp (ISO-8601), timestamp(epoch_seconds), "
      "timestamp(epoch_millis), timestamp(epoch_micros)";

  Status Type(const toml::node& at, const std::string& key, const std::string& type, FieldSpec* f) const {
    static const std::map<std::string, TimeFormat> kTimeFormats = {
        {"iso8601", TimeFormat::kIso8601},
        {"epoch_seconds", TimeFormat::kEpochSeconds},
        {"epoch_millis", TimeFormat::kEpochMillis},
        {"epoch_micros", TimeFormat::kEpochMicros},
    };
    if (type == "string") {
      f->type = FieldType::kString;
    } else if (type == "long") {
      f->type = FieldType::kLong;
    } else if (type == "double") {
      f->type = FieldType::kDouble;
    } else if (type == "boolean") {
      f->type = FieldType::kBoolean;
    } else if (type == "timestamp") {
      f->type = FieldType::kTimestamp;
    } else if (type.starts_with("timestamp(") && type.ends_with(")")) {
      const std::string unit = Trim(std::string_view(type).substr(10, type.size() - 11));
      auto it = kTimeFormats.find(unit);
      if (it == kTimeFormats.end()) {
        return Error(at, key, fmt::format("\"{}\" is not a timestamp format; use timestamp(epoch_seconds), "
                                          "timestamp(epoch_millis), timestamp(epoch_micros) or timestamp "
                                          "(ISO-8601)", unit));
      }
      f->type = FieldType::kTimestamp;
      f->time_format = it->second;
    } else if (type.starts_with("epoch")) {
      return Error(at, key, fmt::format("\"{}\" is not a type; an epoch timestamp is written \"timestamp({})\"",
                                        type, type));
    } else if (type == "bool") {
      return Error(at, key, "unknown type \"bool\"; write \"boolean\"");
    } else {
      return Error(at, key, fmt::format("unknown type \"{}\"; supported: {}", type, kTypes));
    }
    return Status::Ok();
  }

  // A per-stream watermark_delay or idle_timeout: a duration string or whole seconds, >= 0.
  Result<std::optional<Duration>> StreamDuration(const toml::table& t, const std::string& where,
                                                 const std::string& key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::optional<Duration>();
    const std::string full = where + "." + key;
    const std::string allowed = "a duration of zero or more, such as \"30 seconds\", \"2m\" or 10 (seconds)";
    if (auto secs = n->value_exact<int64_t>()) {
      if (*secs < 0 || *secs > kMaxDurationMicros / 1000000) return Error(*n, full, "must be " + allowed);
      return std::optional<Duration>(Duration::Seconds(*secs));
    }
    auto text = n->value_exact<std::string>();
    if (!text) return Error(*n, full, "must be " + allowed);
    if (Trim(*text).starts_with('-')) return Error(*n, full, "must not be negative; it must be " + allowed);
    Result<Duration> d = ParseDuration(*text);
    if (!d.ok()) return Error(*n, full, d.status().message());
    return std::optional<Duration>(*d);
  }

  Status ReadStream(const toml::table& t, const std::string& where) {
    BRAID_RETURN_IF_ERROR(CheckKeys(
        t, where,
        {"name", "topic", "format", "fields", "key", "event_time", "optional", "watermark_delay", "idle_timeout"},
        {{"event_time_format", "is not a key; the format is part of the field's type, such as "
                               "ts = \"timestamp(epoch_millis)\" in fields"},
         {"partition_by", "a stream has no partition spec; the output table's is [output] partition_by"},
         {"query", kMisplacedQuery}}));
    DeclaredStream d;
    d.key = where;
    d.table = &t;
    StreamSpec& s = d.spec;
    BRAID_ASSIGN_OR_RETURN(s.name, String(t, where, "name", "a stream name (letters, digits, _)"));
    if (!IsIdentifier(s.name)) {
      return Error(*t.get("name"), where + ".name",
                   fmt::format("\"{}\" is not a usable name; use letters, digits and _, not first a digit", s.name));
    }
    for (const DeclaredStream& o : streams_) {
      if (o.spec.name == s.name) {
        return Error(*t.get("name"), where + ".name",
                     fmt::format("stream \"{}\" is declared twice (also {}); stream names must be unique", s.name, o.key));
      }
    }
    BRAID_ASSIGN_OR_RETURN(s.topic, String(t, where, "topic", "a Kafka topic name"));
    for (const DeclaredStream& o : streams_) {
      if (o.spec.topic == s.topic) {
        return Error(*t.get("topic"), where + ".topic",
                     fmt::format("topic \"{}\" is also read by stream \"{}\"; each stream reads its own topic",
                                 s.topic, o.spec.name));
      }
    }
    if (const toml::node* f = t.get("format")) {
      auto v = f->value<std::string>();
      if (!v || *v != "json") {
        return Error(*f, where + ".format",
                     fmt::format("{} is not supported yet; supported: \"json\"",
                                 v ? "format \"" + *v + "\"" : std::string("this format")));
      }
    }
    const toml::node* fields = t.get("fields");
    if (fields == nullptr) return Error(t, where + ".fields", "is missing; declare { field = \"type\", ... }");
    BRAID_RETURN_IF_ERROR(ReadFields(*fields, where + ".fields", &s));

    const toml::node* key = t.get("key");
    if (key == nullptr) return Error(t, where + ".key", "is missing; name the join key fields, such as [\"user_id\"]");
    BRAID_ASSIGN_OR_RETURN(s.key_fields, Names(*key, where + ".key"));
    if (s.key_fields.empty()) return Error(*key, where + ".key", "must name at least one field");
    for (const std::string& k : s.key_fields) {
      int i = s.FieldIndex(k);
      if (i < 0) return Error(*key, where + ".key", fmt::format("\"{}\" is not a declared field of {}", k, s.name));
      FieldType type = s.fields[i].type;
      if (type != FieldType::kString && type != FieldType::kLong) {
        return Error(*key, where + ".key",
                     fmt::format("key field \"{}\" is {}; key fields must be string or long", k, FieldTypeName(type)));
      }
    }

    BRAID_ASSIGN_OR_RETURN(s.timestamp_field, String(t, where, "event_time", "the name of a timestamp field"));
    const toml::node& ts = *t.get("event_time");
    int ti = s.FieldIndex(s.timestamp_field);
    if (ti < 0) {
      return Error(ts, where + ".event_time", fmt::format("\"{}\" is not a declared field of {}", s.timestamp_field, s.name));
    }
    if (s.fields[ti].type != FieldType::kTimestamp) {
      return Error(ts, where + ".event_time",
                   fmt::format("field \"{}\" is {}; the event time must be a field of type timestamp",
                               s.timestamp_field, FieldTypeName(s.fields[ti].type)));
    }

    if (const toml::node* opt = t.get("optional")) {
      BRAID_ASSIGN_OR_RETURN(std::vector<std::string> names, Names(*opt, where + ".optional"));
      for (const std::string& o : names) {
        int i = s.FieldIndex(o);
        if (i < 0) return Error(*opt, where + ".optional", fmt::format("\"{}\" is not a declared field of {}", o, s.name));
        bool is_key = std::find(s.key_fields.begin(), s.key_fields.end(), o) != s.key_fields.end();
        if (is_key || o == s.timestamp_field) {
          return Error(*opt, where + ".optional",
                       fmt::format("\"{}\" is a key or the event time, which every record must have", o));
        }
        s.fields[i].required = false;
      }
    }
    BRAID_ASSIGN_OR_RETURN(s.watermark_delay, StreamDuration(t, where, "watermark_delay"));
    BRAID_ASSIGN_OR_RETURN(s.idle_timeout, StreamDuration(t, where, "idle_timeout"));
    Status valid = s.Validate();
    if (!valid.ok()) return Error(t, where, valid.message());
    streams_.push_back(std::move(d));
    return Status::Ok();
  }

  // The stream named by `n`, marked used; refuses names that are not declared.
  Result<DeclaredStream*> StreamNamed(const toml::node& n, const std::string& key) {
    auto name = n.value<std::string>();
    std::vector<std::string> names;
    for (DeclaredStream& s : streams_) {
      if (name && s.spec.name == *name) {
        if (s.used) return Error(n, key, fmt::format("stream \"{}\" is already in the join; each stream joins once", *name));
        s.used = true;
        return &s;
      }
      names.push_back(s.spec.name);
    }
    return Error(n, key, fmt::format("{} is not a declared stream; the streams are {}",
                                     name ? "\"" + *name + "\"" : std::string("this"), fmt::join(names, ", ")));
  }

  Status ReadJoin(const toml::node& n) {
    const toml::table* t = n.as_table();
    if (t == nullptr) return Error(n, "join", "must be a table ([join])");
    BRAID_RETURN_IF_ERROR(CheckKeys(*t, "join", {"driving", "enrich"}));
    const toml::node* driving = t->get("driving");
    if (driving == nullptr) return Error(*t, "join.driving", "is missing; name the stream that drives the join");
    BRAID_ASSIGN_OR_RETURN(DeclaredStream * drv, StreamNamed(*driving, "join.driving"));
    decl_.spec.driving = drv->spec;
    const toml::node* enrich = t->get("enrich");
    if (enrich == nullptr) return Status::Ok();
    const toml::array* list = enrich->as_array();
    if (list == nullptr || !list->is_array_of_tables()) {
      return Error(*enrich, "join.enrich", "must be [[join.enrich]] tables (stream, kind, window)");
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const toml::table& e = *list->get(i)->as_table();
      const std::string where = fmt::format("join.enrich[{}]", i + 1);
      BRAID_RETURN_IF_ERROR(CheckKeys(e, where, {"stream", "kind", "window"}));
      EnrichSpec spec;
      const toml::node* stream = e.get("stream");
      if (stream == nullptr) return Error(e, where + ".stream", "is missing; name the enriching stream");
      BRAID_ASSIGN_OR_RETURN(DeclaredStream * s, StreamNamed(*stream, where + ".stream"));
      BRAID_RETURN_IF_ERROR(SameKey(*drv, *s));
      spec.stream = s->spec;
      BRAID_ASSIGN_OR_RETURN(std::string kind, String(e, where, "kind", "\"inner\" or \"left\""));
      if (kind == "inner") {
        spec.kind = JoinKind::kInner;
      } else if (kind == "left") {
        spec.kind = JoinKind::kLeft;
      } else {
        return Error(*e.get("kind"), where + ".kind", fmt::format("\"{}\" is not a join kind; use \"inner\" or \"left\"", kind));
      }
      BRAID_ASSIGN_OR_RETURN(std::string window, String(e, where, "window", "a duration such as \"30 minutes\""));
      const toml::node& wn = *e.get("window");
      Result<Duration> d = ParseDuration(window);
      const bool negative = Trim(window).starts_with('-');
      if (!d.ok() && !negative) return Error(wn, where + ".window", d.status().message());
      if (negative || *d <= Duration(0)) {
        return Error(wn, where + ".window", "must be longer than zero (events at most this far apart in event time join)");
      }
      spec.window = *d;
      decl_.spec.enriching.push_back(std::move(spec));
    }
    return Status::Ok();
  }

  // The engine joins key parts by position: the same count and types on every stream.
  Status SameKey(const DeclaredStream& drv, const DeclaredStream& s) const {
    const StreamSpec& a = drv.spec;
    const StreamSpec& b = s.spec;
    const toml::node& at = *s.table->get("key");
    if (a.key_fields.size() != b.key_fields.size()) {
      return Error(at, s.key + ".key",
                   fmt::format("stream \"{}\" has {} key field(s) [{}], the driving stream \"{}\" has {} [{}]; "
                               "an enriching stream's key must match the driving stream's, field by field",
                               b.name, b.key_fields.size(), fmt::join(b.key_fields, ", "), a.name,
                               a.key_fields.size(), fmt::join(a.key_fields, ", ")));
    }
    for (size_t k = 0; k < a.key_fields.size(); ++k) {
      FieldType ta = a.fields[a.FieldIndex(a.key_fields[k])].type;
      FieldType tb = b.fields[b.FieldIndex(b.key_fields[k])].type;
      if (ta != tb) {
        return Error(at, s.key + ".key",
                     fmt::format("key field {} \"{}\" of \"{}\" is {}, but \"{}\" of the driving stream \"{}\" "
                                 "is {}; key fields must have the same types in the same order",
                                 k + 1, b.key_fields[k], b.name, FieldTypeName(tb), a.key_fields[k], a.name,
                                 FieldTypeName(ta)));
      }
    }
    return Status::Ok();
  }

  // [output]; with `from_query` the columns are the query's, already in decl_.spec.
  Status ReadOutput(const toml::node& n, bool from_query = false) {
    const toml::table* t = n.as_table();
    if (t == nullptr) return Error(n, "output", "must be a table ([output])");
    const std::string partition = "is not a key of [output]; declare the partition spec with partition_by = "
                                  "[\"day(event_time)\", \"bucket(16, user_id)\"]";
    // With a query its SELECT list gives the columns; --query overrides the file's own.
    std::vector<std::string> known{"table"};
    if (!from_query || query_) known.push_back("columns");
    known.insert(known.end(), {"partition_by", "target_file_size"});
    BRAID_RETURN_IF_ERROR(CheckKeys(*t, "output", known,
                                    {{"query", kMisplacedQuery},
                                     {"columns", "the query's SELECT list gives the columns; remove columns"},
                                     {"partition", partition}, {"partitioning", partition},
                                     {"partition_spec", partition}}));
    if (const toml::node* size = t->get("target_file_size")) {
      auto text = size->value<std::string>();
      auto whole = size->value<int64_t>();
      Result<size_t> bytes = text ? ParseByteSize(*text)
                             : whole && *whole > 0 ? Result<size_t>(static_cast<size_t>(*whole))
                                                   : Result<size_t>(Status::InvalidArgument("must be positive"));
      if (!bytes.ok()) {
        return Error(*size, "output.target_file_size",
                     "must be a positive byte size such as \"256MiB\" or 268435456 (the table's "
                     "write.target-file-size-bytes)");
      }
      decl_.target_file_size = static_cast<int64_t>(*bytes);
    }
    if (t->get("table") != nullptr) {
      BRAID_ASSIGN_OR_RETURN(decl_.table, String(*t, "output", "table", "a table name"));
      decl_.table_line = t->get("table")->source().begin.line;
    }
    if (from_query) return ReadPartition(*t);
    const toml::node* columns = t->get("columns");
    if (columns == nullptr) return Error(*t, "output.columns", "is missing; list [\"stream.field\", \"stream.field AS name\", ...]");
    const toml::array* list = columns->as_array();
    if (list == nullptr || list->empty()) {
      return Error(*columns, "output.columns", "must be a non-empty array of \"stream.field\" or \"stream.field AS name\"");
    }
    const JoinSpec& spec = decl_.spec;
    for (const toml::node& c : *list) {
      auto text = c.value<std::string>();
      if (!text) return Error(c, "output.columns", "each column must be a string \"stream.field\" or \"stream.field AS name\"");
      BRAID_ASSIGN_OR_RETURN(OutputColumnSpec col, Column(c, *text));
      const StreamSpec* s = spec.driving.name == col.stream ? &spec.driving : nullptr;
      for (const EnrichSpec& e : spec.enriching) {
        if (e.stream.name == col.stream) s = &e.stream;
      }
      if (s == nullptr) {
        return Error(c, "output.columns",
                     fmt::format("\"{}\": \"{}\" is not a stream of the join", *text, col.stream));
      }
      if (s->FieldIndex(col.field) < 0) {
        std::vector<std::string> fields;
        for (const FieldSpec& f : s->fields) fields.push_back(f.name);
        return Error(c, "output.columns",
                     fmt::format("\"{}\": stream \"{}\" has no field \"{}\"; its fields are {}", *text,
                                 col.stream, col.field, fmt::join(fields, ", ")));
      }
      if (col.name == spec.processing_time_column) {
        return Error(c, "output.columns",
                     fmt::format("\"{}\": the name \"{}\" is the column braid appends; choose another with AS",
                                 *text, col.name));
      }
      for (const OutputColumnSpec& o : spec.columns) {
        if (o.name == col.name) {
          return Error(c, "output.columns",
                       fmt::format("\"{}\": a column is already named \"{}\"; rename one with AS", *text, col.name));
        }
      }
      decl_.spec.columns.push_back(std::move(col));
    }
    return ReadPartition(*t);
  }

  Status ReadPartition(const toml::table& output) {
    if (const toml::node* by = output.get("partition_by")) BRAID_RETURN_IF_ERROR(ReadPartitionBy(*by));
    return Status::Ok();
  }

  // Each field parses, and binds to the output columns as the table will have them (the
  // join plan's output schema): an unknown column or a transform on a wrong type is refused
  // here, before anything is created.
  Status ReadPartitionBy(const toml::node& n) {
    const toml::array* list = n.as_array();
    if (list == nullptr) {
      return Error(n, "output.partition_by", "must be an array such as [\"day(event_time)\", \"bucket(16, user_id)\"]");
    }
    Result<JoinPlan> plan = JoinPlan::Compile(decl_.spec);
    if (!plan.ok()) return Status::InvalidArgument(fmt::format("{}: {}", path_, plan.status().message()));
    for (const toml::node& e : *list) {
      auto text = e.value<std::string>();
      if (!text) return Error(e, "output.partition_by", "each partition field must be a string such as \"day(event_time)\"");
      Result<PartitionFieldRequest> field = PartitionFieldRequest::Parse(*text);
      if (!field.ok()) return Error(e, "output.partition_by", field.status().message());
      decl_.partition_by.push_back(std::move(*field));
      Result<PartitionSpec> bound = PartitionSpec::Bind(decl_.partition_by, plan->output_schema());
      if (!bound.ok()) return Error(e, "output.partition_by", bound.status().message());
    }
    return Status::Ok();
  }

  // "stream.field" or "stream.field AS name" (AS in any case). The field may be a nested path
  // ("orders.customer.id"); without AS its column is named by the path with _ for each dot
  // ("customer_id").
  Result<OutputColumnSpec> Column(const toml::node& at, const std::string& text) const {
    std::string ref = Trim(text);
    std::string name;
    std::string upper = ref;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) { return std::toupper(ch); });
    size_t as = upper.find(" AS ");
    if (as != std::string::npos) {
      name = Trim(ref.substr(as + 4));
      ref = Trim(ref.substr(0, as));
    }
    size_t dot = ref.find('.');
    OutputColumnSpec col;
    if (dot != std::string::npos) {
      col.stream = ref.substr(0, dot);
      col.field = ref.substr(dot + 1);
    }
    if (as == std::string::npos) {
      col.name = col.field;
      std::replace(col.name.begin(), col.name.end(), '.', '_');
    } else {
      col.name = name;
    }
    if (col.stream.empty() || col.field.empty() || !IsIdentifier(col.name)) {
      return Error(at, "output.columns",
                   fmt::format("\"{}\" is not a column; write \"stream.field\" or \"stream.field AS name\" "
                               "(a name of letters, digits and _)", text));
    }
    return col;
  }

  const toml::table& root_;
  std::string path_;
  const std::optional<PipelineQueryText>& query_;
  std::vector<DeclaredStream> streams_;
  PipelineDeclaration decl_;
};

}  // namespace

bool PipelineDeclaration::IsDeclaredIn(const toml::table& root) {
  return root.contains("streams") || root.contains("join") || root.contains("output") || root.contains("query");
}

Result<PipelineDeclaration> PipelineDeclaration::Read(const toml::table& root, const std::string& path,
                                                      const std::optional<PipelineQueryText>& query) {
  return Reader(root, path, query).Read();
}

}  // namespace braid
