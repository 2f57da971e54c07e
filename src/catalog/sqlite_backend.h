#pragma once
// SqliteBackend: the SQL catalog's tables in a local SQLite file. Writers in other processes
// (another braid, pyiceberg) are waited for up to a busy timeout instead of failing at once,
// so concurrent commits serialize; the catalog's WHERE clause still decides who wins.
// Not thread-safe (SqlBackend's contract).

#include <chrono>
#include <memory>
#include <string>

#include "catalog/sql_backend.h"

struct sqlite3;

namespace braid {

class SqliteBackend final : public SqlBackend {
 public:
  /// How long a statement waits for another connection's write lock.
  static constexpr std::chrono::milliseconds kBusyTimeout{30000};

  /// Opens (creating if missing) the database file at `path`; its directory must exist.
  /// IoError naming the file when it cannot be opened.
  /// With `create` false a missing file is NotFound instead of a new empty database.
  static Result<std::unique_ptr<SqliteBackend>> Open(const std::string& path, bool create = true);
  ~SqliteBackend() override;

  Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) override;
  Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) override;
  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  const std::string& description() const override { return description_; }

 private:
  SqliteBackend(sqlite3* db, std::string description) : db_(db), description_(std::move(description)) {}

  /// Prepares, binds and steps `sql`, appending rows to `rows` when it is not null.
  Status Run(std::string_view sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows);

  sqlite3* db_;
  std::string description_;
};

}  // namespace braid
