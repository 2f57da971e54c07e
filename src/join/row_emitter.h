#pragma once
// RowEmitter: writes one output row of the join from the events that form it.

#include <span>
#include <string_view>

#include "base/row_batch.h"
#include "join/join_plan.h"
#include "join/stored_event.h"

namespace braid {

class RowEmitter {
 public:
  /// `plan` must outlive the emitter.
  explicit RowEmitter(const JoinPlan& plan) : plan_(plan) {}

  /// Appends one row to `out` (schema plan.output_schema()): `events[i]` is the event of
  /// stream i, nullptr for a LEFT stream's NULL (events[0], the driving event, is never null);
  /// `key` is the encoded key all of them share. processing_time is appended as NULL.
  void Emit(std::string_view key, std::span<const StoredEvent* const> events,
            RowBatch* out) const;

 private:
  const JoinPlan& plan_;
};

}  // namespace braid
