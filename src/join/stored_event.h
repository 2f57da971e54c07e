#pragma once
// StoredEvent: a view of one event held in the join state, as the row emitter reads it.

#include <string_view>

#include "base/types.h"

namespace braid {

struct StoredEvent {
  Timestamp ts;
  std::string_view values;  // EventValues encoding of the stream's stored fields
};

}  // namespace braid
