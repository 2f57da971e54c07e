#pragma once
// StoredEvent: one event held in the join state.

#include <cstdint>
#include <string>

#include "base/types.h"

namespace braid {

struct StoredEvent {
  Timestamp ts;
  /// Driving events only: bit i set once the LEFT window of enriching stream i is closed for
  /// this event (the watermark passed ts + W_i); its NULL rows, if any, are then emitted.
  uint64_t closed = 0;
  std::string values;  // EventValues encoding of the stream's stored fields
};

}  // namespace braid
