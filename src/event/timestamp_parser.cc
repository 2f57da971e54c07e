#include "event/timestamp_parser.h"

#include <chrono>
#include <cstring>

#include "base/short_bytes.h"

// Written by hand rather than with std::chrono::parse: GCC 12's libstdc++ does not ship
// chrono::parse, and the hot path needs exact control over which forms are accepted (every
// record carries a timestamp, so this runs millions of times per second and must not allocate
// or depend on the locale).

namespace braid {
namespace {

// Reads exactly `n` ASCII digits at `s[*pos]`, advancing `*pos`; false if there are fewer.
bool Digits(std::string_view s, size_t* pos, int n, int* out) {
  if (*pos + static_cast<size_t>(n) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// Parses the zone suffix starting at `pos` (which may be the end) into an offset in seconds
// east of UTC.
bool ParseZone(std::string_view s, size_t pos, int64_t* offset_seconds) {
  *offset_seconds = 0;
  if (pos == s.size()) return true;
  char c = s[pos];
  if (c == 'Z' || c == 'z') return pos + 1 == s.size();
  if (c != '+' && c != '-') return false;
  ++pos;
  int hh = 0, mm = 0;
  if (!Digits(s, &pos, 2, &hh)) return false;
  if (pos < s.size()) {
    if (s[pos] == ':') ++pos;
    if (!Digits(s, &pos, 2, &mm)) return false;
  }
  if (pos != s.size() || hh > 23 || mm > 59) return false;
  *offset_seconds = (c == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
  return true;
}

constexpr size_t kMinuteBytes = 16;  // "YYYY-MM-DDThh:mm"

// The date, hour and minute every accepted form starts with, as seconds since the epoch in the
// text's own zone; false if the first 16 bytes are not a valid one.
bool ParseMinute(std::string_view s, int64_t* seconds) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  if (!Digits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &month) ||
      !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &day)) {
    return false;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return false;
  ++pos;
  if (!Digits(s, &pos, 2, &hour) || !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &minute)) {
    return false;
  }
  if (hour > 23 || minute > 59) return false;
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (year < 1 || !ymd.ok()) return false;
  *seconds = sys_days(ymd).time_since_epoch().count() * 86400 + hour * 3600 + minute * 60;
  return true;
}

std::optional<Timestamp> InRange(Timestamp t) {
  // The zone offset can move 0001-01-01 or 9999-12-31 out of the range checkpoints accept.
  if (t < kMinEventTime || t > kMaxEventTime) return std::nullopt;
  return t;
}

// The rest after the minute — [:ss[.f{1,9}]] and the zone — applied to `minute_seconds`.
std::optional<Timestamp> ParseRest(std::string_view s, int64_t minute_seconds) {
  // The form nearly every producer writes, ":ss.ffffff" and no zone, read without a loop: the
  // fraction's six digits as one word (a third of the general path's work). Anything else, a
  // bad digit included, goes on below.
  if (s.size() == kMinuteBytes + 10 && s[kMinuteBytes] == ':' && s[kMinuteBytes + 3] == '.') {
    const char* p = s.data() + kMinuteBytes;
    const unsigned s1 = static_cast<unsigned char>(p[1]) - unsigned{'0'};
    const unsigned s2 = static_cast<unsigned char>(p[2]) - unsigned{'0'};
    // p[2..9], little-endian: the second's last digit, the dot, six digits
    uint64_t w = LoadWord<uint64_t>(p + 2);
    w = ((w & ~uint64_t{0xFFFF}) | 0x3030) - 0x3030303030303030;  // "00ffffff", each byte - '0'
    // A byte outside '0'..'9' leaves its top bit set here, in w or in w + 0x76 per byte.
    const bool digits = ((w | (w + 0x7676767676767676)) & 0x8080808080808080) == 0;
    if (digits && s1 <= 5 && s2 <= 9) {
      // Eight decimal digits, most significant first, combined pairwise: 2, 4, then 8 digits.
      w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FF;
      w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFF;
      w = (w * 10000 + (w >> 32)) & 0xFFFFFFFF;
      const int64_t second = s1 * 10 + s2;
      return InRange(Timestamp((minute_seconds + second) * 1000000 + static_cast<int64_t>(w)));
    }
  }
  size_t pos = kMinuteBytes;
  int second = 0;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!Digits(s, &pos, 2, &second)) return std::nullopt;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int digits = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (++digits > 9) return std::nullopt;
        if (digits <= 6) micros = micros * 10 + (s[pos] - '0');
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (int i = digits; i < 6; ++i) micros *= 10;
    }
  }
  if (second > 59) return std::nullopt;
  int64_t offset_seconds = 0;
  if (!ParseZone(s, pos, &offset_seconds)) return std::nullopt;
  return InRange(Timestamp((minute_seconds + second - offset_seconds) * 1000000 + micros));
}

}  // namespace

std::optional<Timestamp> ParseEventTimestamp(std::string_view s) {
  int64_t minute_seconds = 0;
  if (!ParseMinute(s, &minute_seconds)) return std::nullopt;
  return ParseRest(s, minute_seconds);
}

std::optional<Timestamp> TimestampParser::Parse(std::string_view s) {
  if (!have_minute_ || s.size() < kMinuteBytes || std::memcmp(s.data(), minute_text_, kMinuteBytes) != 0) {
    if (!ParseMinute(s, &minute_seconds_)) return std::nullopt;
    std::memcpy(minute_text_, s.data(), kMinuteBytes);
    have_minute_ = true;
  }
  return ParseRest(s, minute_seconds_);
}

std::optional<Timestamp> EpochTimestamp(int64_t count, TimeFormat unit) {
  int64_t per_unit = 1;
  switch (unit) {
    case TimeFormat::kEpochSeconds: per_unit = 1000000; break;
    case TimeFormat::kEpochMillis: per_unit = 1000; break;
    case TimeFormat::kEpochMicros:
    case TimeFormat::kIso8601: break;
  }
  // Compared before multiplying, so that no count can overflow.
  if (count < kMinEventTime.micros() / per_unit || count > kMaxEventTime.micros() / per_unit) {
    return std::nullopt;
  }
  return Timestamp(count * per_unit);
}

}  // namespace braid
