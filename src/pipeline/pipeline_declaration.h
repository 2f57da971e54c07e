#pragma once
// PipelineDeclaration: the join a pipeline file declares with [[streams]], [join] and [output]
// (README, "Declaring a pipeline") — or with [[streams]] and the query it means (query = or
// braid join --query; see CompilePipelineQuery) — read into a JoinSpec. Field types: string,
// long, double, boolean, timestamp (ISO-8601) and timestamp(epoch_seconds|epoch_millis|
// epoch_micros); a field name with dots ("user.id", or a TOML sub-table) is a nested JSON path,
// and an output column "s.user.id" without AS is named user_id. A stream may set its own
// watermark_delay and idle_timeout. A wrong declaration is refused with the file, the TOML line,
// the key and what is allowed; what braid cannot do yet (other formats) is refused by name.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "base/result.h"
#include "join/join_spec.h"
#include "table/partition_spec.h"

namespace braid {

/// A pipeline's SQL given apart from its file (braid join --query FILE), and where it was read
/// from, for errors.
struct PipelineQueryText {
  std::string text;
  std::string origin;
};

struct PipelineDeclaration {
  /// The declared join; watermark_delay and idle_timeout keep JoinSpec's defaults (the file's
  /// top-level keys are PipelineConfig's to apply); a stream's own are in its StreamSpec.
  JoinSpec spec;
  /// [output].table; empty when the file does not set it.
  std::string table;
  /// The line of [output].table (0 when absent), for errors about the table name.
  uint32_t table_line = 0;
  /// The query the join was compiled from (query = or --query); empty for a [join] table.
  std::string query;
  /// [output].partition_by: the output table's partition fields, checked against the output
  /// columns (empty: unpartitioned).
  std::vector<PartitionFieldRequest> partition_by;
  /// [output].target_file_size in bytes (0 when absent): the output table's
  /// write.target-file-size-bytes.
  int64_t target_file_size = 0;

  /// Whether `root` has any of the top-level keys streams, join, output or query.
  static bool IsDeclaredIn(const toml::table& root);

  /// Reads root's streams, join (or query) and output tables (other top-level keys are left
  /// alone) and checks the result compiles (JoinPlan::Compile). InvalidArgument as
  /// "<path>:<line>: <key>: <what is wrong>; <what is allowed>". `query`, when given, is the
  /// join instead of the file's own (its query, or [join] and [output].columns).
  static Result<PipelineDeclaration> Read(const toml::table& root, const std::string& path,
                                          const std::optional<PipelineQueryText>& query = std::nullopt);
};

}  // namespace braid
