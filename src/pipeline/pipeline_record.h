#pragma once
// PipelineRecord: a pipeline's progress in one table — its newest commit (sequence number, next
// Kafka offsets, watermark, join-state checkpoint) and who made it. It is written twice in the
// same metadata update as each append: in the snapshot summary (braid.* keys, found by walking
// the branch) and in table properties (braid.pipeline.<id>.*), which snapshot expiry cannot
// remove and which catalogs that keep only the newest snapshot (Nessie) still serve.
// docs/snapshot-summary.md lists the keys. A value type.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "pipeline/source_offsets.h"
#include "table/table_metadata.h"

namespace braid {

struct PipelineRecord {
  int64_t commit_seq = 0;
  std::string offsets;         // EncodeOffsets form
  std::string watermark;       // ISO-8601, rows table only
  std::string state_location;  // rows table only
  std::string data_loss;       // offset ranges skipped by --on-data-loss=skip, if any
  int64_t committed_at_ms = 0;
  std::string writer;  // host:pid of the process that committed

  /// The table-property form: braid.pipeline.<pipeline_id>.<key> = value.
  std::map<std::string, std::string> ToProperties(const std::string& pipeline_id) const;
  /// The snapshot-summary form (braid.pipeline-id, braid.commit-seq, ...).
  std::map<std::string, std::string> ToSummary(const std::string& pipeline_id) const;

  /// The pipeline's newest record in `metadata`: from the table properties when present, else
  /// from the newest snapshot of the pipeline on main (tables written before properties were
  /// kept). nullopt when the pipeline never committed to this table.
  static std::optional<PipelineRecord> Find(const TableMetadata& metadata,
                                            const std::string& pipeline_id);

  /// The ids of every pipeline with a record in `metadata`, sorted, each once: those in the
  /// table properties (braid.pipeline.<id>.commit-seq) and those named by braid.pipeline-id in
  /// the snapshots on main's ancestry (tables written before properties were kept).
  static std::vector<std::string> PipelineIds(const TableMetadata& metadata);

  /// "commit 12 by host:4711 at 2026-11-30T10:00:00Z" for messages.
  std::string Describe() const;
};

/// This process as a writer: "hostname:pid".
std::string WriterName();

}  // namespace braid
