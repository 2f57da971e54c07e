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

/// `count` seconds, milliseconds or microseconds (as `unit` says; not kIso8601) since the
/// epoch, or nullopt when the instant is outside [kMinEventTime, kMaxEventTime].
/// Pure function; thread-safe.
std::optional<Timestamp> EpochTimestamp(int64_t count, TimeFormat unit);

}  // namespace braid
