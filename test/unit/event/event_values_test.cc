#include "event/event_values.h"

#include <gtest/gtest.h>

#include <vector>

#include "event/event_key.h"

namespace braid {
namespace {

TEST(EventValues, RoundTripsEveryTypeAndNull) {
  std::string buf;
  EventValuesBuilder b;
  b.Start(&buf, 5);
  b.AddString("hello");
  b.AddNull();
  b.AddDouble(-2.5);
  b.AddInt(int64_t{1} << 40);
  b.AddString("");
  b.Finish();
  const std::vector<FieldType> types = {FieldType::kString, FieldType::kString,
                                        FieldType::kDouble, FieldType::kLong, FieldType::kString};
  ASSERT_TRUE(EventValues::IsValid(buf, types));
  EventValues v(buf, 5);
  EXPECT_EQ(v.GetString(0), "hello");
  EXPECT_TRUE(v.IsNull(1));
  EXPECT_EQ(v.GetDouble(2), -2.5);
  EXPECT_EQ(v.GetInt(3), int64_t{1} << 40);
  EXPECT_FALSE(v.IsNull(4));
  EXPECT_EQ(v.GetString(4), "");
}

TEST(EventValues, IsValidRefusesDamagedEncodings) {
  std::string buf;
  EventValuesBuilder b;
  b.Start(&buf, 2);
  b.AddDouble(1);
  b.AddString("x");
  b.Finish();
  const std::vector<FieldType> types = {FieldType::kDouble, FieldType::kString};
  ASSERT_TRUE(EventValues::IsValid(buf, types));
  EXPECT_FALSE(EventValues::IsValid(buf.substr(0, buf.size() - 1), types));
  EXPECT_FALSE(EventValues::IsValid(buf + "z", types));
  EXPECT_FALSE(EventValues::IsValid("", types));
  const std::vector<FieldType> wrong = {FieldType::kString, FieldType::kDouble};
  EXPECT_FALSE(EventValues::IsValid(buf, wrong));  // the double slot would not be 8 bytes
  std::string bad_tag = buf;
  bad_tag[8] = 7;
  EXPECT_FALSE(EventValues::IsValid(bad_tag, types));
  // Every truncation and every single-byte change is either refused or stays in bounds.
  for (size_t i = 0; i < buf.size(); ++i) {
    for (int delta : {1, 0x80, 0xFF}) {
      std::string m = buf;
      m[i] = static_cast<char>(m[i] + delta);
      if (EventValues::IsValid(m, types)) {
        EventValues v(m, 2);
        (void)v.GetDouble(0);
        (void)v.GetString(1);
      }
    }
  }
}

TEST(EventKey, LengthPrefixesKeepSeparatorLookalikesApart) {
  std::string a, b, c;
  EventKey::AppendString("a|b", &a);
  EventKey::AppendString("c", &a);
  EventKey::AppendString("a", &b);
  EventKey::AppendString("b|c", &b);
  EventKey::AppendString(std::string("a\0b", 3), &c);
  EventKey::AppendString("c", &c);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(b, c);
  EventKey r(c);
  std::string_view part;
  ASSERT_TRUE(r.Next(&part));
  EXPECT_EQ(part, std::string_view("a\0b", 3));
  ASSERT_TRUE(r.Next(&part));
  EXPECT_EQ(part, "c");
  EXPECT_FALSE(r.Next(&part));
  EXPECT_TRUE(r.AtEnd());
}

TEST(EventKey, LongPartsAndLongStrings) {
  std::string k;
  EventKey::AppendLong(-1, &k);
  EventKey::AppendLong(INT64_MIN, &k);
  const std::string big(300, 'z');  // a two-byte length prefix
  EventKey::AppendString(big, &k);
  EventKey r(k);
  std::string_view part;
  ASSERT_TRUE(r.Next(&part));
  EXPECT_EQ(EventKey::LongFromPart(part), -1);
  ASSERT_TRUE(r.Next(&part));
  EXPECT_EQ(EventKey::LongFromPart(part), INT64_MIN);
  ASSERT_TRUE(r.Next(&part));
  EXPECT_EQ(part, big);
  EXPECT_TRUE(r.AtEnd());
  EventKey truncated(std::string_view(k).substr(0, k.size() - 1));
  ASSERT_TRUE(truncated.Next(&part));
  ASSERT_TRUE(truncated.Next(&part));
  EXPECT_FALSE(truncated.Next(&part));
}

}  // namespace
}  // namespace braid
