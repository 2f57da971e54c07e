#include "table/data_file_writer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "table/iceberg_schema.h"
#include "table/parquet_file_writer.h"
#include "table/parquet_stats.h"

namespace braid {
namespace {

constexpr char kScanName[] = "braid_rows";

const char* DuckDbTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kString: return "VARCHAR";
    case ColumnType::kDouble: return "DOUBLE";
    case ColumnType::kInt64: return "BIGINT";
    case ColumnType::kInt32: return "INTEGER";
    case ColumnType::kTimestampTz: return "TIMESTAMPTZ";
    case ColumnType::kBoolean: return "BOOLEAN";
  }
  return "VARCHAR";
}

duckdb_logical_type DuckDbType(ColumnType type) {
  switch (type) {
    case ColumnType::kString: return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    case ColumnType::kDouble: return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case ColumnType::kInt64: return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case ColumnType::kInt32: return duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    case ColumnType::kTimestampTz: return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ);
    case ColumnType::kBoolean: return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
  }
  return duckdb_create_logical_type(DUCKDB_TYPE_INVALID);
}

// Scan state shared by DuckDB's worker threads: each takes the next vector-sized slice.
struct ScanState {
  const RowBatch* batch;
  std::atomic<size_t> next{0};
};

void FillColumn(const ColumnSpec& spec, const ColumnData& col, size_t start, size_t n,
                duckdb_vector v) {
  if (std::find(col.valid.begin() + start, col.valid.begin() + start + n, 0) !=
      col.valid.begin() + start + n) {
    duckdb_vector_ensure_validity_writable(v);
    uint64_t* validity = duckdb_vector_get_validity(v);
    for (size_t i = 0; i < n; ++i) {
      if (!col.valid[start + i]) duckdb_validity_set_row_invalid(validity, i);
    }
  }
  void* data = duckdb_vector_get_data(v);
  switch (spec.type) {
    case ColumnType::kString: {
      // duckdb.h fixes a VARCHAR's layout: up to 12 bytes are held inline (zero-padded, as
      // DuckDB compares the padding too); a longer one is its length, its first 4 bytes and a
      // pointer to the bytes. Both are written here in place, a longer one pointing into the
      // batch, which outlives the COPY that reads it (the Parquet writer copies what it keeps).
      // DuckDB's call that copies a value into the vector's own heap was 150 instructions a
      // value, and the seed's session ids are longer than 12 bytes.
      auto* out = static_cast<duckdb_string_t*>(data);
      constexpr size_t kInline = sizeof(out->value.inlined.inlined);
      for (size_t i = 0; i < n; ++i) {
        const std::string_view s = col.string_at(start + i);
        duckdb_string_t& d = out[i];
        if (s.size() <= kInline) {
          d.value.inlined.length = static_cast<uint32_t>(s.size());
          std::memset(d.value.inlined.inlined, 0, kInline);
          if (!s.empty()) std::memcpy(d.value.inlined.inlined, s.data(), s.size());
        } else {
          d.value.pointer.length = static_cast<uint32_t>(s.size());
          std::memcpy(d.value.pointer.prefix, s.data(), sizeof(d.value.pointer.prefix));
          d.value.pointer.ptr = const_cast<char*>(s.data());
        }
      }
      break;
    }
    case ColumnType::kDouble: std::memcpy(data, col.doubles.data() + start, n * sizeof(double)); break;
    case ColumnType::kInt32: {
      auto* out = static_cast<int32_t*>(data);
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(col.ints[start + i]);
      break;
    }
    case ColumnType::kBoolean: {  // DuckDB's booleans are one byte each
      auto* out = static_cast<bool*>(data);
      for (size_t i = 0; i < n; ++i) out[i] = col.ints[start + i] != 0;
      break;
    }
    case ColumnType::kInt64:
    case ColumnType::kTimestampTz:  // both int64: timestamptz is microseconds since the epoch
      std::memcpy(data, col.ints.data() + start, n * sizeof(int64_t));
      break;
  }
}

void ScanBind(duckdb_bind_info info) {
  const RowBatch* batch = *static_cast<const RowBatch**>(duckdb_bind_get_extra_info(info));
  if (batch == nullptr) {
    duckdb_bind_set_error(info, "braid's row scan is only readable while a data file is written");
    return;
  }
  for (const ColumnSpec& c : batch->schema()) {
    duckdb_logical_type t = DuckDbType(c.type);
    duckdb_bind_add_result_column(info, c.name.c_str(), t);
    duckdb_destroy_logical_type(&t);
  }
  duckdb_bind_set_cardinality(info, batch->num_rows(), true);
}

void ScanInit(duckdb_init_info info) {
  auto* state = new ScanState{*static_cast<const RowBatch**>(duckdb_init_get_extra_info(info))};
  duckdb_init_set_init_data(info, state, [](void* p) { delete static_cast<ScanState*>(p); });
  size_t slices = state->batch->num_rows() / duckdb_vector_size() + 1;
  duckdb_init_set_max_threads(info, std::min<size_t>(slices, 64));
}

void ScanFunction(duckdb_function_info info, duckdb_data_chunk output) {
  auto* state = static_cast<ScanState*>(duckdb_function_get_init_data(info));
  const RowBatch& batch = *state->batch;
  size_t start = state->next.fetch_add(duckdb_vector_size());
  if (start >= batch.num_rows()) {
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  size_t n = std::min<size_t>(duckdb_vector_size(), batch.num_rows() - start);
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    FillColumn(batch.schema()[c], batch.column(c), start, n, duckdb_data_chunk_get_vector(output, c));
  }
  duckdb_data_chunk_set_size(output, n);
}

int FindColumn(DuckDbResult& r, std::string_view name) {
  for (size_t i = 0; i < r.column_count(); ++i) {
    if (r.column_name(i) == name) return static_cast<int>(i);
  }
  return -1;
}

// MAP(VARCHAR, VARCHAR) value at `row` of `map` → std::map.
std::map<std::string, std::string> StringMapAt(duckdb_vector map, size_t row) {
  std::map<std::string, std::string> out;
  auto* entry = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(map)) + row;
  duckdb_vector kv = duckdb_list_vector_get_child(map);
  duckdb_vector keys = duckdb_struct_vector_get_child(kv, 0);
  duckdb_vector values = duckdb_struct_vector_get_child(kv, 1);
  for (size_t i = entry->offset; i < entry->offset + entry->length; ++i) {
    std::optional<std::string_view> k = VarcharAt(keys, i);
    std::optional<std::string_view> v = VarcharAt(values, i);
    if (k && v) out.emplace(*k, *v);
  }
  return out;
}

std::optional<int64_t> ToInt(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return std::strtoll(it->second.c_str(), nullptr, 10);
}

// Whether BRAID_PARQUET_WRITER asks for DuckDB's writer for every codec; InvalidArgument for a
// value braid does not know.
Result<bool> DuckDbWriterForced() {
  const char* env = std::getenv("BRAID_PARQUET_WRITER");
  const std::string_view choice = env != nullptr ? env : "";
  if (!choice.empty() && choice != "braid" && choice != "duckdb") {
    return Status::InvalidArgument(fmt::format(
        "BRAID_PARQUET_WRITER is \"{}\": use braid (braid's own writer for zstd and uncompressed "
        "files, DuckDB's for other codecs) or duckdb (DuckDB's for all)", choice));
  }
  return choice == "duckdb";
}

// A Parquet data file's entry at `location`, before its column metrics: both writers' files
// start from it.
DataFile NewDataFile(const std::string& location, int64_t record_count, int64_t size) {
  DataFile file;
  file.file_path = location;
  file.file_format = "PARQUET";
  file.record_count = record_count;
  file.file_size_in_bytes = size;
  return file;
}

}  // namespace

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::Create(DataFileWriterOptions options) {
  BRAID_ASSIGN_OR_RETURN(const bool duckdb_only, DuckDbWriterForced());
  options.duckdb_only = duckdb_only;
  auto database = std::make_shared<Database>();
  if (options.threads > 0) database->config["threads"] = std::to_string(options.threads);
  return std::unique_ptr<DataFileWriter>(new DataFileWriter(std::move(database), options, kScanName));
}

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::Sibling() {
  static std::atomic<int> siblings{0};
  return std::unique_ptr<DataFileWriter>(
      new DataFileWriter(database_, options_, fmt::format("{}_{}", kScanName, ++siblings)));
}

bool DataFileWriter::DuckDbOpened() const {
  std::lock_guard lock(database_->mu);
  return database_->first != nullptr;
}

Result<DuckDbConnection*> DataFileWriter::Db() {
  if (db_) return db_.get();
  std::unique_ptr<DuckDbConnection> db;
  {
    std::lock_guard lock(database_->mu);
    if (!database_->first) {
      BRAID_ASSIGN_OR_RETURN(database_->first, DuckDbConnection::Open(database_->config));
      // Row order inside a data file means nothing to Iceberg; dropping it lets DuckDB write
      // row groups from several threads.
      BRAID_RETURN_IF_ERROR(database_->first->Execute("SET preserve_insertion_order=false"));
    }
    BRAID_ASSIGN_OR_RETURN(db, database_->first->Connect());
  }
  db_ = std::move(db);
  if (Status registered = RegisterScan(); !registered.ok()) {
    db_.reset();
    return registered;
  }
  return db_.get();
}

DataFileWriter::~DataFileWriter() = default;

Status DataFileWriter::SetThreads(int threads) {
  if (threads == options_.threads) return Status::Ok();
  {
    std::lock_guard lock(database_->mu);
    if (!database_->first) {  // applied when the database is opened
      if (threads > 0) {
        database_->config["threads"] = std::to_string(threads);
      } else {
        database_->config.erase("threads");
      }
      options_.threads = threads;
      return Status::Ok();
    }
  }
  BRAID_ASSIGN_OR_RETURN(DuckDbConnection * db, Db());
  BRAID_RETURN_IF_ERROR(db->Execute(threads > 0 ? fmt::format("SET threads = {}", threads) : "RESET threads"));
  options_.threads = threads;
  return Status::Ok();
}

Status DataFileWriter::RegisterScan() {
  duckdb_table_function f = duckdb_create_table_function();
  duckdb_table_function_set_name(f, scan_name_.c_str());
  duckdb_table_function_set_extra_info(f, &current_, nullptr);
  duckdb_table_function_set_bind(f, ScanBind);
  duckdb_table_function_set_init(f, ScanInit);
  duckdb_table_function_set_function(f, ScanFunction);
  duckdb_state st = duckdb_register_table_function(db_->handle(), f);
  duckdb_destroy_table_function(&f);
  if (st == DuckDBError) {
    return Status::Internal(fmt::format("cannot register the {} scan with DuckDB", scan_name_));
  }
  return Status::Ok();
}

std::string DataFileWriter::CopyOptions(const RowSchema& schema, const ParquetCompression& compression) const {
  std::string field_ids;
  for (const ColumnSpec& c : schema) {
    field_ids += fmt::format("{}{}: {}", field_ids.empty() ? "" : ", ", QuoteIdentifier(c.name), c.field_id);
  }
  return fmt::format("FORMAT parquet, {}, DICTIONARY_SIZE_LIMIT {}, FIELD_IDS {{{}}}{}, RETURN_STATS",
                     compression.CopyOptions(), kDictionaryValues, field_ids,
                     options_.row_group_size ? fmt::format(", ROW_GROUP_SIZE {}", options_.row_group_size) : "");
}

Result<DataFile> DataFileWriter::Write(const RowBatch& batch, const std::string& local_path,
                                       const std::string& location, const ParquetCompression& compression) {
  if (batch.empty()) return Status::InvalidArgument(fmt::format("{}: no rows to write", location));
  if (!options_.duckdb_only && WritesParquetDirectly(compression)) {
    return WriteDirectly(batch, local_path, location, compression);
  }
  BRAID_ASSIGN_OR_RETURN(DuckDbConnection * db, Db());
  const std::string sql = fmt::format("COPY (FROM {}()) TO {} ({})", scan_name_, QuoteLiteral(local_path),
                                      CopyOptions(batch.schema(), compression));
  current_ = &batch;
  Result<DuckDbResult> result = db->Query(sql);
  current_ = nullptr;
  if (!result.ok()) return result.status().WithContext(fmt::format("writing data file {}", location));
  auto nan_count = [&batch](size_t c) {
    const ColumnData& col = batch.column(c);
    int64_t n = 0;
    for (size_t r = 0; r < batch.num_rows(); ++r) n += col.valid[r] && std::isnan(col.doubles[r]);
    return n;
  };
  BRAID_ASSIGN_OR_RETURN(DataFile file, ReadReturnedStats(*result, batch.schema(),
                                                          static_cast<int64_t>(batch.num_rows()),
                                                          nan_count, location));
  BRAID_RETURN_IF_ERROR(ReadSplitOffsets(local_path, &file));
  return file;
}

Result<DataFile> DataFileWriter::WriteDirectly(const RowBatch& batch, const std::string& local_path,
                                              const std::string& location,
                                              const ParquetCompression& compression) {
  Result<ParquetFileFacts> facts =
      WriteParquetFile(batch, local_path, compression,
                       options_.row_group_size ? options_.row_group_size : kRowGroupRows, kDictionaryValues);
  if (!facts.ok()) return facts.status().WithContext(fmt::format("writing data file {}", location));
  DataFile file = NewDataFile(location, static_cast<int64_t>(batch.num_rows()), facts->file_size);
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    AddColumnMetrics(batch.schema()[c], facts->columns[c], facts->nan_counts[c], &file);
  }
  file.split_offsets = std::move(facts->row_group_offsets);
  return file;
}

Result<DataFile> DataFileWriter::Rewrite(const RowSchema& schema, const std::vector<DataFile>& inputs,
                                         const std::vector<std::string>& local_inputs,
                                         const std::string& local_path, const std::string& location,
                                         const ParquetCompression& compression) {
  if (inputs.empty() || inputs.size() != local_inputs.size()) {
    return Status::InvalidArgument(fmt::format("{}: no files to rewrite", location));
  }
  BRAID_ASSIGN_OR_RETURN(DuckDbConnection * db, Db());
  std::string files;
  for (const std::string& f : local_inputs) files += (files.empty() ? "" : ", ") + QuoteLiteral(f);
  // Every input must carry every column under its field id and name: a file another writer
  // wrote before a rename would otherwise be read by the wrong column.
  BRAID_ASSIGN_OR_RETURN(
      DuckDbResult ids,
      db->Query(fmt::format("SELECT file_name, name, field_id::BIGINT FROM parquet_schema([{}]) "
                             "WHERE field_id IS NOT NULL", files)));
  std::map<std::string, std::map<int64_t, std::string>> found;
  while (DuckDbChunk chunk{duckdb_fetch_chunk(*ids.get())}) {
    for (size_t i = 0; i < chunk.size(); ++i) {
      std::optional<std::string_view> file = VarcharAt(chunk.column(0), i);
      std::optional<std::string_view> name = VarcharAt(chunk.column(1), i);
      const auto* id = static_cast<const int64_t*>(duckdb_vector_get_data(chunk.column(2)));
      if (file && name) found[std::string(*file)][id[i]] = std::string(*name);
    }
  }
  for (size_t i = 0; i < local_inputs.size(); ++i) {
    const std::map<int64_t, std::string>& cols = found[local_inputs[i]];
    for (const ColumnSpec& c : schema) {
      auto it = cols.find(c.field_id);
      if (it == cols.end() || it->second != c.name) {
        return Status::InvalidArgument(fmt::format(
            "{}: has no Parquet column {} with field id {}; braid rewrites only files whose columns "
            "match the table's current schema", inputs[i].file_path, c.name, c.field_id));
      }
    }
  }
  std::string select;
  for (const ColumnSpec& c : schema) {
    select += fmt::format("{}CAST({} AS {}) AS {}", select.empty() ? "" : ", ", QuoteIdentifier(c.name),
                          DuckDbTypeName(c.type), QuoteIdentifier(c.name));
  }
  const std::string sql = fmt::format("COPY (SELECT {} FROM read_parquet([{}])) TO {} ({})", select, files,
                                      QuoteLiteral(local_path), CopyOptions(schema, compression));
  Result<DuckDbResult> result = db->Query(sql);
  if (!result.ok()) return result.status().WithContext(fmt::format("writing data file {}", location));
  int64_t rows = 0;
  for (const DataFile& f : inputs) rows += f.record_count;
  auto nan_count = [&](size_t c) {
    int64_t n = 0;
    for (const DataFile& f : inputs) {
      auto it = f.nan_value_counts.find(schema[c].field_id);
      if (it != f.nan_value_counts.end()) n += it->second;
    }
    return n;
  };
  BRAID_ASSIGN_OR_RETURN(DataFile file, ReadReturnedStats(*result, schema, rows, nan_count, location));
  BRAID_RETURN_IF_ERROR(ReadSplitOffsets(local_path, &file));
  return file;
}

Result<DataFile> DataFileWriter::ReadReturnedStats(DuckDbResult& result, const RowSchema& schema,
                                                   int64_t expected_rows,
                                                   const std::function<int64_t(size_t)>& nan_count,
                                                   const std::string& location) {
  auto bad = [&](std::string_view why) {
    return Status::Internal(fmt::format("{}: DuckDB's RETURN_STATS {}", location, why));
  };
  int count_col = FindColumn(result, "count");
  int size_col = FindColumn(result, "file_size_bytes");
  int stats_col = FindColumn(result, "column_statistics");
  if (count_col < 0 || size_col < 0 || stats_col < 0) return bad("lacks count, size or statistics");
  DuckDbChunk chunk(duckdb_fetch_chunk(*result.get()));
  if (!chunk || chunk.size() != 1) return bad("did not return one row");

  DataFile file = NewDataFile(
      location, static_cast<int64_t>(static_cast<uint64_t*>(duckdb_vector_get_data(chunk.column(count_col)))[0]),
      static_cast<int64_t>(static_cast<uint64_t*>(duckdb_vector_get_data(chunk.column(size_col)))[0]));
  if (file.record_count != expected_rows) {
    return bad(fmt::format("counts {} rows where {} were written", file.record_count, expected_rows));
  }

  duckdb_vector stats = chunk.column(stats_col);
  auto* entry = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(stats));
  duckdb_vector kv = duckdb_list_vector_get_child(stats);
  duckdb_vector names = duckdb_struct_vector_get_child(kv, 0);
  duckdb_vector values = duckdb_struct_vector_get_child(kv, 1);
  std::map<std::string, std::map<std::string, std::string>> by_column;
  for (size_t i = entry->offset; i < entry->offset + entry->length; ++i) {
    std::optional<std::string_view> name = VarcharAt(names, i);
    if (name) by_column[std::string(*name)] = StringMapAt(values, i);
  }
  for (size_t c = 0; c < schema.size(); ++c) {
    const ColumnSpec& spec = schema[c];
    // DuckDB keys the statistics by the quoted column path.
    auto it = by_column.find(QuoteIdentifier(spec.name));
    if (it == by_column.end()) continue;
    const std::map<std::string, std::string>& s = it->second;
    ParquetColumnStats cs;
    if (auto m = s.find("min"); m != s.end()) cs.min = m->second;
    if (auto m = s.find("max"); m != s.end()) cs.max = m->second;
    cs.null_count = ToInt(s, "null_count");
    cs.column_size_bytes = ToInt(s, "column_size_bytes");
    auto nan = s.find("has_nan");
    cs.has_nan = nan != s.end() && nan->second == "true";
    AddColumnMetrics(spec, cs, cs.has_nan ? nan_count(c) : 0, &file);
  }
  return file;
}

Status DataFileWriter::ReadSplitOffsets(const std::string& local_path, DataFile* file) {
  BRAID_ASSIGN_OR_RETURN(DuckDbConnection * db, Db());
  BRAID_ASSIGN_OR_RETURN(
      DuckDbResult r,
      db->Query(fmt::format("SELECT min(coalesce(dictionary_page_offset, data_page_offset))::BIGINT "
                             "FROM parquet_metadata({}) GROUP BY row_group_id ORDER BY row_group_id",
                             QuoteLiteral(local_path))));
  while (DuckDbChunk chunk{duckdb_fetch_chunk(*r.get())}) {
    const auto* offsets = static_cast<const int64_t*>(duckdb_vector_get_data(chunk.column(0)));
    for (size_t i = 0; i < chunk.size(); ++i) file->split_offsets.push_back(offsets[i]);
  }
  std::sort(file->split_offsets.begin(), file->split_offsets.end());
  return Status::Ok();
}

}  // namespace braid
