// Fuzz target: event-time strings (ParseEventTimestamp), as producers write them in JSON events.
// Properties: an accepted time lies in the documented range (years 0001-9999: the join-state
// checkpoint refuses anything else), braid's own printing of it parses back to the same
// instant, and TimestampParser (which remembers the last input's minute: one for the whole run)
// gives the same answer as ParseEventTimestamp.

#include "base/time_format.h"
#include "event/timestamp_parser.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  static TimestampParser remembering;
  const std::optional<Timestamp> t = ParseEventTimestamp(fuzz::AsView(data, size));
  const std::optional<Timestamp> remembered = remembering.Parse(fuzz::AsView(data, size));
  BRAID_FUZZ_CHECK(remembered.has_value() == t.has_value() && (!t || *remembered == *t));
  if (!t) return 0;
  BRAID_FUZZ_CHECK(*t >= kMinEventTime && *t <= kMaxEventTime);
  const std::optional<Timestamp> again = ParseEventTimestamp(FormatTimestamp(*t));
  BRAID_FUZZ_CHECK(again && *again == *t);
  return 0;
}
