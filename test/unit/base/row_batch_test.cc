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

}  // namespace
}  // namespace braid
