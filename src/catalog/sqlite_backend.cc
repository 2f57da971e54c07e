#include "catalog/sqlite_backend.h"

#include <sqlite3.h>

#include <fmt/format.h>

namespace braid {

Result<std::unique_ptr<SqliteBackend>> SqliteBackend::Open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), nullptr);
  if (rc == SQLITE_CANTOPEN && !create) {
    sqlite3_close(db);
    return Status::NotFound(fmt::format(
        "the SQL catalog's SQLite database {} does not exist (or cannot be opened); check the catalog uri", path));
  }
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::IoError(fmt::format(
        "cannot open the SQL catalog's SQLite database {}: {}; check that its directory exists "
        "and is writable", path, why));
  }
  sqlite3_busy_timeout(db, static_cast<int>(kBusyTimeout.count()));
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<SqliteBackend>(new SqliteBackend(db, fmt::format("SQLite database {}", path)));
}

SqliteBackend::~SqliteBackend() { sqlite3_close(db_); }

Status SqliteBackend::Run(std::string_view sql, const std::vector<SqlValue>& params,
                          std::vector<SqlRow>* rows) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  auto fail = [&](int code) {
    std::string why = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    int primary = code & 0xff;
    if (primary == SQLITE_CONSTRAINT) return Status::AlreadyExists(fmt::format("{}: {}", description_, why));
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return Status::Unavailable(fmt::format("{} stayed locked by another writer for {} s: {}",
                                             description_, kBusyTimeout.count() / 1000, why));
    }
    return Status::IoError(fmt::format("{}: {}", description_, why));
  };
  if (rc != SQLITE_OK) return fail(rc);
  for (size_t i = 0; i < params.size(); ++i) {
    rc = params[i] ? sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i]->data(),
                                       static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                   : sqlite3_bind_null(stmt, static_cast<int>(i + 1));
    if (rc != SQLITE_OK) return fail(rc);
  }
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!rows) continue;
    SqlRow row;
    int n = sqlite3_column_count(stmt);
    for (int c = 0; c < n; ++c) {
      if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
      } else {
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row.emplace_back(std::string(reinterpret_cast<const char*>(text),
                                     static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
      }
    }
    rows->push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return fail(rc);
  sqlite3_finalize(stmt);
  return Status::Ok();
}

Result<std::vector<SqlRow>> SqliteBackend::Query(std::string_view sql, const std::vector<SqlValue>& params) {
  std::vector<SqlRow> rows;
  BRAID_RETURN_IF_ERROR(Run(sql, params, &rows));
  return rows;
}

Result<int64_t> SqliteBackend::Execute(std::string_view sql, const std::vector<SqlValue>& params) {
  BRAID_RETURN_IF_ERROR(Run(sql, params, nullptr));
  return static_cast<int64_t>(sqlite3_changes(db_));
}

// IMMEDIATE: a deferred transaction that reads and then writes can fail with SQLITE_BUSY
// without waiting (lock upgrade deadlock); taking the write lock first waits instead.
Status SqliteBackend::Begin() { return Run("BEGIN IMMEDIATE", {}, nullptr); }
Status SqliteBackend::Commit() { return Run("COMMIT", {}, nullptr); }
void SqliteBackend::Rollback() {
  if (!sqlite3_get_autocommit(db_)) (void)Run("ROLLBACK", {}, nullptr);
}

}  // namespace braid
