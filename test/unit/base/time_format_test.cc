#include "base/time_format.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace braid {
namespace {

TEST(ParseDuration, AcceptsTheSeedsFormsAndShortOnes) {
  EXPECT_EQ(ParseDuration("30 seconds")->micros(), 30'000'000);
  EXPECT_EQ(ParseDuration("30s")->micros(), 30'000'000);
  EXPECT_EQ(ParseDuration("2m")->micros(), 120'000'000);
  EXPECT_EQ(ParseDuration("2 minutes")->micros(), 120'000'000);
  EXPECT_EQ(ParseDuration("500ms")->micros(), 500'000);
  EXPECT_EQ(ParseDuration("1.5s")->micros(), 1'500'000);
  EXPECT_EQ(ParseDuration("1h")->micros(), 3'600'000'000);
  EXPECT_EQ(ParseDuration("10")->micros(), 10'000'000);
}

TEST(ParseDuration, RefusesGarbageWithTheAcceptedForms) {
  for (const char* bad : {"", "soon", "30 parsecs", "-5s", "s30", "1e99 days"}) {
    auto r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("30 seconds"), std::string::npos);
  }
}

// A duration past the limit was refused as malformed ("write a number and a unit"); it is
// well formed, only too large, and the message says what the most is.
TEST(ParseDuration, TooLargeNamesTheMaximum) {
  for (const char* big : {"99999999999999999999s", "100000000001", "1157407.5 days",
                          "999999999999999999999999999999999999999999999999h"}) {
    auto r = ParseDuration(big);
    ASSERT_FALSE(r.ok()) << big;
    EXPECT_EQ(r.status().message(),
              fmt::format("duration \"{}\" is too large: the most is 100000000000s (about 3,170 years)", big));
  }
  EXPECT_EQ(ParseDuration("100000000000")->micros(), kMaxDurationMicros);
  // Malformed stays malformed, however long.
  EXPECT_NE(ParseDuration("99999999999999999999 parsecs").status().message().find("bad duration"), std::string::npos);
}

// Found by the pipeline_config fuzz target: "1.us" printed as "1e-06s", which ParseDuration
// refuses; decimals went through a double, so long durations with a fraction were off.
TEST(ParseDuration, IsExactAndReadsBackWhatFormatDurationPrints) {
  EXPECT_EQ(FormatDuration(Duration::Micros(1)), "1us");
  EXPECT_EQ(FormatDuration(Duration::Micros(1'500'000)), "1.5s");
  EXPECT_EQ(FormatDuration(Duration::Micros(2'000'001)), "2.000001s");
  EXPECT_EQ(FormatDuration(Duration::Micros(250'000)), "250ms");
  EXPECT_EQ(FormatDuration(Duration::Micros(1'234)), "0.001234s");
  EXPECT_EQ(ParseDuration("12345678901.123456s")->micros(), 12'345'678'901'123'456);
  EXPECT_EQ(ParseDuration("0.0000015s")->micros(), 2);  // rounded to the nearest micro
  EXPECT_EQ(ParseDuration("1.us")->micros(), 1);
  EXPECT_EQ(ParseDuration("100000000000s")->micros(), kMaxDurationMicros);
  EXPECT_FALSE(ParseDuration("100000000000.000001s").ok());
  EXPECT_FALSE(ParseDuration("1.2.3s").ok());
  EXPECT_FALSE(ParseDuration(".s").ok());
  for (int64_t us : {int64_t{1}, int64_t{999}, int64_t{1'001}, int64_t{59'999'999},
                     int64_t{3'600'000'001}, kMaxDurationMicros - 1, kMaxDurationMicros}) {
    auto back = ParseDuration(FormatDuration(Duration::Micros(us)));
    ASSERT_TRUE(back.ok()) << FormatDuration(Duration::Micros(us));
    EXPECT_EQ(back->micros(), us) << FormatDuration(Duration::Micros(us));
  }
}

TEST(FormatTimestamp, PrintsUtcWithMicroseconds) {
  EXPECT_EQ(FormatTimestamp(Timestamp(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(Timestamp(1737022830123456)), "2025-01-16T10:20:30.123456Z");
  EXPECT_EQ(FormatTimestamp(Timestamp(-1)), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestamp(Timestamp::Max()), "+inf");
}

TEST(TimestampArithmetic, Saturates) {
  EXPECT_EQ(Timestamp::Max() + Duration::Seconds(1), Timestamp::Max());
  EXPECT_EQ(Timestamp::Min() - Duration::Seconds(1), Timestamp::Min());
  EXPECT_EQ((Timestamp(10) + Duration::Micros(5)).micros(), 15);
}

}  // namespace
}  // namespace braid
