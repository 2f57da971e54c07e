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
//
// Layout: each key's events per stream are in event-time order (StreamEvents: one inline, more
// in an EventList), so a window is two binary searches, LEFT windows close in time order (the
// closed events are a prefix, found by a binary search) and eviction takes from the front:
// O(log k) per record for a key holding k events, plus the rows made.
// Keys live in slots (a chunked vector: growing never moves them) found through a KeyIndex of
// slot numbers and hash bits.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/chunked_vector.h"
#include "base/row_batch.h"
#include "join/byte_io.h"
#include "join/stream_events.h"
#include "join/join_plan.h"
#include "join/key_index.h"
#include "join/row_emitter.h"
#include "join/stored_event.h"
#include "join/timer_queue.h"

namespace braid {

class JoinOperator {
 public:
  /// `plan` must outlive the operator. Starts empty with the watermark at −∞.
  explicit JoinOperator(const JoinPlan& plan);

  /// Adds an event of stream `stream` (0 = driving) with encoded `key` and `values`; `ts` must
  /// not be below watermark() (late records are the caller's to reject). Appends every row
  /// this event completes to `out` (schema plan.output_schema()).
  void Add(size_t stream, std::string_view key, Timestamp ts, std::string_view values,
           RowBatch* out) {
    Add(stream, key, KeyHash(key), ts, values, out);
  }
  /// Add, for a key whose KeyHash is known (the engine hashes each key once, as it decodes).
  void Add(size_t stream, std::string_view key, size_t key_hash, Timestamp ts,
           std::string_view values, RowBatch* out);
  /// The hash the key index uses.
  static size_t KeyHash(std::string_view key);
  /// Moves the watermark to `watermark` (must not be below the current one): emits the NULL
  /// rows of LEFT windows that closed and evicts what can no longer join.
  void AdvanceTo(Timestamp watermark, RowBatch* out) { AdvanceTo(watermark, out, SIZE_MAX); }
  /// As AdvanceTo, but stops, between keys, once `out` holds `row_limit` rows or more: true
  /// when every key due before the watermark was swept; else call again (with the same
  /// watermark) before anything else, to go on.
  bool AdvanceTo(Timestamp watermark, RowBatch* out, size_t row_limit);

  /// A hint that an event of the key with KeyHash `key_hash` comes soon: starts loading its
  /// place in the key index.
  void Prefetch(size_t key_hash) const { state_->index.Prefetch(key_hash); }
  /// Once Prefetch's load has arrived: starts loading the key's state (all of its lines).
  void PrefetchState(size_t key_hash) const;
  /// How far ahead of the record being joined the hints pay: Prefetch for the record this many
  /// ahead, PrefetchState for the one half as many ahead (its entry there by then).
  static constexpr size_t kPrefetchAhead = 8;

  Timestamp watermark() const { return watermark_; }
  /// Events held (driving and enriching).
  size_t state_rows() const { return state_->state_rows; }
  size_t num_keys() const { return state_->index.size(); }
  /// Rows appended to output batches since construction.
  uint64_t rows_out() const { return rows_out_; }

  /// Appends the state section of a checkpoint (docs/join-state-checkpoint.md).
  void Save(ByteWriter* out) const;
  /// Replaces the state with a section written by Save, and sets the watermark. All-or-nothing:
  /// on Corruption the operator is unchanged.
  Status Load(ByteReader* in, Timestamp watermark);

 private:
  // The streams a slot holds itself; a plan of more has the others on the heap (KeyState::more).
  static constexpr size_t kSlotStreams = 3;
  // Aligned to a cache line: the first line holds what every visit reads (the timer's
  // generation and deadline, the key, up to kInlineKey bytes of it); the next two the first
  // kSlotStreams streams' events. A key is nearly always a cache miss, and each further line
  // another one: most keys hold one event per stream, and their slot is these three lines.
  struct alignas(64) KeyState {
    KeyState() = default;
    KeyState(const KeyState&) = delete;
    KeyState& operator=(const KeyState&) = delete;
    ~KeyState() {
      ClearKey();
      delete[] more;
    }

    // The key's bytes live in the slot (up to kInlineKey of them): a lookup that reaches the
    // slot compares without a second cache miss. Longer keys are on the heap (the pointer
    // shares the inline bytes); the size alone tells which, so a short key's lookup reads
    // nothing past its bytes. The key's hash is not kept: it is recomputed from these bytes.
    static constexpr size_t kInlineKey = 40;
    std::string_view key() const { return {key_size <= kInlineKey ? key_inline.bytes : key_inline.heap, key_size}; }
    void AssignKey(std::string_view key) {
      ClearKey();
      char* to = key_inline.bytes;
      if (key.size() > kInlineKey) to = key_inline.heap = new char[key.size()];
      key_size = static_cast<uint32_t>(key.size());
      std::memcpy(to, key.data(), key.size());
    }
    void ClearKey() {
      if (key_size > kInlineKey) delete[] key_inline.heap;
      key_size = 0;
    }

    Timestamp next_deadline = Timestamp::Max();
    /// The closed bits of the driving event while it is inline (StreamEvents).
    uint64_t closed = 0;
    uint32_t generation = 0;
    uint32_t key_size = 0;
    union {
      char bytes[kInlineKey];
      char* heap;
    } key_inline{};
    StreamEvents streams[kSlotStreams];
    StreamEvents* more = nullptr;  // streams kSlotStreams.. of plans that have more
  };
  static_assert(sizeof(KeyState) == 192, "a key's slot is three cache lines");
  // Default-constructed when a chunk is added, initialised when a key takes the slot. A chunk
  // holds 2 MiB of slots, on small pages (ChunkedVector).
  using Slots = ChunkedVector<KeyState, (size_t{2} << 20) / sizeof(KeyState)>;
  // A slot's key, for KeyIndex::Find.
  struct SlotKey {
    const Slots* slots;
    std::string_view operator()(uint32_t slot) const { return (*slots)[slot].key(); }
  };
  // Everything Load replaces at once.
  struct State {
    explicit State(Duration timer_horizon) : timers(timer_horizon) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    Slots slots;
    KeyIndex index;
    std::vector<uint32_t> free_slots;
    TimerQueue timers;
    size_t state_rows = 0;
  };
  // A stream's partners of one driving event: the index range [first, last) of its list, or
  // the NULL of a closed LEFT window (first == kNullPartner).
  struct Partners {
    size_t first = 0;
    size_t last = 0;
  };

  uint32_t SlotFor(std::string_view key, size_t hash);
  // Starts loading every line of a key's slot (for writing: a visit updates it).
  static void PrefetchSlot(const KeyState& ks);
  // Fills partners_[j] for every enriching j != skip with the partners of driving event
  // `a`; false if some stream contributes nothing, i.e. there is no row.
  bool CollectPartners(const KeyState& ks, size_t a, size_t skip);
  // Appends the rows of driving event `a` (an index) with the partners in partners_.
  void EmitProduct(const KeyState& ks, size_t a, RowBatch* out);
  // A key's events of stream i.
  static StreamEvents& Events(KeyState& ks, size_t i) {
    return i < kSlotStreams ? ks.streams[i] : ks.more[i - kSlotStreams];
  }
  static const StreamEvents& Events(const KeyState& ks, size_t i) {
    return i < kSlotStreams ? ks.streams[i] : ks.more[i - kSlotStreams];
  }
  // Inserts an event of stream i with closed bits `closed`; returns its index.
  static size_t Insert(KeyState& ks, size_t i, Timestamp ts, uint64_t closed,
                       std::string_view values);
  // The closed bits of driving event k, and setting one.
  static uint64_t Closed(const KeyState& ks, size_t k) {
    const StreamEvents& d = ks.streams[0];
    return d.on_heap() ? d.list()[k].closed : ks.closed;
  }
  static void SetClosed(KeyState& ks, size_t k, uint64_t bit) {
    StreamEvents& d = ks.streams[0];
    (d.on_heap() ? d.list()[k].closed : ks.closed) |= bit;
  }
  // How many driving events have their LEFT window of stream i closed: always a prefix, as
  // they close in time order.
  static size_t ClosedPrefix(const KeyState& ks, size_t i);
  // Whether the key holds no event of any stream.
  bool Empty(const KeyState& ks) const;
  void Sweep(uint32_t slot, RowBatch* out);
  void CloseLeftWindows(KeyState& ks, RowBatch* out);
  void Evict(KeyState& ks);
  void Schedule(uint32_t slot, Timestamp deadline);
  Timestamp NextDeadline(const KeyState& ks) const;
  void Release(uint32_t slot);
  Status LoadKeys(ByteReader* in);
  std::unique_ptr<State> NewState() const;

  const JoinPlan& plan_;
  RowEmitter emitter_;
  Timestamp watermark_ = Timestamp::Min();
  std::unique_ptr<State> state_;
  uint64_t rows_out_ = 0;

  // Scratch for EmitProduct, reused to avoid allocations per event.
  std::vector<Partners> partners_;
  std::vector<size_t> odometer_;
  std::vector<StoredEvent> row_events_;
  std::vector<const StoredEvent*> row_;
};

}  // namespace braid
