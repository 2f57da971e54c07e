#include "event/timestamp_parser.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace braid {
namespace {

constexpr int64_t kBase = 1737022830000000;  // 2025-01-16T10:20:30Z

int64_t Parse(const char* s) {
  std::optional<Timestamp> t = ParseEventTimestamp(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t ? t->micros() : 0;
}

TEST(ParseEventTimestamp, PythonIsoformatIsUtc) {
  EXPECT_EQ(Parse("2025-01-16T10:20:30.123456"), kBase + 123456);
  EXPECT_EQ(Parse("2025-01-16T10:20:30"), kBase);  // isoformat() omits a zero fraction
  EXPECT_EQ(Parse("1970-01-01T00:00:00"), 0);
}

TEST(ParseEventTimestamp, ZonesAndSeparators) {
  EXPECT_EQ(Parse("2025-01-16T10:20:30Z"), kBase);
  EXPECT_EQ(Parse("2025-01-16t10:20:30z"), kBase);
  EXPECT_EQ(Parse("2025-01-16 10:20:30"), kBase);
  EXPECT_EQ(Parse("2025-01-16T10:20:30+00:00"), kBase);
  EXPECT_EQ(Parse("2025-01-16T11:20:30+01:00"), kBase);
  EXPECT_EQ(Parse("2025-01-16T11:20:30+0100"), kBase);
  EXPECT_EQ(Parse("2025-01-16T11:20:30+01"), kBase);
  EXPECT_EQ(Parse("2025-01-16T04:50:30.5-05:30"), kBase + 500000);
  EXPECT_EQ(Parse("2025-01-17T00:20:30+14:00"), kBase);
  EXPECT_EQ(Parse("2025-01-16T10:20"), kBase - 30000000);  // no seconds
}

TEST(ParseEventTimestamp, FractionDigitsKeptToMicrosecondsByTruncation) {
  EXPECT_EQ(Parse("2025-01-16T10:20:30.1"), kBase + 100000);
  EXPECT_EQ(Parse("2025-01-16T10:20:30.12"), kBase + 120000);
  EXPECT_EQ(Parse("2025-01-16T10:20:30.123"), kBase + 123000);
  EXPECT_EQ(Parse("2025-01-16T10:20:30.1234567"), kBase + 123456);
  EXPECT_EQ(Parse("2025-01-16T10:20:30.999999999"), kBase + 999999);
  EXPECT_EQ(Parse("2025-01-16T10:20:30.000000001Z"), kBase);
}

TEST(ParseEventTimestamp, CalendarEdges) {
  EXPECT_EQ(Parse("2024-02-29T00:00:00"), 1709164800000000);  // leap day
  EXPECT_EQ(Parse("1969-12-31T23:59:59.999999"), -1);
  EXPECT_EQ(Parse("2000-03-01T00:00:00Z"), 951868800000000);
  EXPECT_EQ(Parse("9999-12-31T23:59:59.999999"), 253402300799999999);
  EXPECT_EQ(Parse("0001-01-01T00:00:00"), -62135596800000000);
}

TEST(ParseEventTimestamp, RejectsGarbageAndOutOfRange) {
  for (const char* bad :
       {"", "yesterday", "2025-01-16", "2025-01-16T", "2025-01-16T10", "2025-1-16T10:20:30",
        "25-01-16T10:20:30", "2025-01-16X10:20:30", "2025-13-01T00:00:00",
        "2025-00-10T00:00:00", "2025-02-29T00:00:00", "2025-04-31T00:00:00",
        "2025-01-00T00:00:00", "2025-01-16T24:00:00", "2025-01-16T10:60:00",
        "2025-01-16T10:20:60", "2025-01-16T10:20:30.", "2025-01-16T10:20:30.1234567890",
        "2025-01-16T10:20:30+24:00", "2025-01-16T10:20:30+01:60", "2025-01-16T10:20:30+1",
        "2025-01-16T10:20:30+01:0", "2025-01-16T10:20:30 ", " 2025-01-16T10:20:30",
        "2025-01-16T10:20:30ZZ", "2025-01-16T10:20:30Z+01:00", "2025-01-16T10:20:30UTC",
        "0000-01-01T00:00:00", "2025-01-16T1a:20:30", "2025/01/16T10:20:30",
        "2025-01-16T10:20:30.12a", "1737022830"}) {
    EXPECT_FALSE(ParseEventTimestamp(bad).has_value()) << bad;
  }
}

// Found by the timestamp fuzz target: a zone offset moved an in-range local time past the
// range the join-state checkpoint accepts, so a restart would refuse the saved state.
TEST(ParseEventTimestamp, OffsetMustNotLeaveTheCheckpointRange) {
  EXPECT_FALSE(ParseEventTimestamp("9999-12-31T23:59:59.9993-01").has_value());
  EXPECT_FALSE(ParseEventTimestamp("0001-01-01T00:00:00+00:01").has_value());
  EXPECT_EQ(Parse("9999-12-31T23:59:59.999999+00:00"), kMaxEventTime.micros());
  EXPECT_EQ(Parse("0001-01-01T00:59:00+00:59"), kMinEventTime.micros());
  EXPECT_EQ(Parse("9999-12-31T22:59:59-01:00"), 253402300799000000);
}

}  // namespace
}  // namespace braid

namespace braid {
namespace {

// The parser that remembers the last minute reads every text as ParseEventTimestamp does,
// whatever came before it: texts drawn from a few minutes (so that most repeat the last one's
// first 16 bytes), with every accepted form of the rest and damaged bytes anywhere.
TEST(TimestampParser, AgreesWithParseEventTimestampWhateverCameBefore) {
  std::mt19937_64 r(5);
  auto pick = [&r](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(r); };
  const std::vector<std::string> minutes = {"2025-01-16T10:20", "2025-01-16T10:21", "2025-01-16 10:20",
                                            "0001-01-01T00:00", "9999-12-31T23:59", "2024-02-29T23:59",
                                            "2023-02-29T10:00", "2025-13-01T10:00", "2025-01-16T24:00"};
  const std::vector<std::string> rests = {"",       ":30",      ":30.1",      ":30.123456", ":30.123456789",
                                          ":59Z",    ":00+05:30", ":00-0130",  ":00+23:59", ":60",
                                          ":30.",    ":30.1234567890", "Z",   "+01",       ":30 ",
                                          ":30+24:00", "x"};
  TimestampParser parser;
  int accepted = 0, differing_minutes = 0;
  std::string last;
  for (int i = 0; i < 50000; ++i) {
    std::string text = minutes[pick(4) == 0 ? pick(minutes.size()) : pick(2)] + rests[pick(rests.size())];
    if (pick(10) == 0 && !text.empty()) text[pick(text.size())] = "0123456789:-T Z+."[pick(17)];
    if (pick(50) == 0) text.resize(pick(text.size() + 1));
    differing_minutes += last.substr(0, 16) != text.substr(0, 16);
    last = text;
    std::optional<Timestamp> want = ParseEventTimestamp(text);
    std::optional<Timestamp> got = parser.Parse(text);
    ASSERT_EQ(got.has_value(), want.has_value()) << text;
    if (want) {
      ++accepted;
      ASSERT_EQ(got->micros(), want->micros()) << text;
    }
  }
  EXPECT_GT(accepted, 10000);
  EXPECT_GT(differing_minutes, 5000);
}


// ":ss.ffffff" without a zone (26 bytes) is read by a straight run of its own; with a "Z" the
// same instant goes the general way. The two must agree on every such text, and a bad byte at
// any place must make both refuse it, or (where it still reads as a timestamp) agree.
TEST(ParseEventTimestamp, TheSixDigitFormReadsAsTheGeneralPathDoes) {
  std::mt19937_64 r(11);
  int checked = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06d",
                  static_cast<int>(r() % 9999 + 1), static_cast<int>(r() % 12 + 1),
                  static_cast<int>(r() % 28 + 1), static_cast<int>(r() % 24),
                  static_cast<int>(r() % 60), static_cast<int>(r() % 61),
                  static_cast<int>(r() % 1000000));
    std::string plain(text);
    ASSERT_EQ(plain.size(), 26u);
    if (r() % 3 == 0) plain[16 + r() % 10] = "0123456789:.x/"[r() % 14];  // no Z: it would make a zone
    std::optional<Timestamp> got = ParseEventTimestamp(plain);
    std::optional<Timestamp> want = ParseEventTimestamp(plain + "Z");
    ASSERT_EQ(got.has_value(), want.has_value()) << plain;
    if (got) {
      ASSERT_EQ(got->micros(), want->micros()) << plain;
      ++checked;
    } else {
      ++refused;
    }
  }
  EXPECT_GT(checked, 12000);
  EXPECT_GT(refused, 500);  // second 60, years pushed out of range, bad bytes
  EXPECT_EQ(Parse("2025-01-16T10:20:30.000001"), kBase + 1);
  EXPECT_FALSE(ParseEventTimestamp("2025-01-16T10:20:60.000000").has_value());
}

}  // namespace
}  // namespace braid
