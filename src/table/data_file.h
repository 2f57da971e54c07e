#pragma once
// DataFile and ManifestEntry: a data file as a manifest describes it, with the column metrics
// readers use to skip files. Map keys are Iceberg field ids; bounds are single-value binary.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/types.h"
#include "table/avro_datum.h"

namespace braid {

struct DataFile {
  int content = 0;  // 0 data, 1 position deletes, 2 equality deletes
  std::string file_path;  // absolute location
  std::string file_format = "PARQUET";
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;  // exact
  std::map<int, int64_t> column_sizes;
  std::map<int, int64_t> value_counts;  // values including nulls
  std::map<int, int64_t> null_value_counts;
  std::map<int, int64_t> nan_value_counts;
  std::map<int, std::string> lower_bounds;
  std::map<int, std::string> upper_bounds;
  std::vector<int64_t> split_offsets;  // ascending row group starts
  std::optional<int> sort_order_id;
  int spec_id = 0;  // the partition spec of the manifest that lists it
  /// The partition tuple under spec_id, in the spec's field order (null datums for nulls;
  /// empty when unpartitioned).
  std::vector<AvroDatum> partition;
};

/// Status of a manifest entry.
enum class EntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };

/// One row of a manifest. Sequence numbers and snapshot id are the effective values after
/// inheritance from the manifest list (ADDED entries are written with null sequence numbers).
struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<SnapshotId> snapshot_id;
  std::optional<int64_t> sequence_number;
  std::optional<int64_t> file_sequence_number;
  DataFile data_file;
};

}  // namespace braid
