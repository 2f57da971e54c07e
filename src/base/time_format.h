#pragma once
// Parsing and printing of durations and timestamps as users write them.

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/types.h"

namespace braid {

/// The longest duration ParseDuration accepts (about 3,170 years), in microseconds.
inline constexpr int64_t kMaxDurationMicros = 100'000'000'000'000'000;

/// Parses "30 seconds", "30s", "2m", "2 minutes", "1h", "500ms", "1.5s" or a bare number of
/// seconds, exactly (decimals are not rounded through a double; the result is rounded to the
/// nearest microsecond). Fails with a message that quotes `text` and shows the accepted forms,
/// also for more than kMaxDurationMicros.
Result<Duration> ParseDuration(std::string_view text);

/// Prints a duration the short way ("30s", "2m", "1h", "1.5s", "250ms", "15us"), in a form
/// ParseDuration reads back to the same value (for 0 to kMaxDurationMicros).
std::string FormatDuration(Duration d);

/// A UTC timestamp split into calendar fields.
struct CivilTime {
  int year;
  unsigned month, day;
  int64_t hour, minute, second, micros;
};
CivilTime ToCivil(Timestamp t);

/// Prints "2025-01-16T10:20:30.123456Z"; Min()/Max() print as "-inf"/"+inf".
std::string FormatTimestamp(Timestamp t);

}  // namespace braid
