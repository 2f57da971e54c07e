#pragma once
// CommitCheckpoint: what one commit of a pipeline saves, durably, before it touches a table:
// the join state after the commit's last record and the commit's reject rows. The rows table's
// snapshot points at it (braid.state-location). On restart the join state is loaded from it,
// and its reject rows are committed to the rejects table if that table's own newest snapshot
// shows the crash came between the two table commits. Format: docs/commit-checkpoint.md.

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/row_batch.h"

namespace braid {

struct CommitCheckpoint {
  /// JoinEngine::SaveState bytes; empty when the run ended its input (a bounded run), so the
  /// next run starts with a fresh join state.
  std::string engine_state;
  /// This commit's reject rows (processing_time filled), in the rejects table's schema.
  RowBatch rejects;
};

/// Serializes `checkpoint` (magic, version, sections, CRC-32C).
std::string EncodeCheckpoint(const CommitCheckpoint& checkpoint);

/// Parses bytes written by EncodeCheckpoint; `rejects_schema` is the schema the reject rows
/// were written with. Corruption naming the byte offset for damaged or truncated input.
Result<CommitCheckpoint> DecodeCheckpoint(std::string_view data, const RowSchema& rejects_schema);

}  // namespace braid
