#pragma once
// TableAppender: the commit the runtime makes: rows → Parquet data files → one manifest →
// a manifest list carrying the previous snapshot's manifests (a fast append; merged into
// fewer once there are many: see manifest_merge.h) →
// new metadata → an atomic swap through the table's catalog. A lost race (Conflict) reloads
// the table and retries on the new base; another writer's snapshot is never replaced.
//
// Files of a commit that fails are left unreferenced (orphans for `braid table` maintenance);
// the table itself never points at a partial commit.
//
// Not thread-safe: use one appender per thread (Sibling gives another thread its own).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/row_batch.h"
#include "table/data_file.h"
#include "table/data_file_writer.h"
#include "table/table_operations.h"

namespace braid {

struct TableAppenderOptions {
  /// Commit attempts before giving up on repeated conflicts.
  int max_attempts = 20;
  DataFileWriterOptions writer;
  /// Rows per data file are cut at about this many bytes (uncompressed, RowBatch::ByteSize);
  /// 0: the table's write.target-file-size-bytes, else Iceberg's default 512 MiB.
  int64_t target_file_size = 0;
};

/// What a commit records and asserts besides its data files.
struct CommitRequest {
  /// The caller's snapshot summary keys (braid.*); they may not replace Iceberg's standard keys.
  std::map<std::string, std::string> summary;
  /// Table properties set in the same metadata update as the snapshot, so they commit
  /// atomically with it and outlive the snapshot's expiry.
  std::map<std::string, std::string> properties;
  /// Called with the base metadata before every attempt (the first, and each after a lost race
  /// reloaded the table); a non-OK status stops the commit and is returned unchanged.
  std::function<Status(const TableMetadata&)> check_base;
};

/// What one committed append did.
struct AppendResult {
  SnapshotId snapshot_id;
  int64_t sequence_number = 0;
  std::string metadata_location;  // the metadata file that made the snapshot current
  std::vector<DataFile> data_files;
  int attempts = 0;  // 1 unless another writer won races
};

class TableAppender {
 public:
  static Result<std::unique_ptr<TableAppender>> Create(TableAppenderOptions options = {});

  /// Writes `batch` (non-empty) as new data files under `state`'s data location: one per
  /// partition tuple of the table's default spec, each cut at the target file size. Nothing
  /// is committed. InvalidArgument when the batch's columns do not match the table's current
  /// schema (field id, name, type).
  Result<std::vector<DataFile>> WriteDataFiles(TableOperations& table, const TableState& state,
                                               const RowBatch& batch);

  /// Writes `batch` (non-empty) as one data file whose rows all have partition tuple
  /// `partition` (empty for an unpartitioned table; its size must match the default spec's
  /// fields). Same checks as WriteDataFiles.
  Result<DataFile> WriteDataFile(TableOperations& table, const TableState& state,
                                 const RowBatch& batch, std::vector<AvroDatum> partition = {});

  /// Commits one append snapshot that adds `files` (possibly none: a snapshot that records
  /// only `summary`, e.g. Kafka offsets after a batch whose rows were all filtered out).
  /// `summary` holds the caller's keys (braid.*), which may not replace Iceberg's standard keys.
  /// Conflict after max_attempts lost races; other errors as the catalog reports them.
  Result<AppendResult> Commit(TableOperations& table, std::vector<DataFile> files,
                              const CommitRequest& request);

  /// WriteDataFiles for every non-empty batch, then Commit of those files and of `written`
  /// (files WriteDataFiles wrote earlier for this table, not yet committed).
  Result<AppendResult> Append(TableOperations& table, const std::vector<const RowBatch*>& batches,
                              const CommitRequest& request, std::vector<DataFile> written = {});

  /// DuckDB worker threads for the data files written from now on (DataFileWriter::SetThreads).
  Status SetWriterThreads(int threads) { return writer_->SetThreads(threads); }
  /// An appender for another thread, writing data files at the same time as this one through
  /// another connection to its DuckDB database (DataFileWriter::Sibling).
  Result<std::unique_ptr<TableAppender>> Sibling();

 private:
  Result<DataFile> WriteOne(TableOperations& table, const TableState& state, const RowBatch& batch,
                            std::vector<AvroDatum> partition);

  TableAppender(std::unique_ptr<DataFileWriter> writer, TableAppenderOptions options)
      : writer_(std::move(writer)), options_(options) {}

  std::unique_ptr<DataFileWriter> writer_;
  TableAppenderOptions options_;
};

/// Checks that braid can write to the table: format v2, with a current schema, and a default
/// partition spec whose every field braid computes (identity, year, month, day, hour, bucket,
/// truncate of a column of the current schema). InvalidArgument naming the table otherwise.
Status CheckWritable(const TableOperations& table, const TableMetadata& metadata);

/// Checks that rows of `schema` can be appended to a table whose current schema is
/// `table_schema`: each column's field id exists there with the same name and type, and every
/// required table field is present. InvalidArgument naming the column otherwise.
Status CheckAppendSchema(const RowSchema& schema, const IcebergSchema& table_schema,
                         const std::string& table_name);

}  // namespace braid
