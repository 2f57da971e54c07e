#include "pipeline/pipeline_query.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "base/time_format.h"
#include "pipeline/parse_tree_printer.h"
#include "table/duckdb_connection.h"

namespace braid {
namespace {

using Json = nlohmann::json;

constexpr const char* kSelectShape = "qualified columns, alias.field [AS name]";
constexpr const char* kFromShape =
    "FROM <driving stream> [alias], then one [LEFT] JOIN <stream> [alias] ON ... per enriching stream";
constexpr const char* kOnShape =
    "ON e.key = d.key AND ... AND e.ts BETWEEN d.ts - INTERVAL w AND d.ts + INTERVAL w, between the "
    "joined stream (e) and the driving stream (d): its key fields and event times";
constexpr const char* kQueryShape =
    "SELECT alias.field [AS name], ... FROM <driving stream> [LEFT] JOIN <stream> ON <key equalities> "
    "AND <stream>.ts BETWEEN d.ts - INTERVAL w AND d.ts + INTERVAL w, one JOIN per enriching stream";

Status Refuse(const std::string& clause, const std::string& supported) {
  return Status::InvalidArgument(fmt::format("query: {}: not supported; supported: {}", clause, supported));
}

// A refusal stays one line: what it quotes from the query (a clause, a stream or field name)
// may hold a line break or another control byte inside a string literal or a quoted name,
// shown as \n or \xNN (found by fuzzing).
Status OneLine(const Status& st) {
  if (st.ok()) return st;
  std::string shown;
  for (unsigned char c : st.message()) {
    if (c == '\n') {
      shown += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      shown += fmt::format("\\x{:02x}", c);
    } else {
      shown += static_cast<char>(c);
    }
  }
  return Status(st.kind(), std::move(shown), st.retriable());
}

// j[key] for a const tree: null when absent (nlohmann's const operator[] asserts instead).
const Json& At(const Json& j, const char* key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

bool IsEmpty(const Json& j) { return j.is_null() || (j.is_array() && j.empty()); }

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// A stream as the query refers to it: FROM clicks c is the stream "clicks" under alias "c".
struct StreamRef {
  const StreamSpec* stream;
  std::string alias;
};

class Compiler {
 public:
  Compiler(DuckDbConnection& db, const std::vector<StreamSpec>& streams) : db_(db), streams_(streams) {}

  Result<JoinSpec> Compile(std::string_view query) {
    // DuckDB takes the text as a C string and refuses invalid UTF-8 with its own message about
    // the wrapping statement: both are caught here, named for the query (found by fuzzing).
    if (query.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("query: holds a NUL byte; a query is text");
    }
    if (!simdjson::validate_utf8(query.data(), query.size())) {
      return Status::InvalidArgument("query: is not UTF-8 text; save the query as UTF-8");
    }
    BRAID_ASSIGN_OR_RETURN(Json tree, ParseTreePrinter::Serialize(db_, query));
    if (tree.value("error", true)) {
      std::string message = tree.value("error_message", "DuckDB cannot parse it");
      std::replace(message.begin(), message.end(), '\n', ' ');  // DuckDB's own lines
      if (message.find("Only SELECT") != std::string::npos) {
        return Refuse("this statement", "one SELECT: " + std::string(kQueryShape));
      }
      return Status::InvalidArgument("query: " + message);
    }
    BRAID_ASSIGN_OR_RETURN(printer_, ParseTreePrinter::Create(db_));
    const Json& statements = At(tree, "statements");
    if (!statements.is_array() || statements.size() != 1) {
      return Refuse(fmt::format("{} statements", statements.size()), "one SELECT: " + std::string(kQueryShape));
    }
    const Json& node = At(statements[0], "node");
    if (Str(node, "type") != "SELECT_NODE") {
      return Refuse(Str(node, "type") == "SET_OPERATION_NODE" ? "UNION, INTERSECT or EXCEPT" : "this query",
                    "one SELECT: " + std::string(kQueryShape));
    }
    BRAID_RETURN_IF_ERROR(CheckClauses(node));
    BRAID_RETURN_IF_ERROR(ReadFrom(At(node, "from_table")));
    BRAID_RETURN_IF_ERROR(ReadSelect(At(node, "select_list")));
    for (const StreamSpec& s : streams_) {
      bool used = std::any_of(refs_.begin(), refs_.end(), [&](const StreamRef& r) { return r.stream == &s; });
      if (!used) {
        return Status::InvalidArgument(fmt::format(
            "query: stream \"{}\" is declared but the query does not read it; join it or remove its [[streams]]",
            s.name));
      }
    }
    return std::move(spec_);
  }

 private:
  Status CheckClauses(const Json& node) {
    if (!IsEmpty(At(node, "where_clause"))) return Refuse("WHERE " + printer_->Quoted(At(node, "where_clause")), kQueryShape);
    if (!IsEmpty(At(node, "group_expressions")) || Str(node, "aggregate_handling") != "STANDARD_HANDLING") {
      std::string text = printer_->Clause([&](Json& n) {
        n["group_expressions"] = At(node, "group_expressions");
        n["group_sets"] = At(node, "group_sets");
        n["aggregate_handling"] = At(node, "aggregate_handling");
      });
      return Refuse(text, std::string(kQueryShape) + " (no grouping: one row per joined combination)");
    }
    if (!IsEmpty(At(node, "having"))) return Refuse("HAVING " + printer_->Quoted(At(node, "having")), kQueryShape);
    if (!IsEmpty(At(node, "qualify"))) return Refuse("QUALIFY " + printer_->Quoted(At(node, "qualify")), kQueryShape);
    if (!IsEmpty(At(node, "sample"))) return Refuse("USING SAMPLE", kQueryShape);
    if (!IsEmpty(At(node, "modifiers"))) {
      std::string text = printer_->Clause([&](Json& n) { n["modifiers"] = At(node, "modifiers"); });
      return Refuse(text, std::string(kQueryShape) + " (the table is a multiset: no DISTINCT, ORDER BY or LIMIT)");
    }
    if (!IsEmpty(At(At(node, "cte_map"), "map"))) {
      std::string text = printer_->Clause([&](Json& n) { n["cte_map"] = At(node, "cte_map"); });
      return Refuse(text, std::string(kQueryShape) + " (streams by name, no WITH)");
    }
    return Status::Ok();
  }

  // A stream named as a table in FROM or JOIN.
  Status AddStream(const Json& ref) {
    if (Str(ref, "type") != "BASE_TABLE") {
      return Refuse(printer_->Table(ref), std::string(kFromShape) + ", each a declared stream by name");
    }
    if (!Str(ref, "schema_name").empty() || !Str(ref, "catalog_name").empty() || !IsEmpty(At(ref, "at_clause")) ||
        !IsEmpty(At(ref, "sample")) || !IsEmpty(At(ref, "column_name_alias"))) {
      return Refuse(printer_->Table(ref), "a declared stream by its name, with an optional alias");
    }
    const std::string name = Str(ref, "table_name");
    const StreamSpec* stream = nullptr;
    std::vector<std::string> names;
    for (const StreamSpec& s : streams_) {
      if (s.name == name) stream = &s;
      names.push_back(s.name);
    }
    if (stream == nullptr) {
      return Status::InvalidArgument(fmt::format("query: {}: \"{}\" is not a declared stream; the streams are {}",
                                                 printer_->Table(ref), name, fmt::join(names, ", ")));
    }
    const std::string alias = Str(ref, "alias").empty() ? name : Str(ref, "alias");
    for (const StreamRef& r : refs_) {
      if (r.stream == stream) {
        return Status::InvalidArgument(fmt::format(
            "query: {}: stream \"{}\" is already in the query; each stream joins once", printer_->Table(ref), name));
      }
      if (r.alias == alias) {
        return Status::InvalidArgument(fmt::format("query: {}: the name \"{}\" is already used in FROM", printer_->Table(ref), alias));
      }
    }
    refs_.push_back({stream, alias});
    return Status::Ok();
  }

  Status ReadFrom(const Json& from) {
    if (IsEmpty(from) || Str(from, "type") == "EMPTY") return Refuse("a SELECT without FROM", kQueryShape);
    // FROM a JOIN b JOIN c nests to the left: ((a JOIN b) JOIN c).
    std::vector<const Json*> joins;
    const Json* left = &from;
    while (Str(*left, "type") == "JOIN") {
      joins.push_back(left);
      left = &At(*left, "left");
    }
    std::reverse(joins.begin(), joins.end());
    BRAID_RETURN_IF_ERROR(AddStream(*left));
    spec_.driving = *refs_[0].stream;
    for (const Json* join : joins) BRAID_RETURN_IF_ERROR(ReadJoin(*join));
    return Status::Ok();
  }

  Status ReadJoin(const Json& join) {
    const std::string kind = Str(join, "join_type");
    const std::string ref_type = Str(join, "ref_type");
    const std::string right = printer_->Table(At(join, "right"));
    if (ref_type != "REGULAR" || (kind != "INNER" && kind != "LEFT")) {
      std::string what = ref_type == "REGULAR" ? kind + " JOIN " + right
                         : ref_type == "CROSS" ? "a cross join (FROM a, b or CROSS JOIN) with " + right
                                               : ref_type + " JOIN " + right;
      return Refuse(what, "[INNER] JOIN and LEFT [OUTER] JOIN, each " + std::string(kOnShape));
    }
    const std::string head = (kind == "LEFT" ? "LEFT JOIN " : "JOIN ") + right;
    if (!IsEmpty(At(join, "using_columns"))) {
      std::vector<std::string> columns;
      for (const Json& c : At(join, "using_columns")) columns.push_back(c.is_string() ? c.get<std::string>() : "?");
      return Refuse(fmt::format("{} USING ({})", head, fmt::join(columns, ", ")), kOnShape);
    }
    if (Str(At(join, "right"), "type") == "JOIN") return Refuse(head, "a chain of joins without parentheses: " + std::string(kFromShape));
    BRAID_RETURN_IF_ERROR(AddStream(At(join, "right")));
    const size_t index = refs_.size() - 1;
    const StreamRef& e = refs_[index];
    if (IsEmpty(At(join, "condition"))) return Refuse(head + " without ON", kOnShape);
    std::vector<const Json*> conjuncts;
    Flatten(At(join, "condition"), &conjuncts);
    std::vector<std::pair<std::string, std::string>> pairs;  // (enriching field, driving field)
    std::optional<Duration> window;
    for (const Json* c : conjuncts) {
      const std::string cls = Str(*c, "class");
      if (cls == "COMPARISON" && Str(*c, "type") == "COMPARE_EQUAL") {
        BRAID_ASSIGN_OR_RETURN(auto pair, KeyEquality(*c, index));
        pairs.push_back(std::move(pair));
      } else if (cls == "BETWEEN" && Str(*c, "type") == "COMPARE_BETWEEN" && !window) {
        BRAID_ASSIGN_OR_RETURN(window, Window(*c, index));
      } else {
        return Refuse(head + " ON ... " + printer_->Quoted(*c), kOnShape);
      }
    }
    if (!window) {
      return Status::InvalidArgument(fmt::format(
          "query: {}: has no window; add AND {}.{} BETWEEN {}.{} - INTERVAL w AND {}.{} + INTERVAL w (an unbounded "
          "join can never know a row is complete)", head, e.alias, e.stream->timestamp_field, refs_[0].alias,
          spec_.driving.timestamp_field, refs_[0].alias, spec_.driving.timestamp_field));
    }
    EnrichSpec enrich;
    enrich.kind = kind == "LEFT" ? JoinKind::kLeft : JoinKind::kInner;
    enrich.window = *window;
    enrich.stream = *e.stream;
    BRAID_ASSIGN_OR_RETURN(enrich.stream.key_fields, KeyOrder(head, e, pairs));
    spec_.enriching.push_back(std::move(enrich));
    return Status::Ok();
  }

  static void Flatten(const Json& expr, std::vector<const Json*>* out) {
    if (Str(expr, "type") == "CONJUNCTION_AND") {
      for (const Json& c : At(expr, "children")) Flatten(c, out);
    } else {
      out->push_back(&expr);
    }
  }

  // The stream and field a qualified column reference names: alias.field, or alias.a.b for a
  // field declared at the nested JSON path "a.b".
  Result<std::pair<size_t, std::string>> Column(const Json& ref, const std::string& supported) {
    if (Str(ref, "class") != "COLUMN_REF") return Refuse(printer_->Quoted(ref), supported);
    const Json& names = At(ref, "column_names");
    const bool qualified = names.is_array() && names.size() >= 2 &&
                           std::all_of(names.begin(), names.end(), [](const Json& n) { return n.is_string(); });
    if (!qualified) {
      return Refuse(printer_->Quoted(ref), std::string(supported) + " (a column names its stream: alias.field)");
    }
    const std::string alias = names[0].get<std::string>();
    std::string field = names[1].get<std::string>();
    for (size_t i = 2; i < names.size(); ++i) field += "." + names[i].get<std::string>();
    for (size_t i = 0; i < refs_.size(); ++i) {
      if (refs_[i].alias != alias) continue;
      const StreamSpec& s = *refs_[i].stream;
      if (s.FieldIndex(field) < 0) {
        std::vector<std::string> fields;
        for (const FieldSpec& f : s.fields) fields.push_back(f.name);
        return Status::InvalidArgument(fmt::format("query: {}.{}: stream \"{}\" has no field \"{}\"; its fields are {}",
                                                   alias, field, s.name, field, fmt::join(fields, ", ")));
      }
      return std::make_pair(i, field);
    }
    std::vector<std::string> aliases;
    for (const StreamRef& r : refs_) aliases.push_back(r.alias);
    return Status::InvalidArgument(fmt::format("query: {}.{}: \"{}\" names no stream of the FROM clause so far ({})",
                                               alias, field, alias, fmt::join(aliases, ", ")));
  }

  // e.key = d.key (either way round): the pair (enriching field, driving field).
  Result<std::pair<std::string, std::string>> KeyEquality(const Json& c, size_t index) {
    BRAID_ASSIGN_OR_RETURN(auto a, Column(At(c, "left"), kOnShape));
    BRAID_ASSIGN_OR_RETURN(auto b, Column(At(c, "right"), kOnShape));
    if (a.first == 0 && b.first == index) std::swap(a, b);
    if (a.first != index || b.first != 0) {
      return Refuse(printer_->Quoted(c), std::string(kOnShape) + " (no conditions between two enriching streams, "
                                                         "or within one stream)");
    }
    return std::make_pair(a.second, b.second);
  }

  // The enriching stream's key fields, ordered as the driving stream's they equal.
  Result<std::vector<std::string>> KeyOrder(const std::string& head, const StreamRef& e,
                                            const std::vector<std::pair<std::string, std::string>>& pairs) {
    const StreamSpec& d = spec_.driving;
    const StreamSpec& s = *e.stream;
    const std::string declared = fmt::format("every declared key field of {} [{}] equated once with one of {} [{}]",
                                             s.name, fmt::join(s.key_fields, ", "), d.name, fmt::join(d.key_fields, ", "));
    auto in = [](const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); };
    std::vector<std::string> order(d.key_fields.size());
    for (const auto& [ef, df] : pairs) {
      const std::string eq = fmt::format("{}.{} = {}.{}", e.alias, ef, refs_[0].alias, df);
      if (!in(s.key_fields, ef) || !in(d.key_fields, df)) {
        return Refuse(head + " ON ... " + eq, declared + " (a filter on other fields is not part of a join braid computes)");
      }
      size_t k = std::find(d.key_fields.begin(), d.key_fields.end(), df) - d.key_fields.begin();
      if (!order[k].empty() || in(order, ef)) return Refuse(head + " ON ... " + eq + " (a key field twice)", declared);
      FieldType te = s.fields[s.FieldIndex(ef)].type;
      FieldType td = d.fields[d.FieldIndex(df)].type;
      if (te != td) {
        return Status::InvalidArgument(fmt::format("query: {}: {}.{} is {} and {}.{} is {}; key fields equated must have one type",
                                                   eq, e.alias, ef, FieldTypeName(te), refs_[0].alias, df, FieldTypeName(td)));
      }
      order[k] = ef;
    }
    if (s.key_fields.size() != d.key_fields.size() || in(order, "")) {
      return Refuse(fmt::format("{}: equates {} of the key fields", head, pairs.size()), declared);
    }
    return order;
  }

  // e.ts BETWEEN d.ts - w AND d.ts + w: w, which must be the same constant INTERVAL both sides.
  Result<Duration> Window(const Json& c, size_t index) {
    const StreamRef& e = refs_[index];
    const std::string d = refs_[0].alias;
    const std::string ets = e.alias + "." + e.stream->timestamp_field;
    const std::string dts = d + "." + spec_.driving.timestamp_field;
    const std::string shape = fmt::format("{} BETWEEN {} - INTERVAL w AND {} + INTERVAL w: the event times, one w "
                                          "both sides (a symmetric window)", ets, dts, dts);
    const std::string text = printer_->Quoted(c);
    auto is_time = [&](const Json& ref, size_t stream) {
      if (Str(ref, "class") != "COLUMN_REF") return false;
      auto col = Column(ref, shape);
      const StreamSpec& s = *refs_[stream].stream;
      return col.ok() && col->first == stream && col->second == s.timestamp_field;
    };
    // d.ts - w, or d.ts + w / w + d.ts: the interval expression.
    auto bound = [&](const Json& b, const char* op) -> const Json* {
      if (Str(b, "class") != "FUNCTION" || Str(b, "function_name") != op || At(b, "children").size() != 2) return nullptr;
      const Json& x = At(b, "children")[0];
      const Json& y = At(b, "children")[1];
      if (is_time(x, 0)) return &y;
      if (std::string(op) == "+" && is_time(y, 0)) return &x;
      return nullptr;
    };
    const Json* lower = bound(At(c, "lower"), "-");
    const Json* upper = bound(At(c, "upper"), "+");
    if (!is_time(At(c, "input"), index) || lower == nullptr || upper == nullptr) return Refuse(text, shape);
    BRAID_ASSIGN_OR_RETURN(Duration lo, Interval(*lower, text, shape));
    BRAID_ASSIGN_OR_RETURN(Duration hi, Interval(*upper, text, shape));
    if (lo != hi) {
      return Refuse(fmt::format("{} (the window is {} before and {} after)", text, FormatDuration(lo), FormatDuration(hi)), shape);
    }
    if (lo <= Duration(0)) return Status::InvalidArgument(fmt::format("query: {}: the window must be longer than zero", text));
    return lo;
  }

  // Only constant intervals: literals, casts and DuckDB's own spelling of INTERVAL n UNIT.
  static bool IsConstant(const Json& e) {
    const std::string cls = Str(e, "class");
    if (cls == "CONSTANT") return true;
    if (cls == "CAST") return IsConstant(At(e, "child"));
    if (cls != "FUNCTION") return false;
    const std::string f = Str(e, "function_name");
    if (!f.starts_with("to_") && f != "trunc" && f != "+" && f != "-" && f != "*") return false;
    return std::all_of(At(e, "children").begin(), At(e, "children").end(), [](const Json& c) { return IsConstant(c); });
  }

  // The length of a constant INTERVAL, computed by DuckDB as the audit's query computes it.
  // Months and years have no fixed length and are refused.
  Result<Duration> Interval(const Json& w, const std::string& text, const std::string& shape) {
    const std::string expr = printer_->Sql(w);
    if (!IsConstant(w)) return Refuse(text, shape + ", w a constant INTERVAL such as INTERVAL 30 MINUTE");
    Result<std::string> type = FirstValue(db_, fmt::format("SELECT typeof({})", expr));
    if (!type.ok() || *type != "INTERVAL") return Refuse(text, shape + ", w an INTERVAL such as INTERVAL 30 MINUTE");
    // typeof does not evaluate the INTERVAL: a text DuckDB cannot read as one fails here.
    Result<std::string> months =
        FirstValue(db_, fmt::format("SELECT (datepart('year', w) * 12 + datepart('month', w))::VARCHAR FROM (SELECT {} AS w)", expr));
    if (!months.ok()) return Refuse(text, shape + ", w an INTERVAL DuckDB can read, such as INTERVAL '1 day 2 hours'");
    if (*months != "0") return Refuse(text, shape + ", w in days or shorter units (a month has no fixed length)");
    Result<std::string> micros = FirstValue(db_, fmt::format("SELECT epoch_us(TIMESTAMP '1970-01-01' + w)::VARCHAR FROM (SELECT {} AS w)", expr));
    if (!micros.ok()) return Refuse(text, shape + ", w a window of at most " + FormatDuration(Duration(kMaxDurationMicros)));
    int64_t us = std::stoll(*micros);
    if (us > kMaxDurationMicros) return Refuse(text, shape + ", w at most " + FormatDuration(Duration(kMaxDurationMicros)));
    return Duration(us);
  }

  Status ReadSelect(const Json& list) {
    for (const Json& item : list) {
      const std::string cls = Str(item, "class");
      if (cls == "STAR") {
        const std::string rel = Str(item, "relation_name");
        return Refuse(rel.empty() ? "SELECT *" : "SELECT " + rel + ".*", std::string("columns listed one by one: ") + kSelectShape);
      }
      if (cls != "COLUMN_REF") {
        std::string text = printer_->Quoted(item);
        if (!Str(item, "alias").empty() && text.find(" AS ") == std::string::npos) text += " AS " + Str(item, "alias");
        return Refuse("SELECT " + text, std::string(kSelectShape) + " (no functions or expressions: the table keeps the "
                                                                     "fields as the streams carry them)");
      }
      BRAID_ASSIGN_OR_RETURN(auto col, Column(item, kSelectShape));
      // Without AS, a nested field's column is named for its path with _ (user.id: user_id),
      // as in [output] columns.
      std::string name = Str(item, "alias");
      if (name.empty()) {
        name = col.second;
        std::replace(name.begin(), name.end(), '.', '_');
      }
      OutputColumnSpec c{refs_[col.first].stream->name, col.second, name};
      if (c.name == spec_.processing_time_column) {
        return Status::InvalidArgument(fmt::format(
            "query: SELECT {}: the name \"{}\" is the column braid appends; choose another with AS", printer_->Quoted(item), c.name));
      }
      for (const OutputColumnSpec& o : spec_.columns) {
        if (o.name == c.name) {
          return Status::InvalidArgument(fmt::format(
              "query: SELECT {}: a column is already named \"{}\"; rename one with AS", printer_->Quoted(item), c.name));
        }
      }
      spec_.columns.push_back(std::move(c));
    }
    return Status::Ok();
  }

  DuckDbConnection& db_;
  const std::vector<StreamSpec>& streams_;
  std::optional<ParseTreePrinter> printer_;
  std::vector<StreamRef> refs_;  // FROM's streams in order: the driving stream first
  JoinSpec spec_;
};

}  // namespace

Result<JoinSpec> CompilePipelineQuery(std::string_view query, const std::vector<StreamSpec>& streams) {
  // One in-memory database per process, opened at the first query: starting DuckDB costs far
  // more than compiling a query, and a process (the fuzz targets above all) may compile many.
  // The compiler only parses and evaluates literals, so nothing of one query stays for the next.
  // It is never closed (no destructor ordering at exit); one thread, as the parse trees are tiny.
  static std::mutex mutex;
  static DuckDbConnection* db = nullptr;
  const std::lock_guard<std::mutex> lock(mutex);
  if (db == nullptr) {
    BRAID_ASSIGN_OR_RETURN(std::unique_ptr<DuckDbConnection> opened, DuckDbConnection::Open({{"threads", "1"}}));
    db = opened.release();
  }
  Result<JoinSpec> spec = Compiler(*db, streams).Compile(query);
  if (!spec.ok()) return OneLine(spec.status());
  return spec;
}

}  // namespace braid
