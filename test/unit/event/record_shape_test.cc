#include "event/record_shape.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "event/event_decoder.h"

namespace braid {
namespace {

// Learns the shape of `json` as FlatJsonReader reads it, every member taken as field i.
RecordShape Learnt(std::string_view json) {
  FlatJsonReader reader(json);
  std::string_view key;
  FlatJsonValue v;
  std::vector<RecordShape::Member> members;
  while (reader.Next(&key, &v)) members.push_back({v.raw, static_cast<int>(members.size())});
  EXPECT_TRUE(reader.done()) << json;
  RecordShape shape;
  shape.Learn(json, members);
  return shape;
}

// The values `shape` reads from `json` as "kind:text" strings; nullopt on a miss.
std::optional<std::vector<std::string>> Read(const RecordShape& shape, std::string_view json) {
  std::vector<std::string> out;
  const bool ok = shape.Read(json, [&](int field, const FlatJsonValue& v) {
    EXPECT_EQ(field, static_cast<int>(out.size()));
    out.push_back(std::to_string(static_cast<int>(v.kind)) + ":" + std::string(v.text));
    return true;
  });
  if (!ok) return std::nullopt;
  return out;
}

constexpr char kRecord[] = R"({"user_id": "u1", "n": 12, "ok": true, "at": "2025-01-16T10:20:30"})";

TEST(RecordShape, ReadsTheValuesOfARecordOfTheSameShape) {
  RecordShape shape = Learnt(kRecord);
  auto v = Read(shape, R"({"user_id": "user_00042é", "n": -3.5e2, "ok": null, "at": ""})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, (std::vector<std::string>{"0:user_00042é", "1:-3.5e2", "4:null", "0:"}));
  EXPECT_TRUE(Read(shape, kRecord).has_value());
  v = Read(shape, R"({"user_id": "", "n": 0, "ok": false, "at": "x"})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ((*v)[2], "3:false");
}

TEST(RecordShape, AnyOtherBytesAreAMiss) {
  RecordShape shape = Learnt(kRecord);
  for (const char* other : {
           R"({"user_id":"u1", "n": 12, "ok": true, "at": "x"})",          // spacing
           R"({"user_id": "u1", "m": 12, "ok": true, "at": "x"})",         // another key
           R"({"n": 12, "user_id": "u1", "ok": true, "at": "x"})",         // another order
           R"({"user_id": "u1", "n": "12", "ok": true, "at": "x"})",       // a string for a number
           R"({"user_id": 1, "n": 12, "ok": true, "at": "x"})",            // a number for a string
           R"({"user_id": null, "n": 12, "ok": true, "at": "x"})",
           R"({"user_id": "u\"1", "n": 12, "ok": true, "at": "x"})",       // an escape
           R"({"user_id": "u1", "n": 012, "ok": true, "at": "x"})",        // not a JSON number
           R"({"user_id": "u1", "n": 12, "ok": tru, "at": "x"})",
           R"({"user_id": "u1", "n": 12, "ok": true, "at": "x", "y": 1})",  // one more member
           R"({"user_id": "u1", "n": 12, "ok": true})",                    // one fewer
           R"({"user_id": "u1", "n": 12, "ok": true, "at": "x"} )",        // bytes after it
           R"({"user_id": "u1", "n": 12, "ok": true, "at": "x")",          // cut short
           R"({"user_id": "u1", "n": 12, "ok": true, "at": "x)",
           ""}) {
    EXPECT_FALSE(Read(shape, other).has_value()) << other;
  }
  const std::string control = std::string(R"({"user_id": "u)") + "\x01" + R"(", "n": 1, "ok": true, "at": ""})";
  EXPECT_FALSE(Read(shape, control).has_value());  // a raw control character
  const std::string invalid = std::string(R"({"user_id": "u)") + "\xff" + R"(", "n": 1, "ok": true, "at": ""})";
  EXPECT_FALSE(Read(shape, invalid).has_value());  // not UTF-8
}

// --- the decoder with shapes against the decoder without -----------------------------------

StreamSpec Spec() {
  return StreamSpec{"purchases",
                    "purchases",
                    {{"user_id", FieldType::kString},
                     {"session_id", FieldType::kString},
                     {"amount", FieldType::kDouble},
                     {"quantity", FieldType::kLong, /*required=*/false},
                     {"flag", FieldType::kBoolean, /*required=*/false},
                     {"timestamp", FieldType::kTimestamp}},
                    {"user_id", "session_id"},
                    "timestamp"};
}

// Records of a few shapes, their values drawn from edge cases, some bytes damaged.
class RecordMaker {
 public:
  explicit RecordMaker(uint64_t seed) : r_(seed) {}

  std::string Next() {
    if (Chance(0.1)) family_ = Pick(4);
    static const std::vector<std::vector<std::string>> orders = {
        {"user_id", "session_id", "amount", "quantity", "flag", "timestamp"},
        {"timestamp", "amount", "user_id", "extra", "session_id"},
        {"session_id", "user_id", "timestamp", "amount", "flag"},
        {"user_id", "session_id", "amount", "timestamp", "quantity", "user_id"}};  // a twice-given key
    const std::vector<std::string>& keys = orders[family_];
    const char* colon = family_ % 2 ? ": " : ":";
    const char* comma = family_ % 2 ? ", " : ",";
    std::string out = "{";
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i > 0) out += comma;
      out += "\"" + keys[i] + "\"" + colon + Value(keys[i]);
    }
    out += "}";
    for (int k = Chance(0.2) ? Pick(3) + 1 : 0; k > 0 && !out.empty(); --k) {
      const size_t at = Pick(out.size() + 1);  // == size: at the end
      switch (at == out.size() ? 2 : Pick(3)) {
        case 0: out[at] = "{}\":,\\ 0e.-tfnx\xc3\xa9\x01"[Pick(19)]; break;
        case 1: out.erase(at, 1); break;
        default: out.insert(at, 1, "{}[]\":,\\0e.- "[Pick(13)]); break;
      }
    }
    return out;
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(r_) < p; }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(r_); }

  std::string Value(const std::string& key) {
    if (Chance(0.05)) return Pick(2) ? "null" : "true";
    if (key == "amount") {
      static const char* nums[] = {"0", "-1", "19.99", "1e3", "-2.5E-2", "12345678901234567890", "1.", "01", "-"};
      return nums[Pick(Chance(0.9) ? 6 : 9)];
    }
    if (key == "quantity") {
      static const char* nums[] = {"0", "7", "-3", "9223372036854775807", "9223372036854775808", "1.5", "\"7\""};
      return nums[Pick(7)];
    }
    if (key == "flag") return Pick(3) == 0 ? "false" : Pick(2) ? "true" : "1";
    if (key == "timestamp") {
      static const char* ts[] = {"\"2025-01-16T10:20:30.123456\"", "\"2025-01-16 10:20:30+05:30\"",
                                 "\"2025-01-16T10:20:30Z\"", "\"not a time\"", "1737022830000", "\"\""};
      return ts[Chance(0.9) ? Pick(3) : Pick(6)];
    }
    std::string s = "\"";
    for (size_t n = Pick(12); n > 0; --n) {
      static const char* pieces[] = {"u", "s", "0", "9", " ", "é", "\\\"", "\\u00e9", "\x7f", "\xf0\x9f\x98\x80"};
      s += pieces[Chance(0.9) ? Pick(6) : Pick(10)];
    }
    return s + "\"";
  }

  std::mt19937_64 r_;
  size_t family_ = 0;
};

// Whatever a decoder that learnt shapes from the records before reads from a record, a fresh
// decoder (no shape yet) reads the same: the same verdict and reason, key, time and values.
TEST(RecordShapeDecoding, AgreesWithTheDecoderWithoutShapes) {
  auto learning = EventDecoder::Create(Spec(), {"amount", "quantity", "flag"});
  ASSERT_TRUE(learning.ok()) << learning.status().ToString();
  RecordMaker maker(11);
  DecodedEvent a, b;
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string json = maker.Next();
    auto fresh = EventDecoder::Create(Spec(), {"amount", "quantity", "flag"});
    ASSERT_TRUE(fresh.ok());
    std::optional<Reject> ra = (*learning)->Decode(json, &a);
    std::optional<Reject> rb = (*fresh)->Decode(json, &b);
    ASSERT_EQ(ra.has_value(), rb.has_value()) << json;
    if (ra) {
      ++rejected;
      ASSERT_EQ(ra->reason, rb->reason) << json;
      ASSERT_EQ(ra->kind, rb->kind) << json;
      continue;
    }
    ++accepted;
    ASSERT_EQ(a.key, b.key) << json;
    ASSERT_EQ(a.ts.micros(), b.ts.micros()) << json;
    ASSERT_EQ(a.values, b.values) << json;
  }
  EXPECT_GT(accepted, 5000);
  EXPECT_GT(rejected, 1000);
}

}  // namespace
}  // namespace braid
