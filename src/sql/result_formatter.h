#pragma once
// ResultFormatter: prints a QueryResult the three ways `braid sql` offers: an aligned text
// table (like Spark's show() and DuckDB's CLI), CSV (RFC 4180) and JSON (an array of
// objects). Stateless and thread-safe.

#include <string>

#include "sql/query_result.h"

namespace braid {

class ResultFormatter {
 public:
  /// A boxed table, header first; numbers right-aligned, text left-aligned, NULL as "NULL",
  /// line breaks and tabs shown as \n and \t. Cells wider than `max_cell_width` code points
  /// (0: no limit) are cut and end in "...". Ends with a newline.
  static std::string Table(const QueryResult& result, size_t max_cell_width = 0);

  /// CSV per RFC 4180: a header record, CRLF line ends, fields holding a comma, quote, CR or
  /// LF quoted with quotes doubled. NULL is an empty field, the empty string is "".
  static std::string Csv(const QueryResult& result);

  /// A JSON array with one object per row (keys in column order): numbers as JSON numbers
  /// (NaN and infinities as the strings "NaN", "Infinity", "-Infinity"), booleans as
  /// true/false, NULL as null, everything else as strings. One row per line.
  static std::string Json(const QueryResult& result);
};

}  // namespace braid
