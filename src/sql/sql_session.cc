#include "sql/sql_session.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "storage/location.h"
#include "storage/s3_file_system.h"
#include "storage/s3_uri.h"
#include "table/iceberg_schema.h"
#include "table/table_scan.h"

namespace braid {
namespace {

std::string TypeName(duckdb_logical_type type) {
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL:
      return fmt::format("DECIMAL({},{})", duckdb_decimal_width(type), duckdb_decimal_scale(type));
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_LIST: return "LIST";
    case DUCKDB_TYPE_STRUCT: return "STRUCT";
    case DUCKDB_TYPE_MAP: return "MAP";
    default: return fmt::format("TYPE{}", static_cast<int>(id));
  }
}

ValueKind KindOf(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN: return ValueKind::kBoolean;
    case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER: case DUCKDB_TYPE_UBIGINT: case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT: case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL: return ValueKind::kNumber;
    default: return ValueKind::kText;
  }
}

// Owns a prepared statement.
struct Prepared {
  duckdb_prepared_statement stmt = nullptr;
  ~Prepared() {
    if (stmt) duckdb_destroy_prepare(&stmt);
  }
};

// Renders a value of a simple type; for results of statements that cannot be wrapped in the
// cast-to-text query (EXPLAIN, PRAGMA, ...), which return only such types.
Result<std::optional<std::string>> NativeText(duckdb_vector v, duckdb_type type, size_t row,
                                              const std::string& column) {
  uint64_t* validity = duckdb_vector_get_validity(v);
  if (validity && !duckdb_validity_row_is_valid(validity, row)) return std::optional<std::string>();
  void* d = duckdb_vector_get_data(v);
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN: return std::optional<std::string>(static_cast<bool*>(d)[row] ? "true" : "false");
    case DUCKDB_TYPE_TINYINT: return std::optional(fmt::format("{}", static_cast<int8_t*>(d)[row]));
    case DUCKDB_TYPE_SMALLINT: return std::optional(fmt::format("{}", static_cast<int16_t*>(d)[row]));
    case DUCKDB_TYPE_INTEGER: return std::optional(fmt::format("{}", static_cast<int32_t*>(d)[row]));
    case DUCKDB_TYPE_BIGINT: return std::optional(fmt::format("{}", static_cast<int64_t*>(d)[row]));
    case DUCKDB_TYPE_UTINYINT: return std::optional(fmt::format("{}", static_cast<uint8_t*>(d)[row]));
    case DUCKDB_TYPE_USMALLINT: return std::optional(fmt::format("{}", static_cast<uint16_t*>(d)[row]));
    case DUCKDB_TYPE_UINTEGER: return std::optional(fmt::format("{}", static_cast<uint32_t*>(d)[row]));
    case DUCKDB_TYPE_UBIGINT: return std::optional(fmt::format("{}", static_cast<uint64_t*>(d)[row]));
    case DUCKDB_TYPE_FLOAT: return std::optional(fmt::format("{}", static_cast<float*>(d)[row]));
    case DUCKDB_TYPE_DOUBLE: return std::optional(fmt::format("{}", static_cast<double*>(d)[row]));
    case DUCKDB_TYPE_VARCHAR: {
      std::optional<std::string_view> s = VarcharAt(v, row);
      return std::optional(std::string(s.value_or("")));
    }
    default:
      return Status::InvalidArgument(fmt::format(
          "column {} of this statement cannot be shown; cast it to VARCHAR", column));
  }
}

std::string StripTrailing(const std::string& sql) {
  size_t end = sql.size();
  while (end > 0 && (std::isspace(static_cast<unsigned char>(sql[end - 1])) || sql[end - 1] == ';')) --end;
  return sql.substr(0, end);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every table a parsed statement names (FROM, JOIN, subqueries, CTEs, set operations), as
// lower-case "schema.table" ("table" alone when unqualified), from json_serialize_sql's tree.
void CollectTableRefs(const nlohmann::json& node, std::set<std::string>* out) {
  if (node.is_object()) {
    auto type = node.find("type");
    if (type != node.end() && *type == "BASE_TABLE" && node.contains("table_name")) {
      std::string schema = node.value("schema_name", "");
      std::string name = node.value("table_name", "");
      out->insert(Lower(schema.empty() ? name : schema + "." + name));
    }
    for (const auto& [key, child] : node.items()) CollectTableRefs(child, out);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectTableRefs(child, out);
  }
}

}  // namespace

Result<std::unique_ptr<SqlSession>> SqlSession::OpenEmpty(int threads) {
  std::map<std::string, std::string> config;
  if (threads > 0) config["threads"] = std::to_string(threads);
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<DuckDbConnection> db, DuckDbConnection::Open(config));
  return std::unique_ptr<SqlSession>(new SqlSession(std::move(db)));
}

Result<std::unique_ptr<SqlSession>> SqlSession::Open(Catalog& catalog, SqlSessionOptions options) {
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<SqlSession> session, OpenEmpty(options.threads));
  session->set_remote_read(options.remote_read);
  bool snapshot_found = false;
  BRAID_ASSIGN_OR_RETURN(std::vector<std::string> namespaces, catalog.ListNamespaces());
  for (const std::string& ns : namespaces) {
    BRAID_ASSIGN_OR_RETURN(std::vector<TableIdentifier> tables, catalog.ListTables(ns));
    for (const TableIdentifier& id : tables) {
      BRAID_ASSIGN_OR_RETURN(TableState state, catalog.LoadTable(id));
      BRAID_ASSIGN_OR_RETURN(std::shared_ptr<FileSystem> fs, catalog.FileSystemFor(state.metadata.location));
      std::optional<SnapshotId> at;
      if (options.snapshot && state.metadata.SnapshotById(*options.snapshot)) {
        at = options.snapshot;
        snapshot_found = true;
      }
      Status st = session->RegisterTable(id, *fs, state, at);
      // One unreadable table must not take the others away: its view fails when queried.
      if (!st.ok()) BRAID_RETURN_IF_ERROR(session->RegisterBroken(id, st));
    }
  }
  if (options.snapshot && !snapshot_found) {
    return Status::NotFound(fmt::format("no table of catalog {} has snapshot {}", catalog.name(),
                                        options.snapshot->value()));
  }
  return session;
}

Status SqlSession::RegisterTable(const TableIdentifier& id, FileSystem& fs, const TableState& state,
                                 std::optional<SnapshotId> snapshot) {
  const TableMetadata& m = state.metadata;
  BRAID_ASSIGN_OR_RETURN(const Snapshot* snap, TableScan::ResolveSnapshot(m, snapshot));
  // Time travel reads with the schema the snapshot was written with, as Spark does.
  const IcebergSchema* schema = snapshot && snap && snap->schema_id ? m.SchemaById(*snap->schema_id) : nullptr;
  if (schema == nullptr) schema = m.CurrentSchema();
  if (schema == nullptr) return Status::Corruption(fmt::format("table {} has no current schema", id.ToString()));
  BRAID_ASSIGN_OR_RETURN(std::vector<DataFile> files,
                         TableScan::LiveDataFiles(fs, m, snap ? std::optional(snap->id) : std::nullopt));

  std::string select, mapping;
  for (const SchemaField& f : schema->fields) {
    Result<std::string> type = DuckDbTypeFor(f.type);
    if (!type.ok()) return type.status().WithContext(fmt::format("column {}", f.name));
    if (files.empty()) {
      select += fmt::format("{}CAST(NULL AS {}) AS {}", select.empty() ? "" : ", ", *type, QuoteIdentifier(f.name));
    } else {
      select += fmt::format("{}{}", select.empty() ? "" : ", ", QuoteIdentifier(f.name));
      mapping += fmt::format("{}{}: {{name: {}, type: {}, default_value: NULL}}", mapping.empty() ? "" : ", ",
                             f.id, QuoteLiteral(f.name), QuoteLiteral(*type));
    }
  }
  std::string body;
  if (files.empty()) {
    body = fmt::format("SELECT {} LIMIT 0", select);
  } else {
    std::string paths;
    for (const DataFile& f : files) {
      if (f.file_format != "PARQUET" && f.file_format != "parquet") {
        return Status::InvalidArgument(fmt::format("data file {} is {}: braid reads Parquet only",
                                                   f.file_path, f.file_format));
      }
      if (!S3Uri::HasS3Scheme(f.file_path)) {
        // A file replaced behind the table's back would give rows the table never had. (On
        // S3 this costs a request per file; there the Parquet reader's own checks stand.)
        Result<uint64_t> size = fs.FileSize(f.file_path);
        if (!size.ok()) return size.status().WithContext("a data file is missing or unreadable");
        if (*size != static_cast<uint64_t>(f.file_size_in_bytes)) {
          return Status::Corruption(fmt::format(
              "data file {} has {} bytes but table {} recorded {}: it was changed outside the "
              "table, so braid will not read it",
              f.file_path, *size, id.ToString(), f.file_size_in_bytes));
        }
      }
      BRAID_ASSIGN_OR_RETURN(std::string path, ReadablePath(fs, f.file_path));
      file_tables_.insert_or_assign(path, id);
      paths += fmt::format("{}{}", paths.empty() ? "" : ", ", QuoteLiteral(path));
    }
    body = fmt::format("SELECT {} FROM read_parquet([{}], schema=MAP {{{}}})", select, paths, mapping);
  }
  std::string ns = QuoteIdentifier(id.ns);
  BRAID_RETURN_IF_ERROR(db_->Execute(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", ns)));
  Status st = db_->Execute(
      fmt::format("CREATE OR REPLACE VIEW {}.{} AS {}", ns, QuoteIdentifier(id.name), body));
  if (!st.ok()) return st.WithContext(fmt::format("registering table {}", id.ToString()));
  if (std::find(tables_.begin(), tables_.end(), id) == tables_.end()) tables_.push_back(id);
  broken_.erase(Lower(id.ns + "." + id.name));
  return Status::Ok();
}

SqlSession::~SqlSession() {
  if (!download_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(download_dir_, ec);
  }
}

Result<std::string> SqlSession::ReadablePath(FileSystem& fs, const std::string& location) {
  if (!S3Uri::HasS3Scheme(location)) return LocalPath(location);
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  auto* s3 = dynamic_cast<S3FileSystem*>(&fs);
  bool direct = remote_read_ == RemoteRead::kDirect ||
                (remote_read_ == RemoteRead::kAuto && DuckDbS3Access::Available());
  if (direct) {
    if (s3 == nullptr) {
      return Status::InvalidArgument(fmt::format("data file {} is on S3 but its table's file system is not", location));
    }
    if (!s3_) s3_ = std::make_unique<DuckDbS3Access>(*db_);
    BRAID_RETURN_IF_ERROR(s3_->Configure(uri.bucket, s3->client().options()));
    // DuckDB's httpfs knows s3:// for every S3 store; s3a/s3n are Hadoop's aliases of it.
    return fmt::format("s3://{}/{}", uri.bucket, uri.key);
  }
  if (download_dir_.empty()) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec) /
                                fmt::format("braid-sql-{}-{}", ::getpid(), reinterpret_cast<uintptr_t>(this));
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError(fmt::format("cannot create {} to download {}: {}", dir.string(), location, ec.message()));
    download_dir_ = dir.string();
  }
  BRAID_ASSIGN_OR_RETURN(std::string data, fs.ReadFile(location));
  std::string path = fmt::format("{}/{}-{}", download_dir_, std::hash<std::string>{}(location), BaseName(uri.key));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out.good()) return Status::IoError(fmt::format("writing the downloaded copy of {} to {} failed", location, path));
  return path;
}

Status SqlSession::RegisterBroken(const TableIdentifier& id, const Status& why) {
  std::string ns = QuoteIdentifier(id.ns);
  BRAID_RETURN_IF_ERROR(db_->Execute(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", ns)));
  std::string message = fmt::format("table {} cannot be read: {}", id.ToString(), why.message());
  broken_.insert_or_assign(Lower(id.ns + "." + id.name),
                           why.WithContext(fmt::format("table {} cannot be read", id.ToString())));
  // The filter makes every read of the view fail (count(*) included), never return a row.
  return db_->Execute(fmt::format(
      "CREATE OR REPLACE VIEW {}.{} AS SELECT NULL::VARCHAR AS error FROM range(1) WHERE "
      "error({}) IS NULL",
      ns, QuoteIdentifier(id.name), QuoteLiteral(message)));
}

// Read-only: a query may read the tables, and nothing is written, attached, installed or set.
// Checked on the parse tree before DuckDB binds anything (binding EXPORT already creates its
// directory): json_serialize_sql parses without binding and accepts SELECT statements only.
Status SqlSession::CheckReadOnly(const std::string& text) {
  std::string_view body = text;
  for (std::string_view word : {"EXPLAIN", "ANALYZE"}) {
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
    if (body.size() > word.size() && std::isspace(static_cast<unsigned char>(body[word.size()])) &&
        std::equal(word.begin(), word.end(), body.begin(),
                   [](char a, char b) { return a == std::toupper(static_cast<unsigned char>(b)); })) {
      body.remove_prefix(word.size());
    }
  }
  BRAID_ASSIGN_OR_RETURN(DuckDbResult r, db_->Query(fmt::format(
                                             "SELECT json_serialize_sql({})", QuoteLiteral(std::string(body)))));
  DuckDbChunk chunk{duckdb_fetch_chunk(*r.get())};
  std::optional<std::string_view> json = chunk ? VarcharAt(chunk.column(0), 0) : std::nullopt;
  nlohmann::json tree = nlohmann::json::parse(json.value_or("{}"), nullptr, false);
  if (tree.is_object() && !tree.value("error", true)) return CheckReadable(tree);
  const std::string message = tree.is_object() ? tree.value("error_message", "") : "";
  if (message.find("Only SELECT") == std::string::npos) return Status::Ok();  // DuckDB explains a syntax error better
  std::string word(body.substr(0, body.find_first_of(" \t\n(;")));
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Status::InvalidArgument(fmt::format(
      "braid sql is read-only: {} statements are refused; ask with SELECT (or EXPLAIN)", word));
}

// A table braid cannot read right (delete files, a missing or changed data file) is refused
// by name before DuckDB sees the statement, so no form of query over it answers: count(*),
// EXPLAIN, EXISTS, a subquery or a CTE. (Its view also fails when read, as a second guard.)
Status SqlSession::CheckReadable(const nlohmann::json& tree) const {
  if (broken_.empty()) return Status::Ok();
  std::set<std::string> refs;
  CollectTableRefs(tree, &refs);
  for (const auto& [qualified, why] : broken_) {
    const std::string name = qualified.substr(qualified.find('.') + 1);
    if (refs.contains(qualified) || refs.contains(name)) return why;
  }
  return Status::Ok();
}

// A data file damaged in place (same size, not Parquet any more) only shows when DuckDB reads
// it; its error names the file, and this names the table too.
Status SqlSession::NameDamagedTable(const Status& st) const {
  for (const auto& [path, id] : file_tables_) {
    if (st.message().find(path) != std::string::npos) {
      return st.WithContext(fmt::format("table {} cannot be read: a data file is damaged", id.ToString()));
    }
  }
  return st;
}

Result<QueryResult> SqlSession::Query(const std::string& sql) {
  std::string text = StripTrailing(sql);
  BRAID_RETURN_IF_ERROR(CheckReadOnly(text));
  Prepared original;
  if (duckdb_prepare(db_->handle(), text.c_str(), &original.stmt) == DuckDBError) {
    return DuckDbError(DUCKDB_ERROR_PARSER, duckdb_prepare_error(original.stmt));
  }
  // Only SELECT and EXPLAIN get here (CheckReadOnly); the prepared type confirms it.
  const duckdb_statement_type type = duckdb_prepared_statement_type(original.stmt);
  if (type != DUCKDB_STATEMENT_TYPE_SELECT && type != DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    return Status::InvalidArgument("braid sql is read-only: ask with SELECT (or EXPLAIN)");
  }
  return QueryAsText(text, original.stmt);
}

Result<QueryResult> SqlSession::QueryAsText(const std::string& sql, duckdb_prepared_statement original) {
  QueryResult out;
  std::vector<duckdb_type> types;
  for (size_t i = 0; i < duckdb_prepared_statement_column_count(original); ++i) {
    const char* name = duckdb_prepared_statement_column_name(original, i);
    duckdb_logical_type type = duckdb_prepared_statement_column_logical_type(original, i);
    types.push_back(duckdb_get_type_id(type));
    out.columns.push_back({name ? name : "", TypeName(type), KindOf(types.back())});
    duckdb_destroy_logical_type(&type);
    duckdb_free(const_cast<char*>(name));
  }

  // DuckDB renders every value itself (timestamps, decimals, lists, structs) when the query
  // is wrapped in a cast to VARCHAR; statements that cannot be a subquery run as they are.
  Prepared wrapped;
  bool as_text = !out.columns.empty() &&
                 duckdb_prepare(db_->handle(), fmt::format("SELECT COLUMNS(*)::VARCHAR FROM (\n{}\n)", sql).c_str(),
                                &wrapped.stmt) == DuckDBSuccess &&
                 duckdb_prepared_statement_column_count(wrapped.stmt) == out.columns.size();
  duckdb_result raw;
  if (duckdb_execute_prepared(as_text ? wrapped.stmt : original, &raw) == DuckDBError) {
    Status st = DuckDbError(duckdb_result_error_type(&raw), duckdb_result_error(&raw));
    duckdb_destroy_result(&raw);
    return NameDamagedTable(st);
  }
  DuckDbResult result(raw);
  while (DuckDbChunk chunk{duckdb_fetch_chunk(*result.get())}) {
    for (size_t r = 0; r < chunk.size(); ++r) {
      std::vector<std::optional<std::string>> row;
      row.reserve(out.columns.size());
      for (size_t c = 0; c < out.columns.size(); ++c) {
        if (as_text) {
          std::optional<std::string_view> v = VarcharAt(chunk.column(c), r);
          row.push_back(v ? std::optional<std::string>(*v) : std::nullopt);
        } else {
          BRAID_ASSIGN_OR_RETURN(std::optional<std::string> v,
                                 NativeText(chunk.column(c), types[c], r, out.columns[c].name));
          row.push_back(std::move(v));
        }
      }
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace braid
