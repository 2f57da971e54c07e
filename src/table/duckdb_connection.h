#pragma once
// DuckDbConnection: a connection to an in-memory DuckDB database (the first opens it, Connect
// adds more), and DuckDbResult, its materialized query result. DuckDB's errors become Status
// values carrying DuckDB's message. Not thread-safe: one thread uses a connection at a time.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "duckdb.h"

#include "base/result.h"

namespace braid {

/// Owns one duckdb_result. Move-only.
class DuckDbResult {
 public:
  explicit DuckDbResult(duckdb_result result) : result_(result), live_(true) {}
  DuckDbResult(DuckDbResult&& other) noexcept : result_(other.result_), live_(other.live_) {
    other.live_ = false;
  }
  DuckDbResult& operator=(DuckDbResult&&) = delete;
  DuckDbResult(const DuckDbResult&) = delete;
  ~DuckDbResult() {
    if (live_) duckdb_destroy_result(&result_);
  }

  duckdb_result* get() { return &result_; }
  size_t column_count() { return duckdb_column_count(&result_); }
  std::string column_name(size_t i) { return duckdb_column_name(&result_, i); }
  duckdb_type column_type(size_t i) { return duckdb_column_type(&result_, i); }

 private:
  duckdb_result result_;
  bool live_;
};

/// Owns one data chunk fetched from a result. Move-only.
class DuckDbChunk {
 public:
  explicit DuckDbChunk(duckdb_data_chunk chunk) : chunk_(chunk) {}
  DuckDbChunk(DuckDbChunk&& other) noexcept : chunk_(other.chunk_) { other.chunk_ = nullptr; }
  DuckDbChunk(const DuckDbChunk&) = delete;
  ~DuckDbChunk() {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
  }
  explicit operator bool() const { return chunk_ != nullptr; }
  size_t size() const { return duckdb_data_chunk_get_size(chunk_); }
  duckdb_vector column(size_t i) const { return duckdb_data_chunk_get_vector(chunk_, i); }

 private:
  duckdb_data_chunk chunk_;
};

class DuckDbConnection {
 public:
  /// Opens an in-memory database with `config` options (e.g. {"threads", "2"}) and connects.
  /// Sessions always run with TimeZone 'UTC', so timestamptz values render in UTC.
  static Result<std::unique_ptr<DuckDbConnection>> Open(
      const std::map<std::string, std::string>& config = {});
  ~DuckDbConnection();
  DuckDbConnection(const DuckDbConnection&) = delete;
  DuckDbConnection& operator=(const DuckDbConnection&) = delete;

  duckdb_connection handle() { return connection_; }

  /// Another connection to this one's database: the same catalog, settings (threads too) and
  /// memory, its own session (in UTC as well). Two connections serve two threads at the same
  /// time. The database closes with the last connection to it.
  Result<std::unique_ptr<DuckDbConnection>> Connect();

  /// Runs `sql` (one or more statements) and discards the result.
  Status Execute(const std::string& sql);
  /// Runs `sql` and returns its materialized result.
  Result<DuckDbResult> Query(const std::string& sql);

 private:
  DuckDbConnection() = default;
  static Result<std::unique_ptr<DuckDbConnection>> ConnectTo(std::shared_ptr<_duckdb_database> database);

  std::shared_ptr<_duckdb_database> database_;  // shared by its connections; closes with the last
  duckdb_connection connection_ = nullptr;
};

/// A Status for a failed DuckDB call: the kind follows DuckDB's error type (parser, binder and
/// catalog errors are InvalidArgument, I/O errors IoError, the rest Internal), the message is
/// DuckDB's.
Status DuckDbError(duckdb_error_type type, std::string_view message);

/// The string at `row` of a VARCHAR vector, or nullopt for NULL.
std::optional<std::string_view> VarcharAt(duckdb_vector vector, size_t row);

/// `text` as an SQL string literal ('it''s').
std::string QuoteLiteral(std::string_view text);

}  // namespace braid
