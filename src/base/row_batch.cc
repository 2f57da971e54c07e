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

void RowBatch::Append(const RowBatch& other) {
  assert(other.schema_.size() == schema_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    ColumnData& dst = columns_[i];
    const ColumnData& src = other.columns_[i];
    dst.valid.Append(src.valid.data(), src.valid.size());
    dst.ints.Append(src.ints.data(), src.ints.size());
    dst.doubles.Append(src.doubles.data(), src.doubles.size());
    const uint32_t base = static_cast<uint32_t>(dst.chars.size());
    for (size_t k = 1; k < src.offsets.size(); ++k) dst.offsets.push_back(base + src.offsets[k]);
    dst.chars.Append(src.chars.data(), src.chars.size());
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

void RowBatch::ReserveFor(size_t bytes) {
  if (bytes_ == 0 || bytes <= bytes_) return;
  auto room = [&](size_t held) { return held + held * (bytes - bytes_) / bytes_ * 9 / 8; };
  for (ColumnData& c : columns_) {
    c.valid.reserve(room(c.valid.size()));
    c.ints.reserve(room(c.ints.size()));
    c.doubles.reserve(room(c.doubles.size()));
    c.offsets.reserve(room(c.offsets.size()));
    c.chars.reserve(room(c.chars.size()));
  }
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
