#pragma once
// JoinOperator: the stream-stream join of DESIGN §2 on already decoded, on-time events.
//
// State per key: the stored driving events and, per enriching stream, the stored enriching
// events. Emission (docs/watermarks.md, "Finality"): for a driving event a the output is the
// cross product over enriching streams i of E_i(a), where E_i(a) is the set of stored events of
// stream i within [a.ts − W_i, a.ts + W_i] (both bounds inclusive), or {NULL} when stream i is
// LEFT, that set is empty and a's window for i is closed (watermark > a.ts + W_i), or empty
// otherwise. Whenever an event arrives or a window closes, exactly the combinations that this
// adds to the product are emitted, so each row is emitted once, as soon as it is final.

#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/row_batch.h"
#include "join/byte_io.h"
#include "join/join_plan.h"
#include "join/row_emitter.h"
#include "join/stored_event.h"

namespace braid {

class JoinOperator {
 public:
  /// `plan` must outlive the operator. Starts empty with the watermark at −∞.
  explicit JoinOperator(const JoinPlan& plan);

  /// Adds an event of stream `stream` (0 = driving) with encoded `key` and `values`; `ts` must
  /// not be below watermark() (late records are the caller's to reject). Appends every row
  /// this event completes to `out` (schema plan.output_schema()).
  void Add(size_t stream, std::string_view key, Timestamp ts, std::string_view values,
           RowBatch* out);
  /// Moves the watermark to `watermark` (must not be below the current one): emits the NULL
  /// rows of LEFT windows that closed and evicts what can no longer join.
  void AdvanceTo(Timestamp watermark, RowBatch* out);

  Timestamp watermark() const { return watermark_; }
  /// Events held (driving and enriching).
  size_t state_rows() const { return state_rows_; }
  size_t num_keys() const { return index_.size(); }
  /// Rows appended to output batches since construction.
  uint64_t rows_out() const { return rows_out_; }

  /// Appends the state section of a checkpoint (docs/join-state-checkpoint.md).
  void Save(ByteWriter* out) const;
  /// Replaces the state with a section written by Save, and sets the watermark. All-or-nothing:
  /// on Corruption the operator is unchanged.
  Status Load(ByteReader* in, Timestamp watermark);

 private:
  struct KeyState {
    std::string_view key;  // points into the index_ node, stable until the key is erased
    std::vector<std::vector<StoredEvent>> streams;
    Timestamp next_deadline = Timestamp::Max();
    uint32_t generation = 0;
  };
  struct Timer {
    Timestamp deadline;
    uint32_t slot;
    uint32_t generation;
    bool operator>(const Timer& o) const { return deadline > o.deadline; }
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using Index = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;

  bool InWindow(size_t stream, Timestamp driving_ts, Timestamp ts) const;
  uint32_t SlotFor(std::string_view key);
  // Fills partners_[j] for every enriching j != skip with a's partners (or the NULL marker);
  // false if some stream contributes nothing, i.e. there is no row.
  bool CollectPartners(const KeyState& ks, const StoredEvent& a, size_t skip);
  void EmitProduct(const KeyState& ks, const StoredEvent& a, RowBatch* out);
  void Sweep(uint32_t slot, RowBatch* out);
  void CloseLeftWindows(KeyState& ks, RowBatch* out);
  void Evict(KeyState& ks);
  void Schedule(uint32_t slot, Timestamp deadline);
  Timestamp NextDeadline(const KeyState& ks) const;
  void Release(uint32_t slot);
  void Clear();

  const JoinPlan& plan_;
  RowEmitter emitter_;
  Timestamp watermark_ = Timestamp::Min();
  Index index_;
  std::vector<KeyState> slots_;
  std::vector<uint32_t> free_slots_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  size_t state_rows_ = 0;
  uint64_t rows_out_ = 0;

  // Scratch for EmitProduct, reused to avoid allocations per event.
  std::vector<std::vector<int32_t>> partners_;  // per stream: indices, kNull for NULL
  std::vector<size_t> odometer_;
  std::vector<const StoredEvent*> row_;
};

}  // namespace braid
