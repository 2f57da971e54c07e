#pragma once
// JoinPlan: a validated JoinSpec, resolved into what the operator needs at run time (stream
// indices, windows, which fields each stream stores, where each output column comes from).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/row_batch.h"
#include "join/join_spec.h"

namespace braid {

/// One input stream of the plan. Index 0 is the driving stream, 1..N the enriching streams in
/// declaration order.
struct StreamPlan {
  StreamSpec spec;
  bool driving = false;
  JoinKind kind = JoinKind::kInner;  // enriching streams only
  Duration window;                   // enriching streams only
  std::vector<std::string> stored_fields;  // value slots, in slot order
  std::vector<FieldType> stored_types;
};

/// Where one output column's value comes from.
struct ColumnSource {
  enum Kind : uint8_t { kKeyPart, kTimestamp, kValue };
  size_t stream;
  Kind kind;
  size_t index;  // key part or value slot
  FieldType type;
};

class JoinPlan {
 public:
  /// Validates `spec` (each stream, unique stream names and topics, same number and types of
  /// key fields everywhere, non-negative windows and delay, at most 63 enriching streams and 16
  /// key fields, output columns that name existing fields, unique column names) and resolves
  /// it. Fails with InvalidArgument naming the offending stream, field or column.
  static Result<JoinPlan> Compile(const JoinSpec& spec);

  const JoinSpec& spec() const { return spec_; }
  size_t num_streams() const { return streams_.size(); }
  const StreamPlan& stream(size_t i) const { return streams_[i]; }
  /// The largest enriching window (0 without enriching streams).
  Duration max_window() const { return max_window_; }
  /// Bit i set when stream i (an enriching stream) is LEFT.
  uint64_t left_mask() const { return left_mask_; }
  /// Types of the key parts (string or long).
  const std::vector<FieldType>& key_types() const { return key_types_; }
  /// One source per declared output column (processing_time excluded).
  const std::vector<ColumnSource>& sources() const { return sources_; }
  /// The output columns, field ids 1..n, processing_time last.
  const RowSchema& output_schema() const { return output_schema_; }
  /// The stream reading `topic`, or -1.
  int StreamOfTopic(std::string_view topic) const;
  /// A text fixing the key and value encodings of the state (docs/join-state-checkpoint.md).
  std::string Layout() const;

 private:
  JoinSpec spec_;
  std::vector<StreamPlan> streams_;
  Duration max_window_;
  uint64_t left_mask_ = 0;
  std::vector<FieldType> key_types_;
  std::vector<ColumnSource> sources_;
  RowSchema output_schema_;
};

}  // namespace braid
