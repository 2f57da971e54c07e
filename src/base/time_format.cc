#include "base/time_format.h"

#include <cctype>
#include <chrono>

#include <fmt/format.h>

namespace braid {
namespace {

struct Unit {
  std::string_view name;
  int64_t micros;
};

constexpr Unit kUnits[] = {
    {"us", 1},
    {"micros", 1},
    {"microsecond", 1},
    {"microseconds", 1},
    {"ms", 1000},
    {"millis", 1000},
    {"millisecond", 1000},
    {"milliseconds", 1000},
    {"s", 1000000},
    {"sec", 1000000},
    {"secs", 1000000},
    {"second", 1000000},
    {"seconds", 1000000},
    {"m", 60000000},
    {"min", 60000000},
    {"mins", 60000000},
    {"minute", 60000000},
    {"minutes", 60000000},
    {"h", 3600000000},
    {"hour", 3600000000},
    {"hours", 3600000000},
    {"d", 86400000000},
    {"day", 86400000000},
    {"days", 86400000000},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format(
        "bad duration \"{}\": write a number and a unit, e.g. \"30 seconds\", \"30s\", \"2m\", "
        "\"500ms\", \"1h\"",
        text));
  };
  // Too many digits is a well-formed duration that is too long, not a malformed one.
  auto too_large = [&] {
    return Status::InvalidArgument(fmt::format("duration \"{}\" is too large: the most is {}s (about 3,170 years)",
                                               text, kMaxDurationMicros / 1000000));
  };
  std::string_view s = Trim(text);
  // Decimal arithmetic on integers, not a double: "12345678901.123s" is exact to the micro.
  size_t i = 0;
  __int128 whole = 0, fraction = 0, fraction_scale = 1;
  int digits = 0, dots = 0;
  bool too_big = false;
  for (; i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'); ++i) {
    if (s[i] == '.') {
      ++dots;
      continue;
    }
    ++digits;
    const int digit = s[i] - '0';
    if (dots == 0) {
      if (!too_big) whole = whole * 10 + digit;
      too_big = too_big || whole > kMaxDurationMicros;
    } else if (fraction_scale < kMaxDurationMicros) {  // digits past 1e-17 cannot matter
      fraction = fraction * 10 + digit;
      fraction_scale *= 10;
    }
  }
  if (digits == 0 || dots > 1) return bad();
  std::string_view unit = Trim(s.substr(i));
  int64_t scale = 1000000;  // a bare number means seconds
  if (!unit.empty()) {
    bool found = false;
    for (const Unit& u : kUnits) {
      if (u.name.size() != unit.size()) continue;
      bool eq = true;
      for (size_t k = 0; k < unit.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(unit[k])) != u.name[k]) eq = false;
      }
      if (eq) {
        scale = u.micros;
        found = true;
        break;
      }
    }
    if (!found) return bad();
  }
  if (too_big) return too_large();
  const __int128 micros = whole * scale + (fraction * scale + fraction_scale / 2) / fraction_scale;
  if (micros > kMaxDurationMicros) return too_large();
  return Duration::Micros(static_cast<int64_t>(micros));
}

std::string FormatDuration(Duration d) {
  int64_t us = d.micros();
  if (us == 0) return "0s";
  if (us % 3600000000LL == 0) return fmt::format("{}h", us / 3600000000LL);
  if (us % 60000000LL == 0) return fmt::format("{}m", us / 60000000LL);
  if (us % 1000000LL == 0) return fmt::format("{}s", us / 1000000LL);
  if (us % 1000LL == 0 && us < 1000000LL) return fmt::format("{}ms", us / 1000LL);
  if (us < 1000LL) return fmt::format("{}us", us);
  // Exact decimal seconds ("1.5s", "2.000001s"), which ParseDuration reads back unchanged.
  std::string fraction = fmt::format("{:06}", us % 1000000LL);
  while (fraction.back() == '0') fraction.pop_back();
  return fmt::format("{}.{}s", us / 1000000LL, fraction);
}

CivilTime ToCivil(Timestamp t) {
  using namespace std::chrono;
  const int64_t us = t.micros();
  const int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  const sys_days day = floor<days>(sys_seconds(seconds(secs)));
  const year_month_day ymd(day);
  const int64_t sod = secs - duration_cast<seconds>(day.time_since_epoch()).count();
  return CivilTime{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                   static_cast<unsigned>(ymd.day()), sod / 3600, (sod / 60) % 60, sod % 60,
                   us - secs * 1000000};
}

std::string FormatTimestamp(Timestamp t) {
  if (t == Timestamp::Min()) return "-inf";
  if (t == Timestamp::Max()) return "+inf";
  const CivilTime c = ToCivil(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", c.year, c.month, c.day, c.hour,
                     c.minute, c.second, c.micros);
}

}  // namespace braid
