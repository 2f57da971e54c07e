#pragma once
// ParquetFileWriter: writes a RowBatch as one Parquet file (format 1.0 data pages, the footer in
// Thrift's compact protocol), for the codecs it can write itself: zstd and uncompressed.
// DataFileWriter writes the other codecs, and every rewrite, through DuckDB.
//
// Why by hand: DuckDB's COPY of a batch was 30 % of braid's CPU at 2 M seed actions (1.0 of
// 3.4 s; perf): it copies the batch into its vectors and again into a buffered collection, and
// hashes each dictionary column's values twice (to build the dictionary, then to look each value
// up) and each string once more for its statistics. Here each value of a dictionary column is
// hashed once, statistics of a dictionary column are taken over its dictionary, and pages are
// built straight from the batch's columns.
//
// The file is the one DuckDB writes for the same batch, column for column: every column
// OPTIONAL, the Iceberg field ids, strings as UTF8, timestamptz as INT64 with
// TIMESTAMP_MICROS / TIMESTAMP(UTC, MICROS); per row group and column a dictionary (PLAIN) and
// one data page of RLE-dictionary indices while the chunk holds at most `dictionary_values`
// distinct values, else one PLAIN data page (booleans are always plain); min and max (NaN left
// out; a double chunk with NaN has none) and null counts in the footer.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/row_batch.h"
#include "table/parquet_compression.h"
#include "table/parquet_stats.h"

namespace braid {

struct ParquetFileFacts {
  int64_t file_size = 0;
  std::vector<int64_t> row_group_offsets;     // ascending
  std::vector<ParquetColumnStats> columns;    // per column of the batch, as DuckDB renders them
  std::vector<int64_t> nan_counts;            // per column (doubles; 0 for others)
};

/// Whether WriteParquetFile writes files compressed as `compression` says.
bool WritesParquetDirectly(const ParquetCompression& compression);

/// Writes `batch` (at least one row) to `path`, replacing it, in row groups of at most
/// `row_group_size` rows. IoError naming the path on a failed write.
Result<ParquetFileFacts> WriteParquetFile(const RowBatch& batch, const std::string& path,
                                          const ParquetCompression& compression,
                                          size_t row_group_size, size_t dictionary_values);

}  // namespace braid
