#pragma once
// QueryResult: what a SQL query returned, as text: column names and kinds, and each value as
// DuckDB renders it (timestamptz in UTC) or NULL. The CLI prints it with ResultFormatter.

#include <optional>
#include <string>
#include <vector>

namespace braid {

/// How a column's values are written where types matter (JSON).
enum class ValueKind { kText, kNumber, kBoolean };

struct QueryColumn {
  std::string name;
  std::string type;  // DuckDB's type name ("BIGINT", "VARCHAR", "TIMESTAMP WITH TIME ZONE", ...)
  ValueKind kind = ValueKind::kText;
};

struct QueryResult {
  std::vector<QueryColumn> columns;
  /// rows[r][c]; nullopt is SQL NULL (distinct from the empty string).
  std::vector<std::vector<std::optional<std::string>>> rows;
};

}  // namespace braid
