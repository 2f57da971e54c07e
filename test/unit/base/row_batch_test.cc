#include "base/row_batch.h"

#include <gtest/gtest.h>

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
