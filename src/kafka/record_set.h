#pragma once
// RecordSet: one partition's records as a Fetch answer holds them — v2 record batches back to
// back (Kafka's format since 0.11), the last one possibly cut short by the answer's size limit —
// read one record at a time, without a copy unless the batch is compressed.
//
// Under read_committed the broker answers up to the last stable offset and lists the aborted
// transactions that overlap the answer; their batches are dropped here, as are control batches
// (transaction markers), as Kafka's own consumer does.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace braid {

struct AbortedTransaction {
  int64_t producer_id = 0;
  int64_t first_offset = 0;
};

/// A record read from a batch: views into the answer, or into the cursor's buffer for a
/// compressed batch (valid until the cursor's next Next).
struct FetchedRecord {
  int64_t offset = 0;
  std::optional<std::string_view> key;  // absent when null
  std::string_view value;
  int64_t timestamp_ms = 0;  // CreateTime, or the batch's LogAppendTime
};

/// The offset after the last whole batch of `set`, where the next fetch starts; `from` when the
/// set holds no whole batch. Fails on a batch that is not of the v2 format.
Result<int64_t> NextFetchOffset(std::string_view set, int64_t from);

class RecordSetCursor {
 public:
  RecordSetCursor();
  ~RecordSetCursor();
  RecordSetCursor(RecordSetCursor&&) noexcept;
  RecordSetCursor& operator=(RecordSetCursor&&) noexcept;

  /// Reads `set` from offset `from` on (the records of a batch that began before it are
  /// skipped), dropping the batches of the `aborted` transactions and control batches.
  void Reset(std::string_view set, int64_t from, std::vector<AbortedTransaction> aborted);

  /// The next record; false at the end of the set (a batch cut short ends it). Fails naming a
  /// malformed batch or a compression it cannot read.
  Result<bool> Next(FetchedRecord* r);

  /// The offset after the last record read or batch passed over.
  int64_t position() const { return position_; }

 private:
  Status OpenBatch(bool* opened);
  Status Inflate(int codec, std::string_view in);

  struct Codecs;  // the decompression contexts, kept across batches
  std::unique_ptr<Codecs> codecs_;
  std::string_view rest_;    // the batches not yet opened
  int64_t position_ = 0;     // the next offset to hand over
  // The open batch.
  const char* rec_ = nullptr;
  const char* rec_end_ = nullptr;
  int32_t records_left_ = 0;
  int64_t base_offset_ = 0;
  int64_t base_timestamp_ = 0;
  int64_t log_append_time_ = -1;  // >= 0: every record of the batch has this timestamp
  int64_t batch_next_ = 0;        // the offset after the open batch
  std::string inflated_;          // a compressed batch's records
  // read_committed.
  std::vector<AbortedTransaction> aborted_;  // by first offset
  size_t aborted_next_ = 0;
  std::vector<int64_t> aborting_;  // producers whose open transaction is aborted
};

}  // namespace braid
