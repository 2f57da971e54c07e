#pragma once
// SqlSession: SQL over Iceberg tables through an embedded, in-memory DuckDB. Every table of a
// catalog becomes a view <namespace>.<table> over the Parquet data files live in its current
// (or a chosen) snapshot, columns matched by Iceberg field id, so renamed or added columns
// read right. A table without data files is a view with the right column types and no rows.
// Not thread-safe.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "base/types.h"
#include "catalog/catalog.h"
#include "sql/duckdb_s3_access.h"
#include "sql/query_result.h"
#include "table/duckdb_connection.h"
#include "table/table_identifier.h"
#include "table/table_operations.h"

namespace braid {

/// How a session reads data files on an object store: kDirect through DuckDB's httpfs extension
/// (configured from the table's S3 settings), kDownload by copying each file through braid's
/// FileSystem into a temp directory first, kAuto direct when the extension is installed.
enum class RemoteRead { kAuto, kDirect, kDownload };

struct SqlSessionOptions {
  /// Read the table that has this snapshot at that snapshot (the others at their current
  /// one). NotFound at Open if no table has it.
  std::optional<SnapshotId> snapshot;
  /// DuckDB worker threads; 0 uses every core.
  int threads = 0;
  /// How data files on S3 are read (see RemoteRead).
  RemoteRead remote_read = RemoteRead::kAuto;
};

class SqlSession {
 public:
  /// A session with every table of every namespace of `catalog` registered. A table that
  /// cannot be read (delete files, unsupported types) still gets its view, which fails with
  /// the reason when queried; catalog errors fail Open.
  static Result<std::unique_ptr<SqlSession>> Open(Catalog& catalog, SqlSessionOptions options = {});

  /// A session with no tables; add them with RegisterTable.
  static Result<std::unique_ptr<SqlSession>> OpenEmpty(int threads = 0);

  /// Registers (or replaces) the view `id.ns`.`id.name` over `state` at `snapshot` (the
  /// current snapshot when nullopt), reading files through `fs`. NotFound for an unknown
  /// snapshot; InvalidArgument for tables braid cannot read (non-Parquet files, delete files).
  Status RegisterTable(const TableIdentifier& id, FileSystem& fs, const TableState& state,
                       std::optional<SnapshotId> snapshot = std::nullopt);

  ~SqlSession();

  /// How RegisterTable reads data files on S3 from now on (Open sets it from its options).
  void set_remote_read(RemoteRead mode) { remote_read_ = mode; }

  /// Runs one SQL statement and returns its result. Errors carry DuckDB's message.
  Result<QueryResult> Query(const std::string& sql);

  /// Runs statements whose results are not needed (SET, CREATE MACRO, ...).
  Status Execute(const std::string& sql) { return db_->Execute(sql); }

  /// The tables registered so far, in registration order.
  const std::vector<TableIdentifier>& tables() const { return tables_; }

 private:
  /// InvalidArgument naming the statement unless `text` is a SELECT (or EXPLAIN of one).
  Status CheckReadOnly(const std::string& text);
  /// The reason a table that `tree` (a parsed statement) reads cannot be read, if any.
  Status CheckReadable(const nlohmann::json& tree) const;
  /// `st` with the table named when its message names one of the tables' data files.
  Status NameDamagedTable(const Status& st) const;
  explicit SqlSession(std::unique_ptr<DuckDbConnection> db) : db_(std::move(db)) {}
  Status RegisterBroken(const TableIdentifier& id, const Status& why);
  /// The path DuckDB reads `location` by: a local path, an s3:// URL (httpfs), or a downloaded copy.
  Result<std::string> ReadablePath(FileSystem& fs, const std::string& location);
  Result<QueryResult> QueryAsText(const std::string& sql, duckdb_prepared_statement original);

  std::unique_ptr<DuckDbConnection> db_;
  std::vector<TableIdentifier> tables_;
  // Tables registered as unreadable: lower-case "ns.table" -> why, naming the table.
  std::map<std::string, Status> broken_;
  // The path DuckDB reads each data file by -> its table, to name the table in read errors.
  std::map<std::string, TableIdentifier> file_tables_;
  RemoteRead remote_read_ = RemoteRead::kAuto;
  std::unique_ptr<DuckDbS3Access> s3_;
  std::string download_dir_;  // created on the first download, removed with the session
};

}  // namespace braid
