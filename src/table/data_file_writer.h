#pragma once
// DataFileWriter: writes a RowBatch as one Parquet data file — zstd or uncompressed with
// ParquetFileWriter, other codecs through DuckDB's Parquet writer (the table's compression,
// Iceberg field ids, TIMESTAMP WITH TIME ZONE for timestamptz) — and describes the file as an
// Iceberg DataFile from the writer's statistics (DuckDB's COPY ... RETURN_STATS) and the
// file's row group offsets. Rewrite (compaction) always goes through DuckDB, and so does every
// file when BRAID_PARQUET_WRITER=duckdb (Create refuses any other value but braid).
//
// DuckDB reads the batch in place through a table function (`braid_rows...`) whose worker threads
// fill data chunks straight from the batch's columns. Measured on 1M seed-shaped rows (9
// columns, 2 cores, best of 3, COPY included): 0.47 s, against 1.19 s for appending the same
// data chunks to a temporary table through the appender and copying that table, and 1.1 s for
// the same table function limited to one thread.
//
// Dictionary encoding: a string column of a row group is dictionary-encoded while it holds at
// most kDictionaryValues distinct values (DuckDB's DICTIONARY_SIZE_LIMIT), and stored plain,
// compressed by the table's codec, beyond that. DuckDB's own limit keeps dictionaries of tens
// of thousands of values, and building them was a fifth of the writing time on the seed's
// output (ids nearly unique per row): make bench at 2 M actions wrote files of the same size
// (within 1 %) in less time with the limit.
//
// Owns a connection to an in-memory DuckDB database (Sibling: another one to the same), opened
// at the first write that needs DuckDB: a run whose files ParquetFileWriter writes never opens
// it (opening took about 20 ms of CPU at the start of every run, when reading had the least to
// spare). Not thread-safe: use one writer per thread.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/row_batch.h"
#include "table/data_file.h"
#include "table/duckdb_connection.h"
#include "table/parquet_compression.h"

namespace braid {

struct DataFileWriterOptions {
  /// DuckDB worker threads; 0 lets DuckDB use every core.
  int threads = 0;
  /// Rows per Parquet row group; 0 keeps DuckDB's default (122880).
  size_t row_group_size = 0;
  /// Every file through DuckDB's writer. Create sets it from BRAID_PARQUET_WRITER=duckdb.
  bool duckdb_only = false;
};

class DataFileWriter {
 public:
  static constexpr int kDictionaryValues = 1024;
  /// Rows per row group unless DataFileWriterOptions::row_group_size says otherwise (DuckDB's).
  static constexpr size_t kRowGroupRows = 122880;

  /// InvalidArgument for a BRAID_PARQUET_WRITER other than braid or duckdb.
  static Result<std::unique_ptr<DataFileWriter>> Create(DataFileWriterOptions options = {});
  ~DataFileWriter();

  /// Writes `batch` (at least one row) to the local file `local_path`, replacing it, and
  /// returns its DataFile with file_path `location` (where the file will live; see
  /// FileSystem::LocalPathForWrite) and exact record count, size and column metrics.
  /// Column names of the batch become Parquet column names, their field ids the Parquet field
  /// ids. Compressed as `compression` says. Fails with DuckDB's message naming the file.
  Result<DataFile> Write(const RowBatch& batch, const std::string& local_path,
                         const std::string& location, const ParquetCompression& compression = {});

  /// DuckDB worker threads for the writes that follow (as DataFileWriterOptions::threads; 0:
  /// every core). A no-op when unchanged.
  Status SetThreads(int threads);

  /// A writer on another connection to this one's DuckDB database, for another thread: the
  /// two write at the same time, each on its own thread, with the database's settings (a
  /// SetThreads of either applies to both; neither knows of the other's).
  Result<std::unique_ptr<DataFileWriter>> Sibling();

  /// Whether the DuckDB database this writer shares with its siblings was opened (by a write
  /// that needed it).
  bool DuckDbOpened() const;

  /// Rewrites the Parquet data files `inputs` (local copies at `local_inputs`, same order) as
  /// one file at `local_path`, described like Write's: the rows of `schema`'s columns, read by
  /// name from files that must carry each column under its field id (InvalidArgument naming
  /// the file otherwise). The row count must equal the inputs' record counts (Internal
  /// otherwise). NaN counts are the inputs' sums.
  Result<DataFile> Rewrite(const RowSchema& schema, const std::vector<DataFile>& inputs,
                           const std::vector<std::string>& local_inputs,
                           const std::string& local_path, const std::string& location,
                           const ParquetCompression& compression = {});

 private:
  // The database the writer and its siblings share, opened by the first that needs it.
  struct Database {
    std::mutex mu;
    std::map<std::string, std::string> config;  // DuckDB's options until it is opened
    std::unique_ptr<DuckDbConnection> first;      // the connection that opened it
  };
  DataFileWriter(std::shared_ptr<Database> database, DataFileWriterOptions options, std::string scan_name)
      : database_(std::move(database)), options_(options), scan_name_(std::move(scan_name)) {}
  // This writer's connection, the database opened first if no writer has yet.
  Result<DuckDbConnection*> Db();
  Status RegisterScan();
  // Write, for the codecs ParquetFileWriter writes.
  Result<DataFile> WriteDirectly(const RowBatch& batch, const std::string& local_path,
                                 const std::string& location, const ParquetCompression& compression);
  // The options of both COPYs: Parquet with the compression, field ids, row group size and
  // returned statistics.
  std::string CopyOptions(const RowSchema& schema, const ParquetCompression& compression) const;
  Result<DataFile> ReadReturnedStats(DuckDbResult& result, const RowSchema& schema,
                                     int64_t expected_rows,
                                     const std::function<int64_t(size_t)>& nan_count,
                                     const std::string& location);
  Status ReadSplitOffsets(const std::string& local_path, DataFile* file);

  std::shared_ptr<Database> database_;
  std::unique_ptr<DuckDbConnection> db_;  // none until Db()
  DataFileWriterOptions options_;
  const std::string scan_name_;  // this writer's table function (one per connection of a database)
  const RowBatch* current_ = nullptr;  // the batch the scan reads during Write
};

}  // namespace braid
