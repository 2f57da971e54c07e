#pragma once
// ParquetCompression: how a table's new data files are compressed, from the Iceberg table
// properties write.parquet.compression-codec (default zstd, as in Iceberg) and
// write.parquet.compression-level (default: the codec's own; zstd's is 3). The codecs are
// the ones DuckDB's Parquet writer writes under the name Iceberg gives them: zstd, snappy,
// gzip, brotli, lz4_raw, uncompressed. Others are refused by name: lz4 (Parquet's deprecated
// Hadoop-framed LZ4) and lzo, which DuckDB does not write, and a level for any codec but zstd,
// which DuckDB's writer cannot set.

#include <optional>
#include <string>

#include "base/result.h"
#include "table/table_metadata.h"

namespace braid {

struct ParquetCompression {
  std::string codec = "zstd";  // lower case, as DuckDB's COPY takes it
  std::optional<int> level;    // zstd only

  /// The table's compression; InvalidArgument naming the property, its value and what braid
  /// takes when a property holds something braid does not write.
  static Result<ParquetCompression> Of(const TableMetadata& metadata);

  /// The options of DuckDB's COPY ... (FORMAT parquet, ...): "COMPRESSION zstd" and, with a
  /// level, ", COMPRESSION_LEVEL n".
  std::string CopyOptions() const;
};

}  // namespace braid
