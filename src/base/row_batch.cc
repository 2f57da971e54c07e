#include "base/row_batch.h"

#include <algorithm>

namespace braid {

const char* IcebergTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kString: return "string";
    case ColumnType::kDouble: return "double";
    case ColumnType::kInt64: return "long";
    case ColumnType::kInt32: return "int";
    case ColumnType::kTimestampTz: return "timestamptz";
    case ColumnType::kBoolean: return "boolean";
  }
  return "unknown";
}

RowBatch::RowBatch(RowSchema schema) : schema_(std::move(schema)), columns_(schema_.size()) {}

ColumnData& RowBatch::Next(ColumnType expected) {
  assert(next_column_ < columns_.size() && "more values than columns in a row");
  const ColumnType actual = schema_[next_column_].type;
  const bool is_int = actual == ColumnType::kInt64 || actual == ColumnType::kInt32 ||
                      actual == ColumnType::kTimestampTz || actual == ColumnType::kBoolean;
  assert((actual == expected || (expected == ColumnType::kInt64 && is_int)) &&
         "value type does not match the column");
  (void)is_int;
  (void)expected;
  (void)actual;
  ColumnData& c = columns_[next_column_++];
  c.valid.push_back(1);
  return c;
}

void RowBatch::AppendString(std::string_view v) {
  ColumnData& c = Next(ColumnType::kString);
  c.chars.append(v);
  c.offsets.push_back(static_cast<uint32_t>(c.chars.size()));
  bytes_ += v.size() + 5;
}

void RowBatch::AppendDouble(double v) {
  Next(ColumnType::kDouble).doubles.push_back(v);
  bytes_ += 9;
}

void RowBatch::AppendInt(int64_t v) {
  Next(ColumnType::kInt64).ints.push_back(v);
  bytes_ += 9;
}

void RowBatch::AppendNull() {
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

void RowBatch::EndRow() {
  assert(next_column_ == columns_.size() && "a row must set every column");
  next_column_ = 0;
  ++num_rows_;
}

void RowBatch::Append(const RowBatch& other) {
  assert(other.schema_.size() == schema_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    ColumnData& dst = columns_[i];
    const ColumnData& src = other.columns_[i];
    dst.valid.insert(dst.valid.end(), src.valid.begin(), src.valid.end());
    dst.ints.insert(dst.ints.end(), src.ints.begin(), src.ints.end());
    dst.doubles.insert(dst.doubles.end(), src.doubles.begin(), src.doubles.end());
    const uint32_t base = static_cast<uint32_t>(dst.chars.size());
    for (size_t k = 1; k < src.offsets.size(); ++k) dst.offsets.push_back(base + src.offsets[k]);
    dst.chars.append(src.chars);
  }
  num_rows_ += other.num_rows_;
  bytes_ += other.bytes_;
}

void RowBatch::FillTimestampColumn(size_t col, Timestamp value) {
  assert(schema_[col].type == ColumnType::kTimestampTz);
  ColumnData& c = columns_[col];
  std::fill(c.ints.begin(), c.ints.end(), value.micros());
  std::fill(c.valid.begin(), c.valid.end(), uint8_t{1});
}

void RowBatch::Clear() {
  // Keeps the capacity: the next rows fill the same buffers.
  for (ColumnData& c : columns_) {
    c.valid.clear();
    c.ints.clear();
    c.doubles.clear();
    c.offsets.assign(1, 0);
    c.chars.clear();
  }
  num_rows_ = 0;
  bytes_ = 0;
  next_column_ = 0;
}


}  // namespace braid
