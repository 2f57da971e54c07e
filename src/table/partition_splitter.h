#pragma once
// PartitionSplitter: divides a batch of rows into the data files a commit writes: one group
// per partition tuple of the table's spec, each cut further so that no file's rows exceed
// the target size (write.target-file-size-bytes). Rows are copied into the groups; an
// unpartitioned batch under the target is never copied (the caller writes it as it is).
// Not thread-safe; cheap to create.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/row_batch.h"
#include "table/avro_datum.h"
#include "table/partition_spec.h"

namespace braid {

/// The rows of one data file and their partition tuple (in the spec's field order).
struct PartitionedRows {
  std::vector<AvroDatum> partition;
  RowBatch rows;
};

/// A byte string equal for equal partition tuples and different otherwise (for grouping).
std::string PartitionKey(const std::vector<AvroDatum>& tuple);

class PartitionSplitter {
 public:
  /// A splitter for rows of `schema` into `spec`'s partitions. InvalidArgument naming the
  /// partition field when its source column is not in `schema` or its transform does not
  /// apply to the column's type.
  static Result<PartitionSplitter> Create(const PartitionSpec& spec, const RowSchema& schema);

  /// `batch`'s rows grouped by partition tuple (groups in order of first row, rows in batch
  /// order), each group cut into pieces: a piece is closed once its RowBatch::ByteSize reaches
  /// `target_bytes` (so it exceeds the target by less than one row). ByteSize counts the
  /// values uncompressed, so Parquet files written from the pieces come out smaller than it.
  std::vector<PartitionedRows> Split(const RowBatch& batch, int64_t target_bytes) const;

 private:
  struct BoundField {
    size_t column;
    ColumnType type;
    PartitionTransform transform;
  };
  explicit PartitionSplitter(std::vector<BoundField> fields) : fields_(std::move(fields)) {}

  std::vector<BoundField> fields_;
};

}  // namespace braid
