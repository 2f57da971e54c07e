#pragma once
// SqlBackend: the seam between the SQL catalog and the database holding its two tables
// (SQLite or PostgreSQL). Statements are written with `?` placeholders and bound as text or
// NULL; nothing is ever spliced into SQL text. Implementations own one connection and are not
// thread-safe: SqlCatalog serializes calls.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace braid {

/// A bound parameter or a result column: text, or NULL as std::nullopt.
using SqlValue = std::optional<std::string>;
/// One result row, columns in SELECT order.
using SqlRow = std::vector<SqlValue>;

class SqlBackend {
 public:
  virtual ~SqlBackend() = default;

  /// Runs a statement that returns rows. Errors name the database (never a password);
  /// Unavailable (retriable) when the database is busy or the connection is lost.
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) = 0;

  /// Runs a statement that changes rows and returns how many it changed. AlreadyExists when a
  /// primary key or unique constraint refused the row; other errors as for Query.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) = 0;

  /// Starts a transaction that takes the write lock at once (SQLite: BEGIN IMMEDIATE, waiting
  /// up to the busy timeout); Commit or Rollback ends it.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  /// Abandons the open transaction; best effort.
  virtual void Rollback() = 0;

  /// What the connection is, for messages: "SQLite database /w/catalog.db",
  /// "PostgreSQL database \"cat\" at db.example:5432". Never holds a password.
  virtual const std::string& description() const = 0;
};

}  // namespace braid
