#pragma once
// PostgresBackend: the SQL catalog's tables in a PostgreSQL database, through libpq. One
// connection, re-established before a statement when the server dropped it. Concurrent
// commits from other processes are decided by the catalog's conditional UPDATE (row locks),
// not by this class. Not thread-safe (SqlBackend's contract).

#include <memory>
#include <string>

#include "catalog/sql_backend.h"
#include "catalog/sql_uri.h"

struct pg_conn;

namespace braid {

class PostgresBackend final : public SqlBackend {
 public:
  /// Connects as `uri` says (connect_timeout defaults to 10 s). Unavailable naming host:port
  /// and the database (never the password) when the server cannot be reached or refuses the
  /// login.
  static Result<std::unique_ptr<PostgresBackend>> Connect(const SqlUri& uri);
  ~PostgresBackend() override;

  Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) override;
  Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) override;
  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  const std::string& description() const override { return description_; }

 private:
  PostgresBackend(pg_conn* conn, std::string description, std::string password)
      : conn_(conn), description_(std::move(description)), password_(std::move(password)) {}

  /// Runs `sql` with `?` placeholders; fills `rows` or `changed` when not null.
  Status Run(std::string_view sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows,
             int64_t* changed);
  /// A server message as one line, with the password (should a message ever echo it) masked.
  std::string Clean(const char* message) const;

  pg_conn* conn_;
  std::string description_;
  std::string password_;
};

}  // namespace braid
