#pragma once
// Rejects: records that cannot join (malformed or late) and the rows that keep them visible.
// Bad input never stops the pipeline and is never silently lost (DESIGN §1).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/row_batch.h"
#include "kafka/kafka_record.h"

namespace braid {

/// Why a record was rejected, coarsely (for counters); the row's reason text is precise.
enum class RejectKind {
  kInvalidJson,     // "invalid json", "empty value"
  kNotObject,       // "not a JSON object"
  kMissingField,    // "missing user_id"
  kNullField,       // "null user_id"
  kWrongType,       // "wrong type for amount: expected number, got string"
  kDuplicateField,  // "duplicate field user_id"
  kOutOfRange,      // "amount out of range"
  kBadTimestamp,    // "bad timestamp \"yesterday\""
  kLate,            // "late"
  kUnknownTopic,    // a record from a topic that is not an input of the pipeline
};
inline constexpr size_t kRejectKindCount = 10;

/// Snake-case name of `kind` ("invalid_json", "late", ...) for metrics.
const char* RejectKindName(RejectKind kind);

/// One rejected record's verdict: kind, reason text and the event time when it was decoded.
struct Reject {
  RejectKind kind;
  std::string reason;
  std::optional<Timestamp> event_time;
};

/// The rejects table's columns (field ids 1..7): topic, partition, offset, reason, payload,
/// event_timestamp (NULL when unknown), processing_time (appended NULL; the committer fills
/// it with RowBatch::FillTimestampColumn).
const RowSchema& RejectsSchema();

/// Index of processing_time in RejectsSchema().
inline constexpr size_t kRejectsProcessingTimeColumn = 6;

/// Appends one row for `record` to `rejects` (schema RejectsSchema()). The payload is the
/// record value; bytes that are not valid UTF-8 (Iceberg strings must be) are written as
/// "\xNN" escapes.
void AppendReject(const KafkaRecord& record, const Reject& reject, RowBatch* rejects);

/// Returns `bytes` if it is valid UTF-8, else a copy with each invalid byte written "\xNN".
std::string SanitizeUtf8(std::string_view bytes);

}  // namespace braid
