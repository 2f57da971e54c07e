// iceberg_tool: drives braid's table code from test/integration/test_iceberg_interop.py, so
// that independent readers (pyiceberg, DuckDB's iceberg extension, fastavro) can check what
// braid writes, and braid can read what they write. Test-only; not the braid CLI.
//
//   iceberg_tool write <warehouse> <ns.table> <rows.jsonl> <schema> [--files N] [--summary k=v]...
//       Creates the table in a file catalog if missing (<schema>: "name:type,..." with types
//       string, double, long, int, timestamptz; field ids 1.. in order) and appends the rows
//       (JSON objects, one per line; timestamptz as microseconds or "YYYY-MM-DD HH:MM:SS[.f]+00"
//       / ISO with T and Z) as one snapshot of N data files. Prints the snapshot as JSON.
//   iceberg_tool commit-empty <warehouse> <ns.table> [--summary k=v]...
//       Appends a snapshot without data files.
//   iceberg_tool dump <metadata.json> [--snapshot ID]
//       Prints the rows of a table opened from its metadata file as a JSON array.
//   iceberg_tool sql <warehouse> <query>
//       Runs SQL over every table of the warehouse; prints a JSON array.

#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/file_catalog.h"
#include "sql/result_formatter.h"
#include "sql/sql_session.h"
#include "table/parquet_stats.h"
#include "table/static_table.h"
#include "table/table_appender.h"

namespace braid {
namespace {

int Fail(const Status& st) {
  std::cerr << "iceberg_tool: " << st.ToString() << "\n";
  return 1;
}

Result<RowSchema> ParseSchema(const std::string& spec) {
  static const std::map<std::string, ColumnType> kTypes = {
      {"string", ColumnType::kString}, {"double", ColumnType::kDouble}, {"long", ColumnType::kInt64},
      {"int", ColumnType::kInt32}, {"timestamptz", ColumnType::kTimestampTz}, {"boolean", ColumnType::kBoolean}};
  RowSchema schema;
  size_t start = 0;
  while (start < spec.size()) {
    size_t end = spec.find(',', start);
    std::string item = spec.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t colon = item.find(':');
    if (colon == std::string::npos || !kTypes.count(item.substr(colon + 1))) {
      return Status::InvalidArgument("bad column spec \"" + item + "\" (want name:type)");
    }
    schema.push_back({item.substr(0, colon), kTypes.at(item.substr(colon + 1)),
                      static_cast<int>(schema.size()) + 1});
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return schema;
}

Result<int64_t> ParseTimestamp(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  std::string s = v.get<std::string>();
  for (char& c : s) if (c == 'T') c = ' ';
  if (s.ends_with("Z")) s = s.substr(0, s.size() - 1) + "+00";
  if (std::optional<int64_t> micros = ParseDuckDbTimestampTz(s)) return *micros;
  return Status::InvalidArgument("bad timestamp " + v.dump());
}

Result<RowBatch> ReadRows(const std::string& path, const RowSchema& schema) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path);
  RowBatch batch(schema);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
    if (!row.is_object()) return Status::InvalidArgument("not a JSON object: " + line);
    for (const ColumnSpec& c : schema) {
      const nlohmann::json v = row.value(c.name, nlohmann::json());
      if (v.is_null()) {
        batch.AppendNull();
        continue;
      }
      switch (c.type) {
        case ColumnType::kString: batch.AppendString(v.get<std::string>()); break;
        case ColumnType::kDouble: batch.AppendDouble(v.get<double>()); break;
        case ColumnType::kInt64:
        case ColumnType::kInt32: batch.AppendInt(v.get<int64_t>()); break;
        case ColumnType::kBoolean: batch.AppendInt(v.get<bool>() ? 1 : 0); break;
        case ColumnType::kTimestampTz: {
          BRAID_ASSIGN_OR_RETURN(int64_t micros, ParseTimestamp(v));
          batch.AppendTimestamp(Timestamp(micros));
          break;
        }
      }
    }
    batch.EndRow();
  }
  return batch;
}

// Splits `batch` into `n` batches of about equal size (one data file each).
std::vector<RowBatch> Split(const RowBatch& batch, size_t n) {
  std::vector<RowBatch> out(n, RowBatch(batch.schema()));
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    RowBatch& dst = out[r * n / std::max<size_t>(batch.num_rows(), 1)];
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      const ColumnData& col = batch.column(c);
      if (!col.valid[r]) {
        dst.AppendNull();
        continue;
      }
      switch (batch.schema()[c].type) {
        case ColumnType::kString: dst.AppendString(col.string_at(r)); break;
        case ColumnType::kDouble: dst.AppendDouble(col.doubles[r]); break;
        default: dst.AppendInt(col.ints[r]); break;
      }
    }
    dst.EndRow();
  }
  return out;
}

Status Write(const std::vector<std::string>& args, bool empty) {
  size_t positional = empty ? 2 : 4;
  if (args.size() < positional) return Status::InvalidArgument("missing arguments (see the header of iceberg_tool.cc)");
  std::map<std::string, std::string> summary;
  size_t files = 1;
  for (size_t i = positional; i + 1 < args.size(); i += 2) {
    if (args[i] == "--files") {
      files = std::stoul(args[i + 1]);
    } else if (args[i] == "--summary") {
      size_t eq = args[i + 1].find('=');
      summary[args[i + 1].substr(0, eq)] = args[i + 1].substr(eq + 1);
    } else {
      return Status::InvalidArgument("unknown option " + args[i]);
    }
  }
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<FileCatalog> catalog, FileCatalog::Open(args[0]));
  BRAID_ASSIGN_OR_RETURN(TableIdentifier id, TableIdentifier::Parse(args[1]));
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<TableAppender> appender, TableAppender::Create());
  Result<AppendResult> result = Status::Internal("unset");
  if (empty) {
    BRAID_ASSIGN_OR_RETURN(std::unique_ptr<TableOperations> table, catalog->OpenTable(id));
    result = appender->Commit(*table, {}, CommitRequest{summary});
  } else {
    BRAID_ASSIGN_OR_RETURN(RowSchema schema, ParseSchema(args[3]));
    BRAID_RETURN_IF_ERROR(catalog->CreateTable(id, schema).status());
    BRAID_ASSIGN_OR_RETURN(RowBatch rows, ReadRows(args[2], schema));
    std::vector<RowBatch> parts = Split(rows, files);
    std::vector<const RowBatch*> batches;
    for (const RowBatch& p : parts) batches.push_back(&p);
    BRAID_ASSIGN_OR_RETURN(std::unique_ptr<TableOperations> table, catalog->OpenTable(id));
    result = appender->Append(*table, batches, CommitRequest{summary});
  }
  if (!result.ok()) return result.status();
  nlohmann::json out = {{"snapshot_id", result->snapshot_id.value()},
                        {"sequence_number", result->sequence_number},
                        {"metadata_location", result->metadata_location},
                        {"data_files", result->data_files.size()}};
  std::cout << out.dump() << "\n";
  return Status::Ok();
}

Status Dump(const std::vector<std::string>& args) {
  if (args.empty()) return Status::InvalidArgument("dump needs a metadata file");
  std::optional<SnapshotId> snapshot;
  if (args.size() >= 3 && args[1] == "--snapshot") snapshot = SnapshotId(std::stoll(args[2]));
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<StaticTable> table, StaticTable::Open(args[0]));
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<SqlSession> session, SqlSession::OpenEmpty());
  TableIdentifier id{"t", "t"};
  BRAID_RETURN_IF_ERROR(session->RegisterTable(id, table->io(), table->state(), snapshot));
  BRAID_ASSIGN_OR_RETURN(QueryResult rows, session->Query("SELECT * FROM t.t"));
  std::cout << ResultFormatter::Json(rows);
  return Status::Ok();
}

Status Sql(const std::vector<std::string>& args) {
  if (args.size() < 2) return Status::InvalidArgument("sql needs a warehouse and a query");
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<FileCatalog> catalog, FileCatalog::Open(args[0]));
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<SqlSession> session, SqlSession::Open(*catalog));
  BRAID_ASSIGN_OR_RETURN(QueryResult rows, session->Query(args[1]));
  std::cout << ResultFormatter::Json(rows);
  return Status::Ok();
}

}  // namespace
}  // namespace braid

int main(int argc, char** argv) {
  using namespace braid;
  if (argc < 2) return Fail(Status::InvalidArgument("usage: iceberg_tool write|commit-empty|dump|sql ..."));
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  Status st = command == "write"          ? Write(args, false)
              : command == "commit-empty" ? Write(args, true)
              : command == "dump"         ? Dump(args)
              : command == "sql"          ? Sql(args)
                                          : Status::InvalidArgument("unknown command " + command);
  return st.ok() ? 0 : Fail(st);
}
