#include "table/duckdb_connection.h"

#include <fmt/format.h>

namespace braid {

Status DuckDbError(duckdb_error_type type, std::string_view message) {
  // DuckDB adds a "LINE 1: ..." block with a caret under the error; braid's errors are one line.
  std::string m(message.substr(0, message.find('\n')));
  switch (type) {
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_HTTP:
    case DUCKDB_ERROR_OUT_OF_MEMORY: return Status::IoError(std::move(m));
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_FATAL: return Status::Internal(std::move(m));
    default: return Status::InvalidArgument(std::move(m));
  }
}

Result<std::unique_ptr<DuckDbConnection>> DuckDbConnection::Open(
    const std::map<std::string, std::string>& config) {
  duckdb_config cfg;
  if (duckdb_create_config(&cfg) == DuckDBError) return Status::Internal("duckdb_create_config failed");
  for (const auto& [key, value] : config) {
    if (duckdb_set_config(cfg, key.c_str(), value.c_str()) == DuckDBError) {
      duckdb_destroy_config(&cfg);
      return Status::InvalidArgument(fmt::format("DuckDB option {}={} is not valid", key, value));
    }
  }
  char* error = nullptr;
  duckdb_database database = nullptr;
  duckdb_state st = duckdb_open_ext(nullptr, &database, cfg, &error);
  duckdb_destroy_config(&cfg);
  if (st == DuckDBError) {
    Status s = Status::Internal(fmt::format("cannot open DuckDB: {}", error ? error : "unknown error"));
    if (error) duckdb_free(error);
    return s;
  }
  return ConnectTo(std::shared_ptr<_duckdb_database>(database, [](duckdb_database d) { duckdb_close(&d); }));
}

Result<std::unique_ptr<DuckDbConnection>> DuckDbConnection::Connect() { return ConnectTo(database_); }

Result<std::unique_ptr<DuckDbConnection>> DuckDbConnection::ConnectTo(
    std::shared_ptr<_duckdb_database> database) {
  std::unique_ptr<DuckDbConnection> c(new DuckDbConnection());
  c->database_ = std::move(database);
  if (duckdb_connect(c->database_.get(), &c->connection_) == DuckDBError) {
    return Status::Internal("cannot connect to DuckDB");
  }
  BRAID_RETURN_IF_ERROR(c->Execute("SET TimeZone='UTC'"));
  return c;
}

DuckDbConnection::~DuckDbConnection() {
  if (connection_) duckdb_disconnect(&connection_);
}

Status DuckDbConnection::Execute(const std::string& sql) {
  Result<DuckDbResult> r = Query(sql);
  return r.ok() ? Status::Ok() : r.status();
}

Result<DuckDbResult> DuckDbConnection::Query(const std::string& sql) {
  duckdb_result result;
  if (duckdb_query(connection_, sql.c_str(), &result) == DuckDBError) {
    Status st = DuckDbError(duckdb_result_error_type(&result), duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    return st;
  }
  return DuckDbResult(result);
}

std::optional<std::string_view> VarcharAt(duckdb_vector vector, size_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  if (validity && !duckdb_validity_row_is_valid(validity, row)) return std::nullopt;
  auto* s = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector)) + row;
  return std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s));
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace braid
