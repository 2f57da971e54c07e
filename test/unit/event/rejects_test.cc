#include "event/rejects.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

TEST(Rejects, SchemaHasFieldIdsOneToSeven) {
  const RowSchema& s = RejectsSchema();
  ASSERT_EQ(s.size(), 7u);
  const char* names[] = {"topic",  "partition",       "offset",         "reason",
                         "payload", "event_timestamp", "processing_time"};
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].name, names[i]);
    EXPECT_EQ(s[i].field_id, static_cast<int>(i + 1));
  }
  EXPECT_EQ(s[1].type, ColumnType::kInt32);
  EXPECT_EQ(s[2].type, ColumnType::kInt64);
  EXPECT_EQ(s[kRejectsProcessingTimeColumn].type, ColumnType::kTimestampTz);
}

TEST(Rejects, AppendRejectWritesOneRow) {
  RowBatch batch(RejectsSchema());
  KafkaRecord r{"purchases", PartitionId(3), KafkaOffset(42), std::nullopt, "{bad", Timestamp()};
  AppendReject(r, Reject{RejectKind::kInvalidJson, "invalid json", std::nullopt}, &batch);
  AppendReject(r, Reject{RejectKind::kLate, "late", Timestamp(7)}, &batch);
  ASSERT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(batch.column(0).string_at(0), "purchases");
  EXPECT_EQ(batch.column(1).ints[0], 3);
  EXPECT_EQ(batch.column(2).ints[1], 42);
  EXPECT_EQ(batch.column(3).string_at(1), "late");
  EXPECT_EQ(batch.column(4).string_at(0), "{bad");
  EXPECT_EQ(batch.column(5).valid[0], 0);
  EXPECT_EQ(batch.column(5).ints[1], 7);
  EXPECT_EQ(batch.column(6).valid[1], 0);
}

TEST(Rejects, InvalidUtf8IsEscapedValidKept) {
  EXPECT_EQ(SanitizeUtf8("plain \xc3\xa9 \xf0\x9f\x98\x80"), "plain \xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(SanitizeUtf8("a\xff" "b"), "a\\xFFb");
  EXPECT_EQ(SanitizeUtf8("\xc3"), "\\xC3");                 // truncated sequence
  EXPECT_EQ(SanitizeUtf8("\xc0\xaf"), "\\xC0\\xAF");        // overlong
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // surrogate
}

}  // namespace
}  // namespace braid
