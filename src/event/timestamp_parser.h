#pragma once
// Parsing of event-time strings as the seed's producer and common JSON producers write them.

#include <optional>
#include <string_view>

#include "base/types.h"
#include "event/stream_spec.h"

namespace braid {

/// The range of event times ParseEventTimestamp can produce (years 0001 to 9999): a value
/// outside it in a checkpoint is corruption.
inline constexpr Timestamp kMinEventTime{-62135596800000000};
inline constexpr Timestamp kMaxEventTime{253402300799999999};

/// Parses an ISO-8601 date-time into microseconds since the epoch:
///   YYYY-MM-DD ('T' | 't' | ' ') hh:mm[:ss[.f{1,9}]] [ 'Z' | 'z' | ±hh | ±hhmm | ±hh:mm ]
/// No zone means UTC (Python's `datetime.utcnow().isoformat()`). Fraction digits beyond the
/// sixth are truncated. Returns nullopt for anything else, including out-of-range fields
/// (month 13, February 30, hour 24, second 60, offset ≥ 24h), an instant outside
/// [kMinEventTime, kMaxEventTime] once the offset is applied, and surrounding spaces.
/// Pure function; thread-safe.
std::optional<Timestamp> ParseEventTimestamp(std::string_view text);

/// ParseEventTimestamp that remembers the date, hour and minute of the last text it read (its
/// first 16 bytes, "YYYY-MM-DDThh:mm" in every accepted form): the event times of a topic
/// mostly share them, and a text that starts with the same bytes has only its seconds,
/// fraction and zone read. Returns what ParseEventTimestamp returns, for every text. Not
/// thread-safe: one per decoder.
class TimestampParser {
 public:
  std::optional<Timestamp> Parse(std::string_view text);

 private:
  char minute_text_[16] = {};
  bool have_minute_ = false;
  int64_t minute_seconds_ = 0;  // minute_text_ as seconds since the epoch, before the zone
};

/// `count` seconds, milliseconds or microseconds (as `unit` says; not kIso8601) since the
/// epoch, or nullopt when the instant is outside [kMinEventTime, kMaxEventTime].
/// Pure function; thread-safe.
std::optional<Timestamp> EpochTimestamp(int64_t count, TimeFormat unit);

}  // namespace braid
