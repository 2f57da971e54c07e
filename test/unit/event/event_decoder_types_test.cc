// The decoder on boolean fields, nested JSON paths and epoch timestamps.
#include <gtest/gtest.h>

#include "event/event_decoder.h"
#include "event/event_key.h"
#include "event/timestamp_parser.h"

namespace braid {
namespace {

constexpr int64_t kMillis = 1737022830123;  // 2025-01-16T10:20:30.123Z

// orders: key order.id (string) and customer.id (long), event time at (epoch millis), a
// boolean `paid`, an optional nested `ship.city` and an optional epoch-seconds `due`.
StreamSpec Orders() {
  StreamSpec s{"orders",
               "orders",
               {{"order.id", FieldType::kString},
                {"customer.id", FieldType::kLong},
                {"paid", FieldType::kBoolean},
                {"ship.city", FieldType::kString, /*required=*/false},
                {"ship.express", FieldType::kBoolean, /*required=*/false},
                {"due", FieldType::kTimestamp, /*required=*/false, TimeFormat::kEpochSeconds},
                {"at", FieldType::kTimestamp, true, TimeFormat::kEpochMillis}},
               {"order.id", "customer.id"},
               "at"};
  return s;
}

class EventDecoderTypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = EventDecoder::Create(Orders(), {"paid", "ship.city", "ship.express", "due"});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    decoder_ = std::move(*d);
  }
  std::optional<Reject> Decode(std::string_view json) { return decoder_->Decode(json, &event_); }
  std::string Reason(std::string_view json) {
    std::optional<Reject> r = Decode(json);
    return r ? r->reason : "";
  }
  EventValues Values() const { return EventValues(event_.values, 4); }
  std::unique_ptr<EventDecoder> decoder_;
  DecodedEvent event_;
};

std::string Order(const std::string& rest) {
  return R"({"order":{"id":"o1"},"customer":{"id":7,"name":"x"},)" + rest + "}";
}

TEST_F(EventDecoderTypesTest, DecodesNestedKeysBooleansAndEpochTimes) {
  ASSERT_EQ(Reason(Order(R"("paid":true,"ship":{"express":false,"city":"Oslo"},"due":1737022830,"at":1737022830123)")), "");
  EXPECT_EQ(event_.ts.micros(), kMillis * 1000);
  EventKey key(event_.key);
  std::string_view part;
  ASSERT_TRUE(key.Next(&part));
  EXPECT_EQ(part, "o1");
  ASSERT_TRUE(key.Next(&part));
  EXPECT_EQ(EventKey::LongFromPart(part), 7);
  EventValues v = Values();
  EXPECT_EQ(v.GetInt(0), 1);
  EXPECT_EQ(v.GetString(1), "Oslo");
  EXPECT_EQ(v.GetInt(2), 0);
  EXPECT_EQ(v.GetInt(3), 1737022830000000);
  const std::vector<FieldType> types{FieldType::kBoolean, FieldType::kString, FieldType::kBoolean,
                                     FieldType::kTimestamp};
  EXPECT_TRUE(EventValues::IsValid(event_.values, types));

  // Members in any order, unknown ones at any depth ignored, false is false.
  ASSERT_EQ(Reason(R"({"at":0,"x":{"order":1},"customer":{"id":-3},"paid":false,"order":{"n":[1],"id":"o2"}})"), "");
  EXPECT_EQ(event_.ts.micros(), 0);
  EXPECT_EQ(Values().GetInt(0), 0);
  EXPECT_TRUE(Values().IsNull(1));
  EXPECT_TRUE(Values().IsNull(3));
}

TEST_F(EventDecoderTypesTest, ABooleanTakesOnlyTrueOrFalse) {
  EXPECT_EQ(Reason(Order(R"("paid":"true","at":1)")), "wrong type for paid: expected boolean, got string");
  EXPECT_EQ(Reason(Order(R"("paid":1,"at":1)")), "wrong type for paid: expected boolean, got number");
  EXPECT_EQ(Decode(Order(R"("paid":"true","at":1)"))->kind, RejectKind::kWrongType);
  EXPECT_EQ(Reason(Order(R"("paid":null,"at":1)")), "null paid");
  EXPECT_EQ(Reason(Order(R"("paid":tru,"at":1)")), "invalid json");
  EXPECT_EQ(Reason(Order(R"("at":1)")), "missing paid");
}

TEST_F(EventDecoderTypesTest, AnEpochIsAnIntegerInRange) {
  std::optional<Reject> r = Decode(Order(R"("paid":true,"at":"1737022830123")"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RejectKind::kWrongType);
  EXPECT_EQ(r->reason, "wrong type for at: expected integer epoch_millis, got string");
  EXPECT_FALSE(r->event_time) << "a string is no epoch time";
  EXPECT_EQ(Reason(Order(R"("paid":true,"at":1737022830123.5)")),
            "wrong type for at: expected integer epoch_millis, got fractional number");
  r = Decode(Order(R"("paid":true,"at":253402300800000)"));  // year 10000
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RejectKind::kBadTimestamp);
  EXPECT_EQ(r->reason, "bad timestamp \"253402300800000\" epoch_millis: out of range");
  EXPECT_EQ(Reason(Order(R"("paid":true,"at":99999999999999999999)")),
            "bad timestamp \"99999999999999999999\" epoch_millis: out of range");
  EXPECT_EQ(Reason(Order(R"("paid":true,"at":-9223372036854775808)")),
            "bad timestamp \"-9223372036854775808\" epoch_millis: out of range");
  EXPECT_EQ(Reason(Order(R"("paid":true,"due":1e3,"at":5)")),
            "wrong type for due: expected integer epoch_seconds, got fractional number");
  EXPECT_EQ(Reason(Order(R"("paid":true,"due":253402300800,"at":5)")),
            "bad timestamp for due: \"253402300800\" epoch_seconds: out of range");
  // Before 1970 is in range.
  ASSERT_EQ(Reason(Order(R"("paid":true,"at":-1000)")), "");
  EXPECT_EQ(event_.ts.micros(), -1000000);
}

TEST_F(EventDecoderTypesTest, ARejectCarriesANestedOrEpochEventTime) {
  std::optional<Reject> r = Decode(Order(R"("paid":"yes","at":1737022830123)"));
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->event_time);
  EXPECT_EQ(r->event_time->micros(), kMillis * 1000);
  // The event time comes after the failing field: found by path.
  auto d = EventDecoder::Create(
      StreamSpec{"s", "t", {{"k", FieldType::kString}, {"meta.at", FieldType::kTimestamp}}, {"k"}, "meta.at"}, {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  DecodedEvent e;
  r = (*d)->Decode(R"({"k":1,"meta":{"x":1,"at":"2025-01-16T10:20:30Z"}})", &e);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "wrong type for k: expected string, got number");
  ASSERT_TRUE(r->event_time);
  EXPECT_EQ(r->event_time->micros(), 1737022830000000);
}

TEST_F(EventDecoderTypesTest, APathThroughANonObjectIsABadRecord) {
  std::optional<Reject> r = Decode(R"({"order":"o1","customer":{"id":7},"paid":true,"at":1})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RejectKind::kWrongType);
  EXPECT_EQ(r->reason, "wrong type for order: expected object, got string");
  EXPECT_EQ(Reason(Order(R"("paid":true,"ship":[1],"at":1)")), "wrong type for ship: expected object, got array");
}

TEST_F(EventDecoderTypesTest, AnAbsentOrNullObjectFollowsTheMissingFieldRules) {
  // Required fields below it: missing / null.
  EXPECT_EQ(Reason(R"({"customer":{"id":7},"paid":true,"at":1})"), "missing order.id");
  EXPECT_EQ(Reason(R"({"order":{},"customer":{"id":7},"paid":true,"at":1})"), "missing order.id");
  EXPECT_EQ(Reason(R"({"order":null,"customer":{"id":7},"paid":true,"at":1})"), "null order.id");
  // Optional fields below it: NULL.
  ASSERT_EQ(Reason(Order(R"("paid":true,"ship":null,"at":1)")), "");
  EXPECT_TRUE(Values().IsNull(1));
  EXPECT_TRUE(Values().IsNull(2));
  ASSERT_EQ(Reason(Order(R"("paid":true,"ship":{"city":null},"at":1)")), "");
  EXPECT_TRUE(Values().IsNull(1));
}

TEST_F(EventDecoderTypesTest, AnObjectGivenTwiceIsADuplicate) {
  EXPECT_EQ(Reason(R"({"order":{"id":"a"},"order":{"id":"b"},"customer":{"id":7},"paid":true,"at":1})"),
            "duplicate field order");
  EXPECT_EQ(Reason(R"({"order":{"id":"a","id":"b"},"customer":{"id":7},"paid":true,"at":1})"),
            "duplicate field order.id");
}

TEST(EventDecoderTypes, RefusesAFieldThatIsAlsoAnObjectOnAPath) {
  StreamSpec s{"s", "t", {{"user", FieldType::kString}, {"user.id", FieldType::kString},
                          {"ts", FieldType::kTimestamp}}, {"user"}, "ts"};
  auto d = EventDecoder::Create(s, {});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("\"user\" is also the object holding \"user.id\""), std::string::npos)
      << d.status().message();
  s.fields[1].name = "user..id";
  EXPECT_NE(EventDecoder::Create(s, {}).status().message().find("empty part"), std::string::npos);
  s.fields[1] = {"n", FieldType::kLong, true, TimeFormat::kEpochMillis};
  EXPECT_NE(EventDecoder::Create(s, {}).status().message().find("not a timestamp"), std::string::npos);
  s.fields[1] = {"b", FieldType::kBoolean};
  s.key_fields = {"b"};
  EXPECT_NE(EventDecoder::Create(s, {}).status().message().find("keys must be string or long"), std::string::npos);
}

TEST(EventDecoderTypes, ABooleanSlotHoldsOnlyZeroOrOne) {
  EventValuesBuilder b;
  std::string encoded;
  b.Start(&encoded, 1);
  b.AddInt(2);
  b.Finish();
  const std::vector<FieldType> types{FieldType::kBoolean};
  EXPECT_FALSE(EventValues::IsValid(encoded, types));
  EXPECT_TRUE(EventValues::IsValid(encoded, std::vector<FieldType>{FieldType::kLong}));
}

TEST(EpochTimestamp, ScalesEachUnitAndRefusesOutOfRange) {
  EXPECT_EQ(EpochTimestamp(1737022830, TimeFormat::kEpochSeconds)->micros(), 1737022830000000);
  EXPECT_EQ(EpochTimestamp(kMillis, TimeFormat::kEpochMillis)->micros(), kMillis * 1000);
  EXPECT_EQ(EpochTimestamp(5, TimeFormat::kEpochMicros)->micros(), 5);
  EXPECT_EQ(*EpochTimestamp(kMaxEventTime.micros() / 1000, TimeFormat::kEpochMillis),
            Timestamp(kMaxEventTime.micros() / 1000 * 1000));
  EXPECT_EQ(*EpochTimestamp(kMinEventTime.micros() / 1000000, TimeFormat::kEpochSeconds), kMinEventTime);
  EXPECT_FALSE(EpochTimestamp(kMaxEventTime.micros() / 1000000 + 1, TimeFormat::kEpochSeconds));
  EXPECT_FALSE(EpochTimestamp(kMinEventTime.micros() / 1000 - 1, TimeFormat::kEpochMillis));
  EXPECT_FALSE(EpochTimestamp(INT64_MAX, TimeFormat::kEpochSeconds)) << "no overflow";
  EXPECT_FALSE(EpochTimestamp(INT64_MIN, TimeFormat::kEpochMicros));
}

}  // namespace
}  // namespace braid
