#include "pipeline/parse_tree_printer.h"

#include <fmt/format.h>

#include <regex>

namespace braid {
namespace {

using Json = nlohmann::json;

// Drops one pair of parentheses around the whole of `s` (DuckDB prints "(a > 0)").
std::string StripParens(std::string s) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return s;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0 && i + 1 < s.size()) return s;  // "(a) AND (b)"
  }
  return s.substr(1, s.size() - 2);
}

// DuckDB prints INTERVAL 30 MINUTE back as to_minutes(CAST(trunc(CAST(30 AS DOUBLE)) AS BIGINT))
// and INTERVAL '30 minutes' as CAST('30 minutes' AS INTERVAL): quoted to the user as written.
std::string Readable(std::string text) {
  static const std::regex unit(R"(to_([a-z]+?)s?\(CAST\(trunc\(CAST\((-?[0-9.]+) AS DOUBLE\)\) AS (BIGINT|INTEGER)\)\))");
  static const std::regex cast(R"(CAST\(('[^']*') AS INTERVAL\))");
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), unit), end; it != end; ++it) {
    out.append(last, (*it)[0].first);
    std::string name = (*it)[1].str();
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += "INTERVAL " + (*it)[2].str() + " " + name;
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  return std::regex_replace(out, cast, "INTERVAL $1");
}

}  // namespace

Result<std::string> FirstValue(DuckDbConnection& db, const std::string& sql) {
  BRAID_ASSIGN_OR_RETURN(DuckDbResult r, db.Query(sql));
  DuckDbChunk chunk{duckdb_fetch_chunk(*r.get())};
  std::optional<std::string_view> v = chunk && chunk.size() > 0 ? VarcharAt(chunk.column(0), 0) : std::nullopt;
  if (!v) return Status::InvalidArgument("the query gave no value");
  return std::string(*v);
}

Result<Json> ParseTreePrinter::Serialize(DuckDbConnection& db, std::string_view sql) {
  BRAID_ASSIGN_OR_RETURN(std::string text, FirstValue(db, fmt::format("SELECT json_serialize_sql({})", QuoteLiteral(sql))));
  Json tree = Json::parse(text, nullptr, false);
  if (!tree.is_object()) return Status::Internal("json_serialize_sql gave no parse tree");
  return tree;
}

Result<ParseTreePrinter> ParseTreePrinter::Create(DuckDbConnection& db) {
  BRAID_ASSIGN_OR_RETURN(Json empty, Serialize(db, "SELECT NULL"));
  return ParseTreePrinter(&db, std::move(empty));
}

std::string ParseTreePrinter::Print(const std::function<void(Json&)>& edit) {
  Json statement = empty_;
  edit(statement["statements"][0]["node"]);
  Result<std::string> text =
      FirstValue(*db_, fmt::format("SELECT json_deserialize_sql({}::JSON)", QuoteLiteral(statement.dump())));
  return text.ok() ? *text : "";
}

std::string ParseTreePrinter::Sql(const Json& expr) {
  std::string text = Print([&](Json& node) { node["select_list"] = Json::array({expr}); });
  if (!text.starts_with("SELECT ")) return "this expression";
  return StripParens(text.substr(7));
}

std::string ParseTreePrinter::Quoted(const Json& expr) { return Readable(Sql(expr)); }

std::string ParseTreePrinter::Clause(const std::function<void(Json&)>& edit) {
  std::string text = Print(edit);
  if (text.starts_with("SELECT ")) {
    text = text.substr(7);
    if (size_t null = text.find("NULL"); null != std::string::npos) text.erase(null, 4);
  } else if (size_t main = text.rfind("SELECT NULL"); main != std::string::npos) {
    text.erase(main);  // WITH ... SELECT NULL
  }
  std::string out;
  for (char c : text) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "this clause" : out;
}

std::string ParseTreePrinter::Table(const Json& ref) {
  std::string text = Print([&](Json& node) { node["from_table"] = ref; });
  const std::string prefix = "SELECT NULL FROM ";
  return text.starts_with(prefix) ? text.substr(prefix.size()) : "this table";
}

}  // namespace braid
