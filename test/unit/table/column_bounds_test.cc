#include "table/column_bounds.h"

#include <gtest/gtest.h>

#include "table/parquet_stats.h"

namespace braid {
namespace {

TEST(ColumnBounds, NumbersAreLittleEndian) {
  EXPECT_EQ(EncodeIntBound(1), std::string("\x01\x00\x00\x00", 4));
  EXPECT_EQ(EncodeIntBound(-2), std::string("\xfe\xff\xff\xff", 4));
  EXPECT_EQ(EncodeLongBound(0x0102030405060708LL), std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  // 1.0 = 0x3FF0000000000000
  EXPECT_EQ(EncodeDoubleBound(1.0), std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8));
}

TEST(ColumnBounds, ShortStringsAreKeptWhole) {
  EXPECT_EQ(TruncateLowerBound("abc"), "abc");
  EXPECT_EQ(*TruncateUpperBound("abc"), "abc");
  std::string sixteen = "0123456789abcdef";
  EXPECT_EQ(TruncateLowerBound(sixteen), sixteen);
  EXPECT_EQ(*TruncateUpperBound(sixteen), sixteen);
  EXPECT_EQ(*TruncateUpperBound(""), "");
}

TEST(ColumnBounds, LongStringsAreTruncatedAndTheUpperBoundIncremented) {
  std::string s = "https://example.com/page/42";
  EXPECT_EQ(TruncateLowerBound(s), "https://example.");
  EXPECT_EQ(*TruncateUpperBound(s), "https://example/");  // '.' + 1 = '/'
  EXPECT_GT(*TruncateUpperBound(s), s);
}

TEST(ColumnBounds, CountsCodePointsNotBytes) {
  // 17 two-byte characters: the bound keeps 16 of them (32 bytes).
  std::string s;
  for (int i = 0; i < 17; ++i) s += "é";
  EXPECT_EQ(TruncateLowerBound(s).size(), 32u);
  std::string upper = *TruncateUpperBound(s);
  EXPECT_EQ(upper.size(), 32u);
  EXPECT_EQ(upper.substr(0, 30), s.substr(0, 30));
  EXPECT_EQ(upper.substr(30), "ê");  // U+00E9 + 1 = U+00EA
  // Three- and four-byte characters.
  std::string mixed = "日本語のテキストはここで十六文字を超える";
  EXPECT_EQ(TruncateLowerBound(mixed), "日本語のテキストはここで十六文字");
  EXPECT_EQ(*TruncateUpperBound(mixed), "日本語のテキストはここで十六文存");  // 字 U+5B57 → 存 U+5B58
  std::string emoji;
  for (int i = 0; i < 20; ++i) emoji += "😀";  // U+1F600
  EXPECT_EQ(TruncateLowerBound(emoji).size(), 64u);
  std::string up = *TruncateUpperBound(emoji);
  EXPECT_EQ(up.substr(60), "😁");
}

TEST(ColumnBounds, MaxCodePointsCarryToTheLeftOrGiveNoBound) {
  const std::string max_cp = "\xf4\x8f\xbf\xbf";  // U+10FFFF
  std::string s = "a" + std::string();
  for (int i = 0; i < 15; ++i) s += max_cp;
  s += "zz";  // 18 code points
  // The last 15 kept code points cannot grow: they are dropped and 'a' becomes 'b'.
  EXPECT_EQ(*TruncateUpperBound(s), "b");
  std::string all_max;
  for (int i = 0; i < 17; ++i) all_max += max_cp;
  EXPECT_FALSE(TruncateUpperBound(all_max).has_value());
  // U+D7FF + 1 skips the surrogates to U+E000.
  std::string before_surrogates = std::string(15, 'x') + "\xed\x9f\xbf" + "tail";
  EXPECT_EQ(TruncateUpperBound(before_surrogates)->substr(15), "\xee\x80\x80");
}

TEST(ColumnBounds, RendersForPeople) {
  EXPECT_EQ(RenderBound("string", "abc"), "'abc'");
  EXPECT_EQ(RenderBound("long", EncodeLongBound(-5)), "-5");
  EXPECT_EQ(RenderBound("int", EncodeIntBound(7)), "7");
  EXPECT_EQ(RenderBound("double", EncodeDoubleBound(2.5)), "2.5");
  EXPECT_EQ(RenderBound("timestamptz", EncodeLongBound(1737022830123456LL)), "2025-01-16T10:20:30.123456Z");
  EXPECT_EQ(RenderBound("long", "xy"), "0x7879");
}

TEST(ParquetStats, ParsesDuckDbTimestamps) {
  EXPECT_EQ(ParseDuckDbTimestampTz("2025-01-16 10:20:30.123456+00"), 1737022830123456LL);
  EXPECT_EQ(ParseDuckDbTimestampTz("2025-01-16 10:20:30+00"), 1737022830000000LL);
  EXPECT_EQ(ParseDuckDbTimestampTz("2025-01-16 10:20:30.5+00"), 1737022830500000LL);
  EXPECT_EQ(ParseDuckDbTimestampTz("2025-01-16 12:20:30+02"), 1737022830000000LL);
  EXPECT_EQ(ParseDuckDbTimestampTz("2025-01-16 05:50:30-04:30"), 1737022830000000LL);
  EXPECT_EQ(ParseDuckDbTimestampTz("1969-12-31 23:59:59.999999+00"), -1);
  EXPECT_EQ(ParseDuckDbTimestampTz("1970-01-01 00:00:00+00"), 0);
  EXPECT_FALSE(ParseDuckDbTimestampTz("infinity").has_value());
  EXPECT_FALSE(ParseDuckDbTimestampTz("0044-03-15 00:00:00+00 (BC)").has_value());
  EXPECT_FALSE(ParseDuckDbTimestampTz("2025-02-30 00:00:00+00").has_value());
}

}  // namespace
}  // namespace braid
