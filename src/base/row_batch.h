#pragma once
// RowBatch: the rows one stage hands to the next (join output, rejects), column by column.
// It is the contract between the join and the table writer: the join appends, the table
// writer turns a batch into a Parquet data file. Not thread-safe.

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/pod_buffer.h"
#include "base/short_bytes.h"
#include "base/types.h"

namespace braid {

enum class ColumnType { kString, kDouble, kInt64, kInt32, kTimestampTz, kBoolean };

/// Iceberg's name for a column type ("string", "double", "long", "int", "timestamptz",
/// "boolean").
const char* IcebergTypeName(ColumnType type);

/// One output column: its name, type and Iceberg field id; `required` columns never hold NULL.
struct ColumnSpec {
  std::string name;
  ColumnType type;
  int field_id;
  bool required = false;
};

using RowSchema = std::vector<ColumnSpec>;

/// The values of one column. Only the vector that matches the type is used; `valid[i]` is 0
/// for NULL. String bytes are stored back to back in `chars`, row i spans
/// [offsets[i], offsets[i+1]).
struct ColumnData {
  PodBuffer<uint8_t> valid;
  PodBuffer<int64_t> ints;  // kInt64, kInt32, kTimestampTz (microseconds since the epoch),
                            // kBoolean (1 or 0)
  PodBuffer<double> doubles;
  PodBuffer<uint32_t> offsets = PodBuffer<uint32_t>(1, 0);
  PodBuffer<char> chars;

  std::string_view string_at(size_t row) const {
    return std::string_view(chars.data() + offsets[row], offsets[row + 1] - offsets[row]);
  }
};

class RowBatch {
 public:
  RowBatch() = default;
  explicit RowBatch(RowSchema schema);

  const RowSchema& schema() const { return schema_; }
  size_t num_columns() const { return schema_.size(); }
  /// Rows completed so far: every column has a value for each.
  size_t num_rows() const { return num_rows_; }
  bool empty() const { return num_rows_ == 0; }
  const ColumnData& column(size_t i) const { return columns_[i]; }

  /// Appending: set every column of the row in order with the Append* calls (column index
  /// advances by one each call), then EndRow(). Inline: the join appends every value of
  /// every output row through them.
  void AppendString(std::string_view v);
  void AppendDouble(double v);
  void AppendInt(int64_t v);
  void AppendTimestamp(Timestamp v) { AppendInt(v.micros()); }
  void AppendNull();
  void EndRow();

  /// Moves all rows of `other` (same schema) to the end of this batch.
  void Append(const RowBatch& other);
  /// Sets every row's value in timestamp column `col` to `value` (e.g. the commit time for
  /// processing_time, which is unknown when the rows are appended as NULL).
  void FillTimestampColumn(size_t col, Timestamp value);
  /// Drops all rows, keeps the schema and the buffers' capacity.
  void Clear();
  /// Bytes of the values held (kept as rows are appended: cheap to ask per record).
  size_t ByteSize() const { return bytes_; }
  /// Makes room for rows up to `bytes` (as ByteSize counts them) in all, shared among the
  /// buffers as the rows held now share them, and an eighth more. A buffer grown by doubling
  /// to tens of megabytes copies its values along the way (realloc), and touches fresh
  /// memory for each copy; sized once early on, it copies a fraction and touches each page
  /// once.
  void ReserveFor(size_t bytes);

 private:
  ColumnData& Next(ColumnType expected);

  RowSchema schema_;
  std::vector<ColumnData> columns_;
  size_t num_rows_ = 0;
  size_t next_column_ = 0;
  size_t bytes_ = 0;
};

// -- appending (inline) ---------------------------------------------------------------------

[[gnu::always_inline]] inline ColumnData& RowBatch::Next([[maybe_unused]] ColumnType expected) {
  assert(next_column_ < columns_.size() && "more values than columns in a row");
  [[maybe_unused]] const ColumnType actual = schema_[next_column_].type;
  assert((actual == expected ||
          (expected == ColumnType::kInt64 &&
           (actual == ColumnType::kInt32 || actual == ColumnType::kTimestampTz ||
            actual == ColumnType::kBoolean))) &&
         "value type does not match the column");
  ColumnData& c = columns_[next_column_++];
  c.valid.push_back(1);
  return c;
}

[[gnu::always_inline]] inline void RowBatch::AppendString(std::string_view v) {
  ColumnData& c = Next(ColumnType::kString);
  CopyBytes(c.chars.Extend(v.size()), v.data(), v.size());
  c.offsets.push_back(static_cast<uint32_t>(c.chars.size()));
  bytes_ += v.size() + 5;
}

[[gnu::always_inline]] inline void RowBatch::AppendDouble(double v) {
  Next(ColumnType::kDouble).doubles.push_back(v);
  bytes_ += 9;
}

[[gnu::always_inline]] inline void RowBatch::AppendInt(int64_t v) {
  Next(ColumnType::kInt64).ints.push_back(v);
  bytes_ += 9;
}

[[gnu::always_inline]] inline void RowBatch::AppendNull() {
  assert(next_column_ < columns_.size());
  const ColumnType type = schema_[next_column_].type;
  ColumnData& c = columns_[next_column_++];
  c.valid.push_back(0);
  switch (type) {
    case ColumnType::kString:
      c.offsets.push_back(static_cast<uint32_t>(c.chars.size()));
      bytes_ += 5;
      break;
    case ColumnType::kDouble:
      c.doubles.push_back(0);
      bytes_ += 9;
      break;
    default:
      c.ints.push_back(0);
      bytes_ += 9;
      break;
  }
}

inline void RowBatch::EndRow() {
  assert(next_column_ == columns_.size() && "a row must set every column");
  next_column_ = 0;
  ++num_rows_;
}

}  // namespace braid
