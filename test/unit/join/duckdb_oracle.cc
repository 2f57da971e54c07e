#include "join/duckdb_oracle.h"

#include <duckdb.h>

#include <fmt/format.h>

namespace braid {
namespace {

std::string Quote(std::string_view name) { return fmt::format("\"{}\"", name); }

const char* SqlType(FieldType t) {
  switch (t) {
    case FieldType::kString: return "VARCHAR";
    case FieldType::kBoolean: return "BOOLEAN";
    case FieldType::kDouble: return "DOUBLE";
    case FieldType::kLong:
    case FieldType::kTimestamp: return "BIGINT";  // timestamps as micros: exact arithmetic
  }
  return "VARCHAR";
}

std::vector<const StreamSpec*> Streams(const JoinSpec& spec) {
  std::vector<const StreamSpec*> out = {&spec.driving};
  for (const EnrichSpec& e : spec.enriching) out.push_back(&e.stream);
  return out;
}

}  // namespace

// Owns the database and the connection.
struct DuckDbOracle::Db {
 public:
  Db() {
    if (duckdb_open(nullptr, &db_) == DuckDBSuccess) duckdb_connect(db_, &con_);
  }
  ~Db() {
    if (con_) duckdb_disconnect(&con_);
    if (db_) duckdb_close(&db_);
  }
  bool ok() const { return con_ != nullptr; }
  duckdb_connection con() const { return con_; }
  Status Load(const std::string& table, const StreamSpec& s, const std::vector<Row>& rows);
  Status Exec(const std::string& sql) {
    duckdb_result res;
    Status s;
    if (duckdb_query(con_, sql.c_str(), &res) != DuckDBError) {
      s = Status::Ok();
    } else {
      s = Status::Internal(fmt::format("duckdb: {} in {}", duckdb_result_error(&res), sql));
    }
    duckdb_destroy_result(&res);
    return s;
  }

  duckdb_database db_ = nullptr;
  duckdb_connection con_ = nullptr;
};

Status DuckDbOracle::Db::Load(const std::string& table, const StreamSpec& s,
                              const std::vector<Row>& rows) {
  Db& db = *this;
  std::string ddl = fmt::format("CREATE OR REPLACE TABLE {} (", table);
  for (size_t i = 0; i < s.fields.size(); ++i) {
    ddl += fmt::format("{}{} {}", i ? ", " : "", Quote(s.fields[i].name), SqlType(s.fields[i].type));
  }
  BRAID_RETURN_IF_ERROR(db.Exec(ddl + ")"));
  duckdb_appender app;
  if (duckdb_appender_create(db.con(), nullptr, table.c_str(), &app) == DuckDBError) {
    return Status::Internal("duckdb: cannot create appender");
  }
  for (const Row& row : rows) {
    for (const Cell& c : row) {
      if (const std::string* v = std::get_if<std::string>(&c)) {
        duckdb_append_varchar_length(app, v->data(), v->size());
      } else if (const double* d = std::get_if<double>(&c)) {
        duckdb_append_double(app, *d);
      } else if (const int64_t* n = std::get_if<int64_t>(&c)) {
        duckdb_append_int64(app, *n);
      } else {
        duckdb_append_null(app);
      }
    }
    duckdb_appender_end_row(app);
  }
  const bool failed = duckdb_appender_close(app) == DuckDBError;
  std::string error = failed ? duckdb_appender_error(app) : "";
  duckdb_appender_destroy(&app);
  if (failed) return Status::Internal("duckdb appender: " + error);
  return Status::Ok();
}

DuckDbOracle::DuckDbOracle() : db_(std::make_unique<Db>()) {}
DuckDbOracle::~DuckDbOracle() = default;

std::string OracleSql(const JoinSpec& spec) {
  const std::vector<const StreamSpec*> streams = Streams(spec);
  auto alias = [&](const std::string& stream) {
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i]->name == stream) return i == 0 ? std::string("a") : fmt::format("e{}", i);
    }
    return std::string("?");
  };
  std::string sql = "SELECT ";
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    sql += fmt::format("{}{}.{}", c ? ", " : "", alias(spec.columns[c].stream),
                       Quote(spec.columns[c].field));
  }
  sql += "\nFROM s0 a";
  for (size_t i = 0; i < spec.enriching.size(); ++i) {
    const EnrichSpec& e = spec.enriching[i];
    const std::string ai = fmt::format("e{}", i + 1);
    sql += fmt::format("\n{}JOIN s{} {} ON ", e.kind == JoinKind::kLeft ? "LEFT " : "", i + 1, ai);
    for (size_t k = 0; k < e.stream.key_fields.size(); ++k) {
      sql += fmt::format("{}.{} = a.{} AND ", ai, Quote(e.stream.key_fields[k]),
                         Quote(spec.driving.key_fields[k]));
    }
    sql += fmt::format("{0}.{1} BETWEEN a.{2} - {3} AND a.{2} + {3}", ai,
                       Quote(e.stream.timestamp_field), Quote(spec.driving.timestamp_field),
                       e.window.micros());
  }
  return sql;
}

Result<std::vector<Row>> DuckDbOracle::Join(const JoinSpec& spec,
                                             const std::vector<std::vector<Row>>& accepted) {
  Db& db = *db_;
  if (!db.ok()) return Status::Internal("cannot open an in-memory DuckDB");
  const std::vector<const StreamSpec*> streams = Streams(spec);
  for (size_t i = 0; i < streams.size(); ++i) {
    BRAID_RETURN_IF_ERROR(db.Load(fmt::format("s{}", i), *streams[i], accepted[i]));
  }
  duckdb_result res;
  if (duckdb_query(db.con(), OracleSql(spec).c_str(), &res) == DuckDBError) {
    Status s = Status::Internal(fmt::format("duckdb: {}", duckdb_result_error(&res)));
    duckdb_destroy_result(&res);
    return s;
  }
  std::vector<Row> rows;
  const idx_t ncols = duckdb_column_count(&res);
  std::vector<duckdb_type> types(ncols);
  for (idx_t c = 0; c < ncols; ++c) types[c] = duckdb_column_type(&res, c);
  while (duckdb_data_chunk chunk = duckdb_fetch_chunk(res)) {
    const idx_t n = duckdb_data_chunk_get_size(chunk);
    const size_t base = rows.size();
    rows.resize(base + n, Row(ncols));
    for (idx_t c = 0; c < ncols; ++c) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
      void* data = duckdb_vector_get_data(vec);
      uint64_t* validity = duckdb_vector_get_validity(vec);
      for (idx_t i = 0; i < n; ++i) {
        if (validity && !duckdb_validity_row_is_valid(validity, i)) continue;
        Cell& cell = rows[base + i][c];
        if (types[c] == DUCKDB_TYPE_VARCHAR) {
          duckdb_string_t* s = static_cast<duckdb_string_t*>(data) + i;
          cell = std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s));
        } else if (types[c] == DUCKDB_TYPE_DOUBLE) {
          cell = static_cast<double*>(data)[i];
        } else {
          cell = static_cast<int64_t*>(data)[i];
        }
      }
    }
    duckdb_destroy_data_chunk(&chunk);
  }
  duckdb_destroy_result(&res);
  return rows;
}

}  // namespace braid
