#pragma once
// ParseTreePrinter: parts of a DuckDB parse tree (json_serialize_sql's JSON) printed back as SQL
// by DuckDB itself (json_deserialize_sql) — to run an expression of a user's query, and to quote
// a clause of it in an error message.

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "table/duckdb_connection.h"

namespace braid {

/// The first value of `sql`'s first row, as text; InvalidArgument when there is none (or it is
/// NULL), DuckDB's error when the query fails.
Result<std::string> FirstValue(DuckDbConnection& db, const std::string& sql);

class ParseTreePrinter {
 public:
  /// A printer using `db` (not owned; it must outlive the printer; one thread at a time).
  static Result<ParseTreePrinter> Create(DuckDbConnection& db);

  /// json_serialize_sql's tree for `sql`: {"error": false, "statements": [...]}, or
  /// {"error": true, "error_message": ...} for a statement DuckDB cannot parse.
  static Result<nlohmann::json> Serialize(DuckDbConnection& db, std::string_view sql);

  /// An expression as DuckDB prints it ("(v.\"at\" - to_minutes(...))" without the outer
  /// parentheses), to be run.
  std::string Sql(const nlohmann::json& expr);
  /// An expression as the user likely wrote it: Sql() with intervals as INTERVAL 30 MINUTE and
  /// INTERVAL '30 minutes'. For messages.
  std::string Quoted(const nlohmann::json& expr);
  /// A clause of a SELECT node (GROUP BY, ORDER BY, LIMIT, DISTINCT, WITH): `edit` sets it on an
  /// empty SELECT node; the result is the clause alone ("ORDER BY v.\"at\" LIMIT 5").
  std::string Clause(const std::function<void(nlohmann::json&)>& edit);
  /// A FROM item ("buys AS b", "(SELECT ...) AS v", "views AS v RIGHT JOIN buys AS b ON ...").
  std::string Table(const nlohmann::json& ref);

 private:
  ParseTreePrinter(DuckDbConnection* db, nlohmann::json empty) : db_(db), empty_(std::move(empty)) {}
  // The text of "SELECT NULL" after `edit` on its SELECT node; empty if DuckDB cannot print it.
  std::string Print(const std::function<void(nlohmann::json&)>& edit);

  DuckDbConnection* db_;
  nlohmann::json empty_;  // the tree of "SELECT NULL"
};

}  // namespace braid
