#include "base/time_format.h"

#include <gtest/gtest.h>

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
