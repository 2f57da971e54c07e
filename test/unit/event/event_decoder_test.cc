#include "event/event_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "event/event_key.h"

namespace braid {
namespace {

StreamSpec Purchases() {
  return StreamSpec{"purchases",
                    "purchases",
                    {{"user_id", FieldType::kString},
                     {"session_id", FieldType::kString},
                     {"product_id", FieldType::kString},
                     {"amount", FieldType::kDouble},
                     {"quantity", FieldType::kLong, /*required=*/false},
                     {"timestamp", FieldType::kTimestamp}},
                    {"user_id", "session_id"},
                    "timestamp"};
}

class EventDecoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = EventDecoder::Create(Purchases(), {"amount", "product_id", "quantity"});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    decoder_ = std::move(*d);
  }
  // The reason for `json`, or "" if it decodes.
  std::string Reason(std::string_view json) {
    std::optional<Reject> r = decoder_->Decode(json, &event_);
    return r ? r->reason : "";
  }
  std::unique_ptr<EventDecoder> decoder_;
  DecodedEvent event_;
};

constexpr char kGood[] =
    R"({"user_id":"u1","session_id":"s1","product_id":"p9","amount":19.99,)"
    R"("timestamp":"2025-01-16T10:20:30.123456","extra":{"ignored":[1,2]}})";

TEST_F(EventDecoderTest, DecodesKeyTimeAndStoredValues) {
  ASSERT_EQ(Reason(kGood), "");
  EXPECT_EQ(event_.ts.micros(), 1737022830123456);
  EventKey key(event_.key);
  std::string_view part;
  ASSERT_TRUE(key.Next(&part));
  EXPECT_EQ(part, "u1");
  ASSERT_TRUE(key.Next(&part));
  EXPECT_EQ(part, "s1");
  EXPECT_TRUE(key.AtEnd());
  EventValues v(event_.values, 3);
  EXPECT_EQ(v.GetDouble(0), 19.99);
  EXPECT_EQ(v.GetString(1), "p9");
  EXPECT_TRUE(v.IsNull(2));  // optional and absent
}

// Amounts of every form a producer writes — few or many digits, leading zeros, a sign, an
// exponent — decode to the double std::from_chars reads from the same text, bit for bit,
// whichever of the decoder's paths reads them (short decimals are read without from_chars).
TEST_F(EventDecoderTest, AmountsDecodeToTheDoubleFromCharsReads) {
  std::mt19937_64 rng(5);
  auto digits = [&rng](int n) {
    std::string d;
    for (int i = 0; i < n; ++i) d.push_back(static_cast<char>('0' + rng() % 10));
    return d;
  };
  for (int i = 0; i < 50000; ++i) {
    std::string integer = digits(1 + static_cast<int>(rng() % 12));
    integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size() - 1));  // JSON: no leading 0s
    std::string text = (rng() % 4 == 0 ? "-" : "") + integer;
    if (rng() % 4 != 0) text += "." + digits(1 + static_cast<int>(rng() % 12));
    if (rng() % 16 == 0) text += "e" + std::to_string(static_cast<int>(rng() % 40) - 20);
    const std::string json = R"({"user_id":"u","session_id":"s","product_id":"p","amount":)" + text +
                             R"(,"timestamp":"2025-01-16T10:20:30Z"})";
    ASSERT_EQ(Reason(json), "") << json;
    double expected = 0;
    std::from_chars(text.data(), text.data() + text.size(), expected);
    const double got = EventValues(event_.values, 3).GetDouble(0);
    ASSERT_EQ(std::memcmp(&got, &expected, sizeof got), 0) << text << ": " << got << " vs " << expected;
  }
}

// The decoder tries the field after the last one matched first: records whose fields come in
// another order than the record before decode all the same.
TEST_F(EventDecoderTest, FieldsInAnyOrderFromRecordToRecord) {
  const std::string fields[] = {R"("user_id":"u1")", R"("session_id":"s1")", R"("product_id":"p9")",
                                R"("amount":19.99)", R"("timestamp":"2025-01-16T10:20:30.123456")",
                                R"("extra":1)"};
  std::vector<size_t> order = {0, 1, 2, 3, 4, 5};
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    std::string json = "{";
    for (size_t i = 0; i < order.size(); ++i) json += (i ? "," : "") + fields[order[i]];
    json += "}";
    ASSERT_EQ(Reason(json), "") << json;
    EXPECT_EQ(event_.ts.micros(), 1737022830123456) << json;
    EventKey key(event_.key);
    std::string_view part;
    ASSERT_TRUE(key.Next(&part));
    EXPECT_EQ(part, "u1") << json;
    EventValues v(event_.values, 3);
    EXPECT_EQ(v.GetDouble(0), 19.99) << json;
    EXPECT_EQ(v.GetString(1), "p9") << json;
  }
}

TEST_F(EventDecoderTest, KeysWithEscapesNameTheSameFields) {
  // "user\u005fid" is user_id; "amo\"unt" is no declared field, so its value is ignored;
  // "product\u005fid" given after product_id is the same field twice.
  ASSERT_EQ(Reason(R"({"user\u005fid":"u1","session_id":"s1","product_id":"p9","amount":2,)"
                   R"("amo\"unt":"x","timestamp":"2025-01-16T10:20:30Z"})"),
            "");
  EventKey key(event_.key);
  std::string_view part;
  ASSERT_TRUE(key.Next(&part));
  EXPECT_EQ(part, "u1");
  EXPECT_EQ(EventValues(event_.values, 3).GetDouble(0), 2.0);
  EXPECT_EQ(Reason(R"({"user_id":"u1","session_id":"s1","product_id":"p9","product\u005fid":"p",)"
                   R"("amount":2,"timestamp":"2025-01-16T10:20:30Z"})"),
            "duplicate field product_id");
  EXPECT_EQ(Reason(R"({"user_id":"u1","session_id":"s1","product_id":"p9","amount":2,)"
                   R"("timestamp\u0031":"2025-01-16T10:20:30Z"})"),
            "missing timestamp");
}

TEST_F(EventDecoderTest, IntegersAreAcceptedForDoublesAndEscapesDecoded) {
  ASSERT_EQ(Reason(R"({"user_id":"u\"1\u00e9","session_id":"s","product_id":"p\n","amount":5,)"
                   R"("quantity":3,"timestamp":"2025-01-16T10:20:30Z"})"),
            "");
  EventValues v(event_.values, 3);
  EXPECT_EQ(v.GetDouble(0), 5.0);
  EXPECT_EQ(v.GetString(1), "p\n");
  EXPECT_EQ(v.GetInt(2), 3);
  std::string_view part;
  EventKey key(event_.key);
  ASSERT_TRUE(key.Next(&part));
  EXPECT_EQ(part, "u\"1\xc3\xa9");
}

TEST_F(EventDecoderTest, OptionalFieldMayBeNull) {
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":1,)"
                   R"("quantity":null,"timestamp":"2025-01-16T10:20:30"})"),
            "");
  EXPECT_TRUE(EventValues(event_.values, 3).IsNull(2));
}

TEST_F(EventDecoderTest, PreciseReasons) {
  const std::string tail = R"(,"timestamp":"2025-01-16T10:20:30"})";
  EXPECT_EQ(Reason("{\"user_id\":"), "invalid json");
  EXPECT_EQ(Reason("not json at all"), "invalid json");
  EXPECT_EQ(Reason(""), "empty value");
  EXPECT_EQ(Reason(std::string(kGood) + " {}"), "invalid json");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":1,})"),
            "invalid json");
  EXPECT_EQ(Reason("[1,2,3]"), "not a JSON object");
  EXPECT_EQ(Reason("42"), "not a JSON object");
  EXPECT_EQ(Reason(R"("a string")"), "not a JSON object");
  EXPECT_EQ(Reason("null"), "not a JSON object");
  EXPECT_EQ(Reason("nope"), "invalid json");
  EXPECT_EQ(Reason("[1,"), "invalid json");
  EXPECT_EQ(Reason(R"({"session_id":"s","product_id":"p","amount":1)" + tail),
            "missing user_id");
  EXPECT_EQ(Reason(R"({"user_id":null,"session_id":"s","product_id":"p","amount":1)" + tail),
            "null user_id");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":"19.99")" + tail),
            "wrong type for amount: expected number, got string");
  EXPECT_EQ(Reason(R"({"user_id":7,"session_id":"s","product_id":"p","amount":1)" + tail),
            "wrong type for user_id: expected string, got number");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":["s"],"product_id":"p","amount":1)" + tail),
            "wrong type for session_id: expected string, got array");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":1,"quantity":1.5)" +
                   tail),
            "wrong type for quantity: expected integer, got fractional number");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":1,)"
                   R"("quantity":99999999999999999999)" + tail),
            "quantity out of range");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":1,)"
                   R"("timestamp":"yesterday"})"),
            "bad timestamp \"yesterday\"");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":1,)"
                   R"("timestamp":1737022830})"),
            "wrong type for timestamp: expected timestamp string, got number");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":1})"),
            "missing timestamp");
  EXPECT_EQ(Reason(R"({"user_id":"u","user_id":"v","session_id":"s","product_id":"p","amount":1)" +
                   tail),
            "duplicate field user_id");
  EXPECT_EQ(Reason(R"({"user_id":"u","session_id":"s","product_id":"p","amount":nul)" + tail),
            "invalid json");
}

TEST_F(EventDecoderTest, RejectCarriesEventTimeWhenReadable) {
  std::optional<Reject> r = decoder_->Decode(
      R"({"amount":"x","user_id":"u","session_id":"s","product_id":"p",)"
      R"("timestamp":"2025-01-16T10:20:30"})",
      &event_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RejectKind::kWrongType);
  ASSERT_TRUE(r->event_time);  // found after the failure by a second look
  EXPECT_EQ(r->event_time->micros(), 1737022830000000);
  r = decoder_->Decode("{", &event_);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->event_time);
}

TEST_F(EventDecoderTest, LongValueIsCopiedIntoPaddedBuffer) {
  // A value that ends exactly at the end of its allocation (as librdkafka's do) is safe:
  // AddressSanitizer would flag a read past it.
  std::string big = R"({"user_id":"u","session_id":"s","product_id":")" + std::string(5000, 'x') +
                    R"(","amount":1,"timestamp":"2025-01-16T10:20:30"})";
  auto heap = std::make_unique<char[]>(big.size());
  std::memcpy(heap.get(), big.data(), big.size());
  EXPECT_EQ(Reason(std::string_view(heap.get(), big.size())), "");
  EXPECT_EQ(EventValues(event_.values, 3).GetString(1).size(), 5000u);
  EXPECT_EQ(Reason(kGood), "");  // the buffer shrinks back in use without harm
}

TEST(EventDecoderCreate, RefusesBadSpecs) {
  StreamSpec s = Purchases();
  EXPECT_FALSE(EventDecoder::Create(s, {"nope"}).ok());
  EXPECT_FALSE(EventDecoder::Create(s, {"user_id"}).ok());    // key: in the key already
  EXPECT_FALSE(EventDecoder::Create(s, {"timestamp"}).ok());  // in ts already
  s.key_fields = {"amount"};
  EXPECT_FALSE(EventDecoder::Create(s, {}).ok());  // double key
  s = Purchases();
  s.timestamp_field = "product_id";
  EXPECT_FALSE(EventDecoder::Create(s, {}).ok());
  s = Purchases();
  s.fields.push_back({"amount", FieldType::kDouble});
  EXPECT_FALSE(EventDecoder::Create(s, {}).ok());
}

TEST(EventDecoderLongKeys, NumbersAsKeysWhenDeclaredLong) {
  StreamSpec s{"s", "t", {{"id", FieldType::kLong}, {"ts", FieldType::kTimestamp}}, {"id"}, "ts"};
  auto d = EventDecoder::Create(s, {});
  ASSERT_TRUE(d.ok());
  DecodedEvent e;
  ASSERT_FALSE((*d)->Decode(R"({"id":-42,"ts":"2025-01-16T10:20:30"})", &e));
  EventKey key(e.key);
  std::string_view part;
  ASSERT_TRUE(key.Next(&part));
  EXPECT_EQ(EventKey::LongFromPart(part), -42);
  std::optional<Reject> r = (*d)->Decode(R"({"id":"42","ts":"2025-01-16T10:20:30"})", &e);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "wrong type for id: expected integer, got string");
}

// Field names of every length from 1 to 24: a member whose name differs from the field's in
// any one byte (first, middle, last) is another field, so the required field is missing; the
// exact name decodes.
TEST(EventDecoderKeyNames, AMemberNamesAFieldOnlyByItsExactName) {
  for (size_t len = 1; len <= 24; ++len) {
    std::string name;
    for (size_t i = 0; i < len; ++i) name += static_cast<char>('a' + i % 26);
    StreamSpec s{"s", "t", {{name, FieldType::kString}, {"ts", FieldType::kTimestamp}}, {name}, "ts"};
    auto d = EventDecoder::Create(s, {});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    DecodedEvent e;
    auto record = [](const std::string& member) {
      return "{\"" + member + "\": \"k\", \"ts\": \"2025-01-16T10:20:30\"}";
    };
    EXPECT_FALSE((*d)->Decode(record(name), &e).has_value()) << name;
    for (size_t at = 0; at < len; ++at) {
      std::string other = name;
      other[at] = 'Z';
      std::optional<Reject> r = (*d)->Decode(record(other), &e);
      ASSERT_TRUE(r.has_value()) << other << " was taken for " << name;
      EXPECT_EQ(r->reason, "missing " + name) << other;
    }
  }
}

}  // namespace
}  // namespace braid

namespace braid {
namespace {

// Random damage to valid records: the decoder must never crash or read out of bounds (run
// under AddressSanitizer), every verdict has a reason, and what it accepts is well-formed.
TEST(EventDecoderFuzz, MutatedRecordsNeverCrash) {
  auto d = EventDecoder::Create(Purchases(), {"amount", "product_id", "quantity"});
  ASSERT_TRUE(d.ok());
  const std::vector<std::string> seeds = {
      kGood,
      R"({"user_id":"u\u00e9","session_id":"s","product_id":"p","amount":-1e3,"quantity":7,)"
      R"("timestamp":"2025-01-16 10:20:30+05:30"})",
      R"({"timestamp":"2025-01-16T10:20:30.123456789Z","amount":0,"session_id":"","user_id":"x",)"
      R"("product_id":"\\\""})"};
  std::mt19937_64 r(1);
  DecodedEvent e;
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string v = seeds[iter % seeds.size()];
    for (int k = std::uniform_int_distribution<int>(1, 3)(r); k > 0 && !v.empty(); --k) {
      const size_t at = std::uniform_int_distribution<size_t>(0, v.size() - 1)(r);
      switch (std::uniform_int_distribution<int>(0, 2)(r)) {
        case 0: v[at] = static_cast<char>(r()); break;
        case 1: v.erase(at, 1); break;
        default: v.insert(at, 1, "{}[]\":,\\0e.-"[r() % 12]); break;
      }
    }
    std::optional<Reject> reject = (*d)->Decode(v, &e);
    if (reject) {
      EXPECT_FALSE(reject->reason.empty());
      continue;
    }
    ++accepted;
    EXPECT_TRUE(EventValues::IsValid(e.values, (*d)->stored_types())) << v;
    EventKey key(e.key);
    std::string_view part;
    EXPECT_TRUE(key.Next(&part) && key.Next(&part) && key.AtEnd()) << v;
  }
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace braid
