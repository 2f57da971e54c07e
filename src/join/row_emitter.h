#pragma once
// RowEmitter: writes one output row of the join from the events that form it. Emit uses
// scratch of the emitter's own: one thread at a time (its JoinOperator's).

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/row_batch.h"
#include "join/join_plan.h"
#include "join/stored_event.h"

namespace braid {

class RowEmitter {
 public:
  /// `plan` must outlive the emitter.
  explicit RowEmitter(const JoinPlan& plan);

  /// Appends one row to `out` (schema plan.output_schema()): `events[i]` is the event of
  /// stream i, nullptr for a LEFT stream's NULL (events[0], the driving event, is never null);
  /// `key` is the encoded key all of them share. processing_time is appended as NULL.
  void Emit(std::string_view key, std::span<const StoredEvent* const> events,
            RowBatch* out) const;

 private:
  // What one output column takes, resolved from its ColumnSource and type once, so that a row
  // reads nothing else of the plan and branches once per value.
  enum class Op : uint8_t { kKeyString, kKeyLong, kTimestamp, kValueString, kValueDouble, kValueInt };
  struct Column {
    Op op;
    uint32_t stream;
    uint32_t index;         // key part or value slot
    uint32_t num_fields;    // the stream's stored fields (for reading its values)
  };
  std::vector<Column> columns_;
  mutable std::vector<std::string_view> parts_;  // the key's parts, per row (scratch)
  size_t num_key_parts_;
};

}  // namespace braid
