#pragma once
// SeedGenerator: the seed notebook's correlated generator, scaled. It draws (user, session,
// time offset) pairs; every pair gets an action, a sample of 60 % gets a purchase, every
// distinct (session, user) pair gets one session record. Values are JSON exactly as the seed's
// producer writes them (Python's json.dumps, datetime.isoformat(), no key).
//
// Arrival order: the seed sends records in pair order with offsets spread over 60 s, which is
// more disorder than its own 30 s watermark delay allows (Spark hides this because the whole
// run fits one micro-batch). braid's generator sends each topic in event-time order with a
// bounded, configurable disorder, so on-time data is on time whatever the engine.

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>

#include "base/types.h"

namespace braid {

struct SeedGeneratorOptions {
  int64_t events = 50;            // actions; purchases = 60 %, sessions = distinct pairs
  int users = 10;
  int sessions = 20;
  uint64_t seed = 0;              // same seed and `now`, same records
  Timestamp now;                  // events lie in [now - span, now]
  Duration span = Duration::Seconds(60);
  Duration disorder = Duration::Seconds(5);  // max event-time inversion within a topic
  double late_fraction = 0;       // records sent far behind the watermark (rejected as late)
  double malformed_fraction = 0;  // records that are not valid events (rejected)
  std::string topic_actions = "user_actions";
  std::string topic_purchases = "purchases";
  std::string topic_sessions = "sessions";
};

/// `options` with users and sessions scaled to its events in the seed notebook's ratios (10
/// users and 20 sessions for its 50 events: one user per 5 actions, one session per 2.5), never
/// fewer than the notebook's 10 and 20. With fixed users and sessions the join's output grows
/// with the square of the events (every action of a (user, session) pair meets every purchase
/// and session record of that pair); scaled, it stays of the order of the events.
SeedGeneratorOptions ScaledToEvents(SeedGeneratorOptions options);

/// What one Generate() call wrote per topic.
struct SeedCounts {
  int64_t actions = 0, purchases = 0, sessions = 0, late = 0, malformed = 0;
};

class SeedGenerator {
 public:
  explicit SeedGenerator(SeedGeneratorOptions options);

  /// Calls `emit(topic, json)` for every record, topic by topic (actions, purchases,
  /// sessions), each in event-time order with bounded disorder. `emit` returns false to stop.
  SeedCounts Generate(const std::function<bool(std::string_view, std::string_view)>& emit);

 private:
  SeedGeneratorOptions opt_;
  std::mt19937_64 rng_;
};

/// Formats `t` as Python's datetime.isoformat() does for a naive UTC datetime
/// ("2025-01-16T10:20:30.123456", or no fraction when the microseconds are zero).
std::string PythonIsoFormat(Timestamp t);

}  // namespace braid
