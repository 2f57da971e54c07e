#include "catalog/postgres_backend.h"

#include <libpq-fe.h>

#include <fmt/format.h>

namespace braid {
namespace {

// "ERROR:  x\nDETAIL: y" → "x"; for a connection failure, the reason after "failed: " on the
// last attempt's line (libpq tries each address of a host name in turn).
std::string OneLine(std::string text) {
  size_t failed = text.rfind("failed: ");
  if (failed != std::string::npos) text = text.substr(failed + 8);
  text = text.substr(0, text.find('\n'));
  for (const char* prefix : {"FATAL:  ", "ERROR:  "}) {
    if (text.starts_with(prefix)) text = text.substr(std::char_traits<char>::length(prefix));
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

void IgnoreNotice(void*, const char*) {}  // "relation already exists, skipping" and the like

}  // namespace

Result<std::unique_ptr<PostgresBackend>> PostgresBackend::Connect(const SqlUri& uri) {
  std::vector<std::pair<std::string, std::string>> kv;
  if (!uri.host.empty()) kv.emplace_back("host", uri.host);
  if (!uri.port.empty()) kv.emplace_back("port", uri.port);
  if (!uri.database.empty()) kv.emplace_back("dbname", uri.database);
  if (!uri.user.empty()) kv.emplace_back("user", uri.user);
  if (!uri.password.empty()) kv.emplace_back("password", uri.password);
  if (!uri.options.count("connect_timeout")) kv.emplace_back("connect_timeout", "10");
  kv.emplace_back("fallback_application_name", "braid");
  for (const auto& [k, v] : uri.options) kv.emplace_back(k, v);
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  std::string description = uri.Describe();
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/0);
  if (conn == nullptr) return Status::Internal("libpq could not allocate a connection");
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  std::unique_ptr<PostgresBackend> backend(new PostgresBackend(conn, description, uri.password));
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string who = uri.user.empty() ? "" : fmt::format(" as user \"{}\"", uri.user);
    return Status::Unavailable(fmt::format(
        "cannot connect to the SQL catalog's {}{}: {}; check the uri (host, port, database) and "
        "the user and password (jdbc.user / jdbc.password)",
        description, who, backend->Clean(PQerrorMessage(conn))));
  }
  return backend;
}

PostgresBackend::~PostgresBackend() { PQfinish(conn_); }

std::string PostgresBackend::Clean(const char* message) const {
  std::string text = OneLine(message ? message : "");
  if (!password_.empty()) {
    for (size_t p = text.find(password_); p != std::string::npos; p = text.find(password_, p + 3)) {
      text.replace(p, password_.size(), "***");
    }
  }
  return text;
}

Status PostgresBackend::Run(std::string_view sql, const std::vector<SqlValue>& params,
                            std::vector<SqlRow>* rows, int64_t* changed) {
  if (PQstatus(conn_) != CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_INTRANS) {
    PQreset(conn_);  // the server went away between statements: one reconnect
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Status::Unavailable(fmt::format("lost the connection to the SQL catalog's {}: {}",
                                             description_, Clean(PQerrorMessage(conn_))));
    }
  }
  // `?` → `$n`: the catalog's statements hold no `?` inside literals.
  std::string text;
  int n = 0;
  for (char c : sql) {
    if (c == '?') text += fmt::format("${}", ++n);
    else text.push_back(c);
  }
  std::vector<const char*> values;
  for (const SqlValue& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  std::unique_ptr<PGresult, void (*)(PGresult*)> guard(res, PQclear);
  ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string why = Clean(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    std::string message = fmt::format("{}: {}", description_, why);
    if (state && std::string_view(state) == "23505") return Status::AlreadyExists(message);
    if (PQstatus(conn_) != CONNECTION_OK || (state && (std::string_view(state).starts_with("08") ||
                                                       std::string_view(state) == "40001" ||
                                                       std::string_view(state) == "40P01"))) {
      return Status::Unavailable(message);
    }
    return Status::IoError(message);
  }
  if (rows) {
    int nrows = PQntuples(res), ncols = PQnfields(res);
    for (int r = 0; r < nrows; ++r) {
      SqlRow row;
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c)) row.emplace_back(std::nullopt);
        else row.emplace_back(std::string(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c))));
      }
      rows->push_back(std::move(row));
    }
  }
  if (changed) {
    const char* tuples = PQcmdTuples(res);
    *changed = (tuples && *tuples) ? std::stoll(tuples) : 0;
  }
  return Status::Ok();
}

Result<std::vector<SqlRow>> PostgresBackend::Query(std::string_view sql, const std::vector<SqlValue>& params) {
  std::vector<SqlRow> rows;
  BRAID_RETURN_IF_ERROR(Run(sql, params, &rows, nullptr));
  return rows;
}

Result<int64_t> PostgresBackend::Execute(std::string_view sql, const std::vector<SqlValue>& params) {
  int64_t changed = 0;
  BRAID_RETURN_IF_ERROR(Run(sql, params, nullptr, &changed));
  return changed;
}

Status PostgresBackend::Begin() { return Run("BEGIN", {}, nullptr, nullptr); }
Status PostgresBackend::Commit() { return Run("COMMIT", {}, nullptr, nullptr); }
void PostgresBackend::Rollback() {
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)Run("ROLLBACK", {}, nullptr, nullptr);
}

}  // namespace braid
