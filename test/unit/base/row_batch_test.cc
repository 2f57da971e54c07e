#include "base/row_batch.h"

#include <gtest/gtest.h>

#include <string>

namespace braid {
namespace {

RowSchema TwoColumns() {
  return {{"name", ColumnType::kString, 1}, {"amount", ColumnType::kDouble, 2},
          {"at", ColumnType::kTimestampTz, 3}};
}

TEST(RowBatch, AppendsRowsColumnByColumn) {
  RowBatch b(TwoColumns());
  b.AppendString("a");
  b.AppendDouble(1.5);
  b.AppendNull();
  b.EndRow();
  b.AppendNull();
  b.AppendNull();
  b.AppendTimestamp(Timestamp(7));
  b.EndRow();
  ASSERT_EQ(b.num_rows(), 2u);
  EXPECT_EQ(b.column(0).string_at(0), "a");
  EXPECT_EQ(b.column(0).string_at(1), "");
  EXPECT_EQ(b.column(0).valid[1], 0);
  EXPECT_EQ(b.column(1).doubles[0], 1.5);
  EXPECT_EQ(b.column(2).ints[1], 7);

  RowBatch c(TwoColumns());
  c.Append(b);
  c.Append(b);
  EXPECT_EQ(c.num_rows(), 4u);
  EXPECT_EQ(c.column(0).string_at(2), "a");
  c.FillTimestampColumn(2, Timestamp(42));
  EXPECT_EQ(c.column(2).ints[0], 42);
  EXPECT_EQ(c.column(2).valid[0], 1);
}

// ReserveFor sizes every buffer for a target byte count in the proportions of the rows held,
// so that filling up to it never grows a buffer again, and keeps every value.
TEST(RowBatch, ReserveForSizesEveryBufferForTheTargetOnce) {
  RowBatch b(TwoColumns());
  auto add = [&b](int i) {
    b.AppendString(std::string(static_cast<size_t>(i % 7), 'x'));
    b.AppendDouble(i);
    b.AppendTimestamp(Timestamp(i));
    b.EndRow();
  };
  for (int i = 0; i < 100; ++i) add(i);
  const size_t target = 64 * b.ByteSize();
  b.ReserveFor(target);
  const ColumnData& names = b.column(0);
  const size_t chars = names.chars.capacity(), offsets = names.offsets.capacity();
  const size_t doubles = b.column(1).doubles.capacity(), ints = b.column(2).ints.capacity();
  EXPECT_GE(chars, 64 * names.chars.size());
  EXPECT_GE(doubles, 64 * 100u);
  for (int i = 100; b.ByteSize() < target; ++i) add(i);
  // Filled to the target: not one buffer grew past the reservation.
  EXPECT_EQ(names.chars.capacity(), chars);
  EXPECT_EQ(names.offsets.capacity(), offsets);
  EXPECT_EQ(b.column(1).doubles.capacity(), doubles);
  EXPECT_EQ(b.column(2).ints.capacity(), ints);
  for (size_t r = 0; r < b.num_rows(); ++r) {
    ASSERT_EQ(names.string_at(r).size(), r % 7) << r;
    ASSERT_EQ(b.column(1).doubles[r], static_cast<double>(r)) << r;
  }
  // Nothing to size by in an empty batch, nor below what is held.
  RowBatch empty(TwoColumns());
  empty.ReserveFor(target);
  EXPECT_EQ(empty.column(0).chars.capacity(), 0u);
  const size_t before = names.chars.capacity();
  b.ReserveFor(1);
  EXPECT_EQ(names.chars.capacity(), before);
}

// The byte count grows with every value (the pipeline checks it per record) and follows
// Append and Clear; Clear keeps the buffers for the next rows.
TEST(RowBatch, CountsItsBytesAndKeepsCapacityWhenCleared) {
  RowBatch b(TwoColumns());
  EXPECT_EQ(b.ByteSize(), 0u);
  b.AppendString("abcd");
  const size_t after_string = b.ByteSize();
  EXPECT_GE(after_string, 4u);
  b.AppendDouble(1);
  b.AppendNull();
  b.EndRow();
  const size_t one_row = b.ByteSize();
  EXPECT_GT(one_row, after_string);
  RowBatch c(TwoColumns());
  c.Append(b);
  c.Append(b);
  EXPECT_EQ(c.ByteSize(), 2 * one_row);
  const size_t capacity = c.column(0).chars.capacity();
  c.Clear();
  EXPECT_EQ(c.ByteSize(), 0u);
  EXPECT_EQ(c.num_rows(), 0u);
  EXPECT_EQ(c.column(0).chars.capacity(), capacity);
  c.AppendString("x");
  c.AppendDouble(2);
  c.AppendNull();
  c.EndRow();
  EXPECT_EQ(c.column(0).string_at(0), "x");
}

}  // namespace
}  // namespace braid
