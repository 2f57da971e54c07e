#include "base/time_format.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

namespace braid {
namespace {

struct Unit {
  std::string_view name;
  double micros;
};

constexpr Unit kUnits[] = {
    {"us", 1},          {"micros", 1},       {"microsecond", 1},   {"microseconds", 1},
    {"ms", 1e3},        {"millis", 1e3},     {"millisecond", 1e3}, {"milliseconds", 1e3},
    {"s", 1e6},         {"sec", 1e6},        {"secs", 1e6},        {"second", 1e6},
    {"seconds", 1e6},   {"m", 60e6},         {"min", 60e6},        {"mins", 60e6},
    {"minute", 60e6},   {"minutes", 60e6},   {"h", 3600e6},        {"hour", 3600e6},
    {"hours", 3600e6},  {"d", 86400e6},      {"day", 86400e6},     {"days", 86400e6},
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
  std::string_view s = Trim(text);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return bad();
  double number = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + i, number);
  if (ec != std::errc() || ptr != s.data() + i || !std::isfinite(number)) return bad();
  std::string_view unit = Trim(s.substr(i));
  double scale = 1e6;  // a bare number means seconds
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
  double micros = number * scale;
  if (micros > 1e17) return bad();
  return Duration::Micros(static_cast<int64_t>(std::llround(micros)));
}

std::string FormatDuration(Duration d) {
  int64_t us = d.micros();
  if (us == 0) return "0s";
  if (us % 3600000000LL == 0) return fmt::format("{}h", us / 3600000000LL);
  if (us % 60000000LL == 0) return fmt::format("{}m", us / 60000000LL);
  if (us % 1000000LL == 0) return fmt::format("{}s", us / 1000000LL);
  if (us % 1000LL == 0 && us < 1000000LL) return fmt::format("{}ms", us / 1000LL);
  return fmt::format("{}s", static_cast<double>(us) / 1e6);
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
