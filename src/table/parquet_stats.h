#pragma once
// ParquetStats: turns the column statistics DuckDB reports for a written Parquet file
// (COPY ... RETURN_STATS: text min/max, null_count, column_size_bytes, has_nan) into a
// DataFile's Iceberg metrics. A statistic that cannot be read exactly is left out: a missing
// metric only costs pruning, a wrong one loses rows.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/row_batch.h"
#include "table/data_file.h"

namespace braid {

/// One column's statistics as DuckDB renders them.
struct ParquetColumnStats {
  std::optional<std::string> min;
  std::optional<std::string> max;
  std::optional<int64_t> null_count;
  std::optional<int64_t> column_size_bytes;
  bool has_nan = false;
};

/// Adds `column`'s metrics to `file`: column size, value count (`file->record_count`, nulls
/// included), null count, NaN count (doubles: `nan_count`), and lower/upper bounds in
/// single-value binary (strings truncated to 16 code points, upper bound incremented).
void AddColumnMetrics(const ColumnSpec& column, const ParquetColumnStats& stats, int64_t nan_count,
                      DataFile* file);

/// Parses DuckDB's text of a TIMESTAMP WITH TIME ZONE ("2025-01-16 10:20:30.123456+00", any
/// "+hh[:mm]" offset) to microseconds since the epoch; nullopt for other forms (BC, infinity).
std::optional<int64_t> ParseDuckDbTimestampTz(std::string_view text);

}  // namespace braid
