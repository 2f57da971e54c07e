#pragma once
// Random pipelines and input streams for the differential test: a JoinSpec (the seed's or a
// generated one) and, per partition, records in partition order with the truth of what each
// record says, so that an oracle can recompute the join independently of the decoder.

#include <cstdint>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "base/row_batch.h"
#include "join/join_spec.h"
#include "kafka/kafka_record.h"

namespace braid {

/// A value: NULL, string, double, or integer (longs and timestamps in micros).
using Cell = std::variant<std::monostate, std::string, double, int64_t>;
using Row = std::vector<Cell>;

/// Rows of `batch` as cells; the last `skip_last` columns are left out.
std::vector<Row> RowsOf(const RowBatch& batch, size_t skip_last);
std::string RowText(const Row& row);

struct GenRecord {
  enum class Kind { kOnTime, kMaybeLate, kMalformed };
  size_t stream = 0;
  Kind kind = Kind::kOnTime;
  std::string value;       // the JSON (or junk) bytes
  std::vector<Cell> truth;  // per declared field of the stream; empty when malformed
  int64_t arrival = 0;      // ordering key within the partition (micros)
};

struct GenInput {
  JoinSpec spec;
  std::vector<TopicPartition> partitions;
  std::vector<size_t> stream_of_partition;
  std::vector<std::vector<GenRecord>> records;  // per partition, in partition (offset) order
  bool idle_mode = false;  // partitions may report caught-up and turn idle
  std::string Describe() const;
};

/// Generates a pipeline and its input from `seed`: several partitions per topic, many keys,
/// disorder within each partition bounded by the watermark delay (so records generated on
/// time are never late without idleness), partners placed exactly on and just outside window
/// bounds, far-behind records that are probably late, malformed records, duplicates, and every
/// timestamp form the decoder accepts. Deterministic for a seed.
GenInput GenerateInput(uint64_t seed);

}  // namespace braid
