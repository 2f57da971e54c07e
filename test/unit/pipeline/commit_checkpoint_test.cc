#include "pipeline/commit_checkpoint.h"

#include <gtest/gtest.h>

#include "event/rejects.h"
#include "pipeline/source_offsets.h"

namespace braid {
namespace {

RowBatch SomeRejects() {
  RowBatch b(RejectsSchema());
  for (int i = 0; i < 3; ++i) {
    b.AppendString("purchases");
    b.AppendInt(i);
    b.AppendInt(100 + i);
    b.AppendString(i == 1 ? "late" : "invalid json");
    b.AppendString(std::string("{\"a\":\0x", 7));
    if (i == 1) {
      b.AppendTimestamp(Timestamp(1737022830123456));
    } else {
      b.AppendNull();
    }
    b.AppendTimestamp(Timestamp(42));
    b.EndRow();
  }
  return b;
}

TEST(CommitCheckpoint, RoundTripsStateAndRejects) {
  CommitCheckpoint cp{std::string("engine\0state", 12), SomeRejects()};
  auto back = DecodeCheckpoint(EncodeCheckpoint(cp), RejectsSchema());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->engine_state, cp.engine_state);
  ASSERT_EQ(back->rejects.num_rows(), 3u);
  for (size_t c = 0; c < RejectsSchema().size(); ++c) {
    const ColumnData& a = cp.rejects.column(c);
    const ColumnData& b = back->rejects.column(c);
    EXPECT_EQ(a.valid, b.valid) << c;
    EXPECT_EQ(a.chars, b.chars) << c;
    for (size_t r = 0; r < 3; ++r) {
      if (a.valid[r] && !a.ints.empty()) {
        EXPECT_EQ(a.ints[r], b.ints[r]);
      }
    }
  }
}

TEST(CommitCheckpoint, DamageIsCorruptionNotACrash) {
  std::string bytes = EncodeCheckpoint({"state", SomeRejects()});
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    auto r = DecodeCheckpoint(bytes.substr(0, cut), RejectsSchema());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().kind(), StatusKind::kCorruption);
  }
  for (size_t i = 8; i < bytes.size(); i += 7) {
    std::string flipped = bytes;
    flipped[i] ^= 0x20;
    EXPECT_FALSE(DecodeCheckpoint(flipped, RejectsSchema()).ok()) << i;
  }
}

TEST(SourceOffsets, RoundTripAndRefuseGarbage) {
  SourceOffsets o{{{"user_actions", PartitionId(0)}, KafkaOffset(12)},
                  {{"user_actions", PartitionId(2)}, KafkaOffset(0)},
                  {{"purchases", PartitionId(1)}, KafkaOffset(99)}};
  const std::string text = EncodeOffsets(o);
  EXPECT_EQ(text, R"({"purchases":{"1":99},"user_actions":{"0":12,"2":0}})");
  auto back = DecodeOffsets(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, o);
  for (const char* bad : {"", "[]", R"({"t":{"x":1}})", R"({"t":{"0":"1"}})", R"({"t":3})"}) {
    EXPECT_FALSE(DecodeOffsets(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace braid
