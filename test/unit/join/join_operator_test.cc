#include "join/join_operator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "event/event_key.h"
#include "event/event_values.h"
#include "join/random_pipeline.h"

namespace braid {
namespace {

constexpr int64_t kSec = 1000000;
Timestamp T(int64_t s) { return Timestamp(s * kSec); }

// D drives; L1 (LEFT, 10 s), L2 (LEFT, 20 s) and I (INNER, 5 s) enrich it. Each stream stores
// one value; the output shows every stream's value and L1's event time.
JoinSpec FourStreams() {
  auto stream = [](std::string name, FieldType value_type) {
    return StreamSpec{name,
                      "topic_" + name,
                      {{"k", FieldType::kString}, {"v", value_type}, {"ts", FieldType::kTimestamp}},
                      {"k"},
                      "ts"};
  };
  JoinSpec spec;
  spec.driving = stream("D", FieldType::kString);
  spec.enriching = {{stream("L1", FieldType::kString), JoinKind::kLeft, Duration::Seconds(10)},
                    {stream("L2", FieldType::kDouble), JoinKind::kLeft, Duration::Seconds(20)},
                    {stream("I", FieldType::kString), JoinKind::kInner, Duration::Seconds(5)}};
  spec.columns = {{"D", "k", "k"},   {"D", "v", "d"},       {"L1", "v", "l1"}, {"L2", "v", "l2"},
                  {"I", "v", "i"},   {"L1", "ts", "l1_ts"}, {"D", "ts", "ts"}};
  return spec;
}

class JoinOperatorTest : public ::testing::Test {
 protected:
  JoinOperatorTest()
      : plan_(std::move(JoinPlan::Compile(FourStreams())).value()),
        op_(plan_),
        out_(plan_.output_schema()) {}

  void Add(size_t stream, const std::string& key, int64_t second, const std::string& v,
           double d = 0) {
    op_.Add(stream, Key(key), T(second), Values(stream, v, d), &out_);
  }
  static std::string Key(const std::string& key) {
    std::string k;
    EventKey::AppendString(key, &k);
    return k;
  }
  // A stream's one stored value: a double for L2 (stream 2), a string for the others.
  static std::string Values(size_t stream, const std::string& v, double d = 0) {
    std::string values;
    EventValuesBuilder b;
    b.Start(&values, 1);
    if (stream == 2) b.AddDouble(d); else b.AddString(v);
    b.Finish();
    return values;
  }
  // op_'s state as a checkpoint section.
  std::string Saved() const {
    std::string bytes;
    ByteWriter w(&bytes);
    op_.Save(&w);
    return bytes;
  }
  // Rows since the last call, as text, sorted.
  std::vector<std::string> Rows() {
    std::vector<std::string> rows;
    for (const Row& r : RowsOf(out_, 1)) rows.push_back(RowText(r));
    out_.Clear();
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  JoinPlan plan_;
  JoinOperator op_;
  RowBatch out_;
};

TEST_F(JoinOperatorTest, AllLeftNullRowEmittedOnceWhenTheLastLeftWindowCloses) {
  Add(0, "a", 100, "d1");
  Add(3, "a", 104, "i1");
  EXPECT_TRUE(Rows().empty());
  op_.AdvanceTo(T(110), &out_);  // = 100 + W_L1: not closed yet
  EXPECT_TRUE(Rows().empty());
  op_.AdvanceTo(T(110) + Duration(1), &out_);  // L1 closed, L2 open
  EXPECT_TRUE(Rows().empty());
  op_.AdvanceTo(T(121), &out_);  // both closed, in two separate steps
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        R"("a" | "d1" | NULL | NULL | "i1" | NULL | 100000000)"}));
  op_.AdvanceTo(Timestamp::Max(), &out_);
  EXPECT_TRUE(Rows().empty());
  EXPECT_EQ(op_.state_rows(), 0u);
  EXPECT_EQ(op_.num_keys(), 0u);
}

TEST_F(JoinOperatorTest, BothLeftWindowsClosingInOneSweepEmitOnce) {
  Add(0, "a", 100, "d1");
  Add(3, "a", 100, "i1");
  op_.AdvanceTo(T(500), &out_);
  EXPECT_EQ(Rows().size(), 1u);
}

TEST_F(JoinOperatorTest, PartnerAfterOneLeftClosedJoinsWithItsNull) {
  Add(0, "a", 100, "d1");
  Add(3, "a", 101, "i1");
  op_.AdvanceTo(T(111), &out_);  // L1 closed without partner
  EXPECT_TRUE(Rows().empty());   // L2 still open
  Add(2, "a", 115, "", 2.5);     // L2 partner (on time: 115 >= 111)
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        R"("a" | "d1" | NULL | 2.5 | "i1" | NULL | 100000000)"}));
  Add(2, "a", 119, "", 3.5);     // a second one: one more row
  EXPECT_EQ(Rows().size(), 1u);
  op_.AdvanceTo(Timestamp::Max(), &out_);
  EXPECT_TRUE(Rows().empty());   // L2 had partners: no NULL row for it
}

TEST_F(JoinOperatorTest, CrossProductOfAllStreams) {
  Add(1, "k", 95, "x1");
  Add(1, "k", 105, "x2");
  Add(2, "k", 100, "", 1);
  Add(2, "k", 80, "", 2);  // 20 s before: inclusive
  Add(2, "k", 79, "", 3);  // 21 s: outside
  Add(3, "k", 96, "i1");
  Add(3, "k", 104, "i2");
  Add(3, "k", 94, "i3");   // outside 5 s
  Add(0, "k", 100, "d");
  EXPECT_EQ(Rows().size(), 2u * 2u * 2u);
  Add(1, "k", 110, "x3");  // +10 s: inclusive, adds 1 × 2 × 2
  EXPECT_EQ(Rows().size(), 4u);
  Add(0, "other", 100, "d");
  EXPECT_TRUE(Rows().empty());
}

// Keys longer than a slot holds live on the heap; a slot a long key released takes a short
// one, and the other way round, each found and joined under its own bytes.
TEST_F(JoinOperatorTest, LongAndShortKeysShareSlotsInTurn) {
  const std::string long_a(200, 'a'), long_b = std::string(199, 'a') + "b";
  for (int round = 0; round < 3; ++round) {
    const int64_t t = 1000 * round;
    for (const std::string& key : {long_a, long_b, std::string("s"), std::string(48, 'm')}) {
      Add(3, key, t + 100, "i-" + key.substr(key.size() - 1));
      Add(1, key, t + 100, "x");
      Add(2, key, t + 100, "", 1);
      Add(0, key, t + 100, "d");
    }
    const std::vector<std::string> rows = Rows();
    ASSERT_EQ(rows.size(), 4u) << "round " << round;
    for (const std::string& key : {long_a, long_b, std::string("s"), std::string(48, 'm')}) {
      const std::string start = "\"" + key + "\" | \"d\" | \"x\" | 1 | \"i-" + key.substr(key.size() - 1);
      EXPECT_EQ(std::count_if(rows.begin(), rows.end(),
                              [&](const std::string& r) { return r.rfind(start, 0) == 0; }),
                1)
          << start;
    }
    op_.AdvanceTo(T(1000 * (round + 1)), &out_);  // every key evicted: the slots are free again
    EXPECT_EQ(op_.num_keys(), 0u);
    out_.Clear();
  }
}

TEST_F(JoinOperatorTest, EvictionFollowsTheWatermark) {
  Add(0, "a", 100, "d");
  Add(1, "b", 100, "x");
  Add(2, "c", 100, "", 1);
  Add(3, "d", 100, "i");
  EXPECT_EQ(op_.state_rows(), 4u);
  op_.AdvanceTo(T(105) + Duration(1), &out_);  // I: 100 + 5 passed
  EXPECT_EQ(op_.state_rows(), 3u);
  op_.AdvanceTo(T(110) + Duration(1), &out_);  // L1
  EXPECT_EQ(op_.state_rows(), 2u);
  op_.AdvanceTo(T(120), &out_);                // = 100 + max window: kept
  EXPECT_EQ(op_.state_rows(), 2u);
  op_.AdvanceTo(T(120) + Duration(1), &out_);  // D and L2 leave
  EXPECT_EQ(op_.state_rows(), 0u);
  EXPECT_EQ(op_.num_keys(), 0u);
}

TEST_F(JoinOperatorTest, PartnerOfAStoredDrivingEventOutlivesItsOwnWindow) {
  Add(3, "a", 95, "i");   // exactly W_I before the driving event
  Add(0, "a", 100, "d");
  op_.AdvanceTo(T(101), &out_);  // > 95 + 5: no new D can match it, but D can still get an L1
  EXPECT_EQ(op_.state_rows(), 2u);
  Add(1, "a", 102, "x");
  Add(2, "a", 102, "", 1);
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        R"("a" | "d" | "x" | 1 | "i" | 102000000 | 100000000)"}));
  op_.AdvanceTo(T(121), &out_);
  EXPECT_EQ(op_.state_rows(), 1u);  // only the L2 event: its own window runs to 122
  op_.AdvanceTo(T(122) + Duration(1), &out_);
  EXPECT_EQ(op_.state_rows(), 0u);
}

TEST_F(JoinOperatorTest, SaveLoadContinuesExactly) {
  Add(0, "a", 100, "d1");
  Add(3, "a", 101, "i1");
  op_.AdvanceTo(T(111), &out_);  // L1 closed for d1
  Add(0, "b", 112, "d2");
  const std::string bytes = Saved();
  JoinOperator restored(plan_);
  ByteReader r(bytes);
  ASSERT_TRUE(restored.Load(&r, op_.watermark()).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(restored.state_rows(), op_.state_rows());
  EXPECT_EQ(restored.num_keys(), 2u);
  RowBatch a(plan_.output_schema()), b(plan_.output_schema());
  for (auto [op, out] : {std::pair{&op_, &a}, std::pair{&restored, &b}}) {
    out->Clear();
    op->Add(2, Key("a"), T(115), Values(2, "", 7), out);  // closed L1 stays NULL after the restore
    op->AdvanceTo(Timestamp::Max(), out);
  }
  EXPECT_EQ(RowsOf(a, 1), RowsOf(b, 1));
  EXPECT_EQ(a.num_rows(), 1u);
  // Every truncation is refused and leaves the operator as it was.
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    JoinOperator o(plan_);
    ByteReader rr(std::string_view(bytes).substr(0, cut));
    EXPECT_EQ(o.Load(&rr, T(0)).kind(), StatusKind::kCorruption) << cut;
    EXPECT_EQ(o.state_rows(), 0u);
  }
}

// A key with two driving events keeps them on the heap (StreamEvents), with their closed bits:
// a checkpoint taken when only the first one's LEFT window of L1 has closed continues exactly.
TEST_F(JoinOperatorTest, SaveLoadContinuesExactlyWithSeveralEventsOfAStream) {
  Add(0, "a", 100, "d1");
  Add(0, "a", 105, "d2");
  Add(3, "a", 102, "i1");
  op_.AdvanceTo(T(111), &out_);  // L1 closed for d1 (100 + 10 < 111), open for d2
  EXPECT_EQ(Rows().size(), 0u);  // L2 is still open for both
  const std::string bytes = Saved();
  JoinOperator restored(plan_);
  ByteReader r(bytes);
  ASSERT_TRUE(restored.Load(&r, op_.watermark()).ok());
  RowBatch a(plan_.output_schema()), b(plan_.output_schema());
  for (auto [op, out] : {std::pair{&op_, &a}, std::pair{&restored, &b}}) {
    // An L2 partner for both: d1's L1 window is closed, so d1's row (L1 NULL) is final now;
    // d2's waits for its L1 window.
    op->Add(2, Key("a"), T(112), Values(2, "", 7), out);
    ASSERT_EQ(out->num_rows(), 1u);
    op->AdvanceTo(Timestamp::Max(), out);
  }
  EXPECT_EQ(RowsOf(a, 1), RowsOf(b, 1));
  EXPECT_EQ(a.num_rows(), 2u);
}

// LEFT windows close in time order, so a checkpoint in which a later driving event's window is
// closed and an earlier one's open was not written by braid: it is refused.
TEST_F(JoinOperatorTest, LoadRefusesWindowsClosedOutOfTimeOrder) {
  const std::string k = Key("a"), values = Values(0, "d");
  for (const uint64_t second_closed : {uint64_t{0}, uint64_t{2}}) {
    std::string bytes;
    ByteWriter w(&bytes);
    w.U64(1);  // one key
    w.Str(k);
    w.U32(2);  // two driving events: the first open, the second as given
    for (auto [second, closed] : {std::pair{100, uint64_t{0}}, std::pair{101, second_closed}}) {
      w.I64(T(second).micros());
      w.U64(closed);
      w.Str(values);
    }
    for (int stream = 1; stream < 4; ++stream) w.U32(0);
    JoinOperator o(plan_);
    ByteReader r(bytes);
    const Status st = o.Load(&r, T(0));
    if (second_closed == 0) {
      EXPECT_TRUE(st.ok()) << st.ToString();
    } else {
      EXPECT_EQ(st.kind(), StatusKind::kCorruption);
      EXPECT_NE(st.message().find("out of time order"), std::string::npos) << st.message();
      EXPECT_EQ(o.state_rows(), 0u);
    }
  }
}

// The key index homes a key by the low bits of its hash and compares the low 32 bits before
// the key: keys of every length (ShortHash reads each range of lengths its own way) must spread
// over both.
TEST(JoinOperatorKeyHash, SpreadsIdsOfEveryLengthOverTheLowBits) {
  for (const char* prefix : {"", "u", "user_", "a_rather_long_prefix_", "a_prefix_longer_than_thirty_two_bytes_"}) {
    constexpr size_t kKeys = size_t{1} << 16;
    std::vector<uint32_t> load(kKeys, 0);
    std::set<uint32_t> low32;
    for (size_t i = 0; i < kKeys; ++i) {
      std::string key;
      EventKey::AppendString(std::string(prefix) + std::to_string(i), &key);
      EventKey::AppendString("session_" + std::to_string(i * 7919 % kKeys), &key);
      const size_t h = JoinOperator::KeyHash(key);
      EXPECT_EQ(h, JoinOperator::KeyHash(std::string(key))) << "a hash of the bytes alone";
      ++load[h & (kKeys - 1)];
      low32.insert(static_cast<uint32_t>(h));
    }
    // Random homes: about 1/e of the buckets empty and none holding more than a handful.
    const size_t empty = static_cast<size_t>(std::count(load.begin(), load.end(), 0u));
    EXPECT_NEAR(static_cast<double>(empty) / kKeys, 0.368, 0.02) << "prefix " << prefix;
    EXPECT_LE(*std::max_element(load.begin(), load.end()), 12u) << "prefix " << prefix;
    EXPECT_GE(low32.size(), kKeys - 8) << "prefix " << prefix;
  }
}

}  // namespace
}  // namespace braid
