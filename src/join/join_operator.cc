#include "join/join_operator.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "base/prefetch.h"
#include "base/short_hash.h"
#include "event/event_key.h"
#include "event/event_values.h"
#include "event/timestamp_parser.h"

namespace braid {
namespace {

constexpr size_t kNullPartner = ~size_t{0};  // a LEFT stream's NULL in partners_

uint64_t Bit(size_t stream) { return uint64_t{1} << stream; }

}  // namespace

// Keys are hashed inline (ShortHash): a call into absl's hash for every record cost about five
// times as much.
size_t JoinOperator::KeyHash(std::string_view key) { return ShortHash(key); }

JoinOperator::JoinOperator(const JoinPlan& plan)
    : plan_(plan),
      emitter_(plan),
      state_(NewState()),
      partners_(plan.num_streams()),
      odometer_(plan.num_streams()),
      row_events_(plan.num_streams()),
      row_(plan.num_streams()) {}

std::unique_ptr<JoinOperator::State> JoinOperator::NewState() const {
  // Timers fall due about a window plus the watermark's delay after they are set, and later
  // by as much as their partition runs ahead of the one holding the watermark. That is often
  // far more than the alignment bound: a hold comes between polls, and one poll of a sparse
  // partition spans minutes of event time; a bounded run releases its holds near the end. At
  // 2 M seed actions partitions ran 500-2,000 s ahead, and with a ring of window + delay +
  // bound (270 s) 9 % of the timers went to the overflow heap, whose pops were 2 % of braid's
  // CPU. The ring covers eight times that.
  Duration delay = plan_.spec().watermark_delay;
  for (size_t i = 0; i < plan_.num_streams(); ++i) {
    delay = std::max(delay, plan_.spec().WatermarkDelayOf(plan_.stream(i).spec.topic));
  }
  const Duration skew = plan_.spec().alignment_bound.value_or(Duration::Seconds(120));
  constexpr int64_t kRingSpans = 8;
  const Duration span = plan_.max_window() + delay + skew;
  return std::make_unique<State>(Duration(span.micros() * kRingSpans));
}

void JoinOperator::PrefetchState(size_t key_hash) const {
  const State& s = *state_;
  const uint32_t slot = s.index.Candidate(key_hash);
  if (slot != KeyIndex::kNone) PrefetchSlot(s.slots[slot]);
}

void JoinOperator::PrefetchSlot(const KeyState& ks) {
  const char* p = reinterpret_cast<const char*>(&ks);
  for (size_t line = 0; line < sizeof(KeyState); line += 64) PrefetchWrite(p + line);
}

uint32_t JoinOperator::SlotFor(std::string_view key, size_t hash) {
  State& s = *state_;
  const uint32_t found = s.index.Find(hash, key, SlotKey{&s.slots});
  if (found != KeyIndex::kNone) return found;
  uint32_t slot;
  if (!s.free_slots.empty()) {
    slot = s.free_slots.back();
    s.free_slots.pop_back();
    // The next new key takes the next free slot, released a while ago and out of cache by
    // now: it is loaded while the records before that key join.
    if (!s.free_slots.empty()) PrefetchSlot(s.slots[s.free_slots.back()]);
  } else {
    slot = static_cast<uint32_t>(s.slots.size());
    s.slots.emplace_back();
  }
  KeyState& ks = s.slots[slot];
  ks.AssignKey(key);
  // A slot taken before keeps its streams beyond the first ones (empty, released).
  const size_t n = plan_.num_streams();
  if (n > kSlotStreams && ks.more == nullptr) ks.more = new StreamEvents[n - kSlotStreams];
  ks.closed = 0;
  ks.next_deadline = Timestamp::Max();
  s.index.Insert(hash, slot);
  return slot;
}

void JoinOperator::Add(size_t stream, std::string_view key, size_t key_hash, Timestamp ts,
                       std::string_view values, RowBatch* out) {
  assert(ts >= watermark_ && "late events must be rejected before the join");
  assert(key_hash == KeyHash(key));
  const uint32_t slot = SlotFor(key, key_hash);
  KeyState& ks = state_->slots[slot];
  const size_t at = Insert(ks, stream, ts, 0, values);
  ++state_->state_rows;
  Timestamp deadline = ts + plan_.stream(stream).window;
  if (stream == 0) {
    // A new driving event joins with everything stored in its windows now; its LEFT windows
    // are open (ts ≥ watermark), so a stream without partners yields no row yet. It sorts
    // after every driving event whose window is closed, so the closed prefixes hold.
    if (CollectPartners(ks, at, 0)) EmitProduct(ks, at, out);
    deadline = ts + plan_.max_window();
    for (size_t i = 1; i < plan_.num_streams(); ++i) {
      if (plan_.left_mask() & Bit(i)) deadline = std::min(deadline, ts + plan_.stream(i).window);
    }
  } else {
    // A new enriching event adds exactly the combinations that contain it: those of the
    // driving events whose window holds it.
    const Duration w = plan_.stream(stream).window;
    const StreamEvents& driving = ks.streams[0];
    // Every combination needs a partner in each INNER stream: when one has nothing near enough
    // for any driving event of this window, the event adds no row (a hot key stays O(log k)).
    for (size_t j = 1; j < plan_.num_streams(); ++j) {
      if (j == stream || (plan_.left_mask() & Bit(j))) continue;
      const Duration reach = w + plan_.stream(j).window;
      const auto [lo, hi] = Events(ks, j).Range(ts - reach, ts + reach);
      if (lo == hi) {
        Schedule(slot, deadline);
        return;
      }
    }
    const auto [first, last] = driving.Range(ts - w, ts + w);
    for (size_t k = first; k < last; ++k) {
      // Closed means watermark > a.ts + W ≥ ts, i.e. this event would be late: never here.
      if (Closed(ks, k) & Bit(stream)) continue;
      partners_[stream] = Partners{at, at + 1};
      if (CollectPartners(ks, k, stream)) EmitProduct(ks, k, out);
    }
  }
  Schedule(slot, deadline);
}

size_t JoinOperator::Insert(KeyState& ks, size_t i, Timestamp ts, uint64_t closed,
                            std::string_view values) {
  StreamEvents& events = Events(ks, i);
  const size_t at = events.Insert(ts, closed, values, i == 0 ? ks.closed : 0);
  if (i == 0 && !events.on_heap()) ks.closed = closed;
  return at;
}

size_t JoinOperator::ClosedPrefix(const KeyState& ks, size_t i) {
  const StreamEvents& driving = ks.streams[0];
  if (!driving.on_heap()) return driving.size() == 1 && (ks.closed & Bit(i)) ? 1 : 0;
  return driving.list().ClosedPrefix(Bit(i));
}

bool JoinOperator::Empty(const KeyState& ks) const {
  for (size_t i = 0; i < plan_.num_streams(); ++i) {
    if (!Events(ks, i).empty()) return false;
  }
  return true;
}

bool JoinOperator::CollectPartners(const KeyState& ks, size_t a, size_t skip) {
  const Timestamp ts = ks.streams[0].ts(a);
  for (size_t j = 1; j < plan_.num_streams(); ++j) {
    if (j == skip) continue;
    const Duration w = plan_.stream(j).window;
    const auto [first, last] = Events(ks, j).Range(ts - w, ts + w);
    if (first < last) {
      partners_[j] = Partners{first, last};
    } else if ((plan_.left_mask() & Bit(j)) && (Closed(ks, a) & Bit(j))) {
      partners_[j] = Partners{kNullPartner, kNullPartner};
    } else {
      return false;
    }
  }
  return true;
}

void JoinOperator::EmitProduct(const KeyState& ks, size_t a, RowBatch* out) {
  const size_t n = plan_.num_streams();
  row_events_[0] = StoredEvent{ks.streams[0].ts(a), ks.streams[0].values(a)};
  row_[0] = &row_events_[0];
  for (size_t j = 1; j < n; ++j) odometer_[j] = partners_[j].first;
  while (true) {
    for (size_t j = 1; j < n; ++j) {
      if (odometer_[j] == kNullPartner) {
        row_[j] = nullptr;
      } else {
        const StreamEvents& e = Events(ks, j);
        row_events_[j] = StoredEvent{e.ts(odometer_[j]), e.values(odometer_[j])};
        row_[j] = &row_events_[j];
      }
    }
    emitter_.Emit(ks.key(), row_, out);
    ++rows_out_;
    size_t j = 1;
    for (; j < n; ++j) {
      if (odometer_[j] != kNullPartner && ++odometer_[j] < partners_[j].last) break;
      odometer_[j] = partners_[j].first;
    }
    if (j == n) return;
  }
}

bool JoinOperator::AdvanceTo(Timestamp watermark, RowBatch* out, size_t row_limit) {
  assert(watermark >= watermark_ && "the watermark never goes backwards");
  watermark_ = std::max(watermark_, watermark);
  State& s = *state_;
  TimerQueue::Timer t;
  for (;;) {
    if (out->num_rows() >= row_limit) return false;
    if (!s.timers.PopBefore(watermark_, &t)) return true;
    // The keys of the next timers are loaded while this one's is swept, as for records
    // (kPrefetchAhead): the slot of the timer that many ahead, and the index entry (for
    // Release) of the one half as many ahead, whose slot has arrived by then.
    if (const TimerQueue::Timer* n = s.timers.PeekAhead(kPrefetchAhead); n && n->slot < s.slots.size()) {
      PrefetchSlot(s.slots[n->slot]);
    }
    if (const TimerQueue::Timer* n = s.timers.PeekAhead(kPrefetchAhead / 2); n && n->slot < s.slots.size()) {
      s.index.Prefetch(KeyHash(s.slots[n->slot].key()));
    }
    // The next timer, when it is not one of those (it comes from the queue's later part):
    // loaded only now.
    if (const TimerQueue::Timer* n = s.timers.PeekOrdered();
        n && n != s.timers.PeekAhead(0) && n->slot < s.slots.size()) {
      PrefetchSlot(s.slots[n->slot]);
    }
    // A timer is stale when its key was released (generation) or an earlier deadline replaced
    // it; the sweep that handled the earlier one rescheduled the key.
    if (t.slot >= s.slots.size()) continue;
    const KeyState& ks = s.slots[t.slot];
    if (ks.generation != t.generation || ks.next_deadline != t.deadline) continue;
    Sweep(t.slot, out);
  }
}

void JoinOperator::Sweep(uint32_t slot, RowBatch* out) {
  KeyState& ks = state_->slots[slot];
  state_->index.Prefetch(KeyHash(ks.key()));  // for Release, if the sweep empties the key
  CloseLeftWindows(ks, out);
  Evict(ks);
  if (Empty(ks)) {
    Release(slot);
    return;
  }
  ks.next_deadline = Timestamp::Max();
  Schedule(slot, NextDeadline(ks));
}

void JoinOperator::CloseLeftWindows(KeyState& ks, RowBatch* out) {
  const StreamEvents& driving = ks.streams[0];
  // Driving events are in time order and window i closes at a.ts + W_i: per stream, the closed
  // events are a prefix, and each sweep closes the next ones.
  for (size_t i = 1; i < plan_.num_streams(); ++i) {
    if (!(plan_.left_mask() & Bit(i))) continue;
    const Duration w = plan_.stream(i).window;
    for (size_t k = ClosedPrefix(ks, i); k < driving.size() && watermark_ > driving.ts(k) + w;
         ++k) {
      // Set the flag first: for a later stream closing in this same sweep, this one then
      // counts as {NULL}, and the all-NULL combination is emitted once, by the last to close.
      SetClosed(ks, k, Bit(i));
      const Timestamp ts = driving.ts(k);
      const auto [first, last] = Events(ks, i).Range(ts - w, ts + w);
      if (first < last) continue;
      partners_[i] = Partners{kNullPartner, kNullPartner};
      if (CollectPartners(ks, k, i)) EmitProduct(ks, k, out);
    }
  }
}

void JoinOperator::Evict(KeyState& ks) {
  State& s = *state_;
  StreamEvents& driving = ks.streams[0];
  const Duration max_window = plan_.max_window();
  size_t n = 0;
  while (n < driving.size() && watermark_ > driving.ts(n) + max_window) ++n;
  driving.PopFront(n);
  s.state_rows -= n;
  for (size_t i = 1; i < plan_.num_streams(); ++i) {
    StreamEvents& events = Events(ks, i);
    const Duration w = plan_.stream(i).window;
    // No driving event still to come can match e once watermark > e.ts + W_i; but a stored
    // driving event that matched e keeps it, as a later partner of another stream may still
    // complete a combination with both. Evicted from the front: an event behind a kept one
    // waits for the sweep that evicts the driving event keeping it.
    size_t m = 0;
    for (; m < events.size(); ++m) {
      const Timestamp ts = events.ts(m);
      if (watermark_ <= ts + w) break;
      const auto [first, last] = driving.Range(ts - w, ts + w);
      if (first < last) break;
    }
    events.PopFront(m);
    s.state_rows -= m;
  }
}

Timestamp JoinOperator::NextDeadline(const KeyState& ks) const {
  Timestamp d = Timestamp::Max();
  const StreamEvents& driving = ks.streams[0];
  if (!driving.empty()) {
    d = driving.ts(0) + plan_.max_window();
    for (size_t i = 1; i < plan_.num_streams(); ++i) {
      if (!(plan_.left_mask() & Bit(i))) continue;
      const size_t k = ClosedPrefix(ks, i);
      if (k < driving.size()) d = std::min(d, driving.ts(k) + plan_.stream(i).window);
    }
  }
  // Enriching events past their own deadline are kept by a driving event, whose eviction
  // deadline (above) brings the next sweep. Without one (only in a damaged checkpoint) their
  // passed deadline makes the next AdvanceTo sweep them away. The next event to reach its
  // deadline sets one only if no stored driving event keeps it: a sweep at its deadline would
  // find it kept and evict nothing (BM_JoinUniformKeys: 9 % fewer sweeps).
  for (size_t i = 1; i < plan_.num_streams(); ++i) {
    const StreamEvents& events = Events(ks, i);
    const Duration w = plan_.stream(i).window;
    const size_t k = driving.empty() ? 0 : events.LowerBound(watermark_ - w);
    if (k == events.size()) continue;
    const Timestamp e = events.ts(k);
    if (!driving.empty()) {
      const auto [first, last] = driving.Range(e - w, e + w);
      if (first < last) continue;
    }
    d = std::min(d, e + w);
  }
  return d;
}

void JoinOperator::Schedule(uint32_t slot, Timestamp deadline) {
  KeyState& ks = state_->slots[slot];
  if (deadline >= ks.next_deadline) return;
  ks.next_deadline = deadline;
  state_->timers.Push(TimerQueue::Timer{deadline, slot, ks.generation});
}

void JoinOperator::Release(uint32_t slot) {
  State& s = *state_;
  KeyState& ks = s.slots[slot];
  s.index.Erase(KeyHash(ks.key()), slot);
  ks.ClearKey();
  for (size_t i = 0; i < plan_.num_streams(); ++i) Events(ks, i).Release();
  ks.closed = 0;
  ks.next_deadline = Timestamp::Max();
  ++ks.generation;
  s.free_slots.push_back(slot);
}

void JoinOperator::Save(ByteWriter* out) const {
  const State& s = *state_;
  out->U64(s.index.size());
  s.index.ForEach([&](uint32_t slot) {
    const KeyState& ks = s.slots[slot];
    out->Str(ks.key());
    for (size_t i = 0; i < plan_.num_streams(); ++i) {
      const StreamEvents& events = Events(ks, i);
      out->U32(static_cast<uint32_t>(events.size()));
      for (size_t k = 0; k < events.size(); ++k) {
        out->I64(events.ts(k).micros());
        if (i == 0) out->U64(Closed(ks, k));
        out->Str(events.values(k));
      }
    }
  });
}

Status JoinOperator::Load(ByteReader* in, Timestamp watermark) {
  // Parse into a fresh state so that a corrupt checkpoint leaves this one unchanged.
  std::unique_ptr<State> before = std::exchange(state_, NewState());
  const Timestamp watermark_before = watermark_;
  watermark_ = watermark;
  Status st = LoadKeys(in);
  if (!st.ok()) {
    state_ = std::move(before);
    watermark_ = watermark_before;
  }
  return st;
}

Status JoinOperator::LoadKeys(ByteReader* in) {
  uint64_t num_keys = 0;
  BRAID_RETURN_IF_ERROR(in->U64(&num_keys, "key count"));
  for (uint64_t k = 0; k < num_keys; ++k) {
    std::string_view key;
    BRAID_RETURN_IF_ERROR(in->Str(&key, "key"));
    EventKey parts(key);
    std::string_view part;
    for (FieldType t : plan_.key_types()) {
      if (!parts.Next(&part) || (t == FieldType::kLong && part.size() != 8)) {
        return in->Error("a key does not decode per the layout");
      }
    }
    if (!parts.AtEnd()) return in->Error("a key has more parts than the layout");
    const size_t hash = KeyHash(key);
    if (state_->index.Find(hash, key, SlotKey{&state_->slots}) != KeyIndex::kNone) {
      return in->Error("a key is listed twice");
    }
    const uint32_t slot = SlotFor(key, hash);
    for (size_t i = 0; i < plan_.num_streams(); ++i) {
      uint32_t n = 0;
      BRAID_RETURN_IF_ERROR(in->U32(&n, "event count"));
      // Each event takes at least 12 bytes: refuse counts the input cannot hold.
      if (n > in->remaining() / 12) return in->Error(fmt::format("event count {} too large", n));
      KeyState& ks = state_->slots[slot];
      for (uint32_t e = 0; e < n; ++e) {
        int64_t ts = 0;
        uint64_t closed = 0;
        std::string_view values;
        BRAID_RETURN_IF_ERROR(in->I64(&ts, "event time"));
        if (Timestamp(ts) < kMinEventTime || Timestamp(ts) > kMaxEventTime) {
          return in->Error(fmt::format("event time {} out of range", ts));
        }
        if (i == 0) BRAID_RETURN_IF_ERROR(in->U64(&closed, "closed windows"));
        if (closed & ~plan_.left_mask()) return in->Error("closed bit of a non-LEFT stream");
        BRAID_RETURN_IF_ERROR(in->Str(&values, "event values"));
        if (!EventValues::IsValid(values, plan_.stream(i).stored_types)) {
          return in->Error(fmt::format("values of a {} event do not decode per the layout",
                                       plan_.stream(i).spec.name));
        }
        Insert(ks, i, Timestamp(ts), closed, values);
        ++state_->state_rows;
      }
    }
    KeyState& ks = state_->slots[slot];
    if (Empty(ks)) return in->Error("a key without events");
    // LEFT windows close in time order: each stream's closed driving events are a prefix (one
    // inline event always is).
    const StreamEvents& driving = ks.streams[0];
    for (size_t i = 1; i < plan_.num_streams(); ++i) {
      if (driving.on_heap() && !driving.list().ClosedIsPrefix(Bit(i))) {
        return in->Error("a key's windows closed out of time order");
      }
    }
    Schedule(slot, NextDeadline(ks));
  }
  return Status::Ok();
}

}  // namespace braid
