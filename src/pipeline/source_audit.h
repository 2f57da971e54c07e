#pragma once
// SourceAudit: recomputes a join's table from its source topics and diffs the two — an audit a
// user can run on their own data (braid validate --against-source). It re-reads every input
// partition from the earliest offset to the end seen at start, drops the records the rejects
// table holds, computes DESIGN §2's query in DuckDB — the pipeline's own SQL when it was written
// as one (query =, --query), else built from the pipeline description; either way independent
// of the streaming engine — and compares multisets with the rows table, every column but
// processing_time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/catalog.h"
#include "join/join_spec.h"
#include "kafka/kafka_config.h"
#include "table/table_identifier.h"

namespace braid {

struct AuditResult {
  int64_t source_records = 0;
  int64_t rejected_records = 0;
  int64_t expected_rows = 0;
  int64_t table_rows = 0;
  int64_t missing_rows = 0;  // in the query's result, not in the table
  int64_t extra_rows = 0;    // in the table, not in the query's result
  std::vector<std::string> samples;  // a few differing rows, "missing: ..." / "extra: ..."
  bool ok() const { return missing_rows == 0 && extra_rows == 0; }
};

/// Runs the audit. Needs every source record still in Kafka (retention): a record the broker
/// no longer has cannot be checked and shows up as an extra row. With `since`, only rows and
/// rejects whose processing_time is at or after it take part (one run of several that wrote
/// the same tables from different sources, as repeated demos do). A non-empty `query` is run
/// as written, over the accepted records in tables named like the streams. While it runs, a
/// line on stderr every `progress_interval` says which step it is on (and how far the re-read is).
Result<AuditResult> AuditAgainstSource(const JoinSpec& spec, const std::string& query, const KafkaConfig& kafka,
                                       Catalog& catalog, const TableIdentifier& rows,
                                       const TableIdentifier& rejects,
                                       std::optional<Timestamp> since = std::nullopt,
                                       Duration progress_interval = Duration::Seconds(2));

}  // namespace braid
