#include "join/join_operator.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "event/event_key.h"
#include "event/event_values.h"
#include "event/timestamp_parser.h"

namespace braid {
namespace {

constexpr int32_t kNull = -1;  // a LEFT stream's NULL in partners_

uint64_t Bit(size_t stream) { return uint64_t{1} << stream; }

}  // namespace

JoinOperator::JoinOperator(const JoinPlan& plan)
    : plan_(plan),
      emitter_(plan),
      partners_(plan.num_streams()),
      odometer_(plan.num_streams()),
      row_(plan.num_streams()) {}

bool JoinOperator::InWindow(size_t stream, Timestamp driving_ts, Timestamp ts) const {
  const Duration w = plan_.stream(stream).window;
  return ts >= driving_ts - w && ts <= driving_ts + w;
}

uint32_t JoinOperator::SlotFor(std::string_view key) {
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  auto [node, inserted] = index_.emplace(std::string(key), slot);
  assert(inserted);
  KeyState& ks = slots_[slot];
  ks.key = node->first;
  ks.streams.resize(plan_.num_streams());
  ks.next_deadline = Timestamp::Max();
  return slot;
}

void JoinOperator::Add(size_t stream, std::string_view key, Timestamp ts,
                       std::string_view values, RowBatch* out) {
  assert(ts >= watermark_ && "late events must be rejected before the join");
  const uint32_t slot = SlotFor(key);
  KeyState& ks = slots_[slot];
  std::vector<StoredEvent>& events = ks.streams[stream];
  events.push_back(StoredEvent{ts, 0, std::string(values)});
  ++state_rows_;
  const StoredEvent& x = events.back();
  Timestamp deadline = ts + plan_.stream(stream).window;
  if (stream == 0) {
    // A new driving event joins with everything stored in its windows now; its LEFT windows
    // are open (ts ≥ watermark), so a stream without partners yields no row yet.
    if (CollectPartners(ks, x, 0)) EmitProduct(ks, x, out);
    deadline = ts + plan_.max_window();
    for (size_t i = 1; i < plan_.num_streams(); ++i) {
      if (plan_.left_mask() & Bit(i)) deadline = std::min(deadline, ts + plan_.stream(i).window);
    }
  } else {
    // A new enriching event adds exactly the combinations that contain it.
    partners_[stream].assign(1, static_cast<int32_t>(events.size() - 1));
    for (const StoredEvent& a : ks.streams[0]) {
      if (!InWindow(stream, a.ts, ts)) continue;
      // Closed means watermark > a.ts + W ≥ ts, i.e. this event would be late: never here.
      if (a.closed & Bit(stream)) continue;
      if (CollectPartners(ks, a, stream)) EmitProduct(ks, a, out);
    }
  }
  Schedule(slot, deadline);
}

bool JoinOperator::CollectPartners(const KeyState& ks, const StoredEvent& a, size_t skip) {
  for (size_t j = 1; j < plan_.num_streams(); ++j) {
    if (j == skip) continue;
    std::vector<int32_t>& p = partners_[j];
    p.clear();
    const std::vector<StoredEvent>& events = ks.streams[j];
    for (size_t k = 0; k < events.size(); ++k) {
      if (InWindow(j, a.ts, events[k].ts)) p.push_back(static_cast<int32_t>(k));
    }
    if (p.empty()) {
      if ((plan_.left_mask() & Bit(j)) && (a.closed & Bit(j))) {
        p.push_back(kNull);
      } else {
        return false;
      }
    }
  }
  return true;
}

void JoinOperator::EmitProduct(const KeyState& ks, const StoredEvent& a, RowBatch* out) {
  const size_t n = plan_.num_streams();
  row_[0] = &a;
  std::fill(odometer_.begin(), odometer_.end(), 0);
  while (true) {
    for (size_t j = 1; j < n; ++j) {
      const int32_t k = partners_[j][odometer_[j]];
      row_[j] = k == kNull ? nullptr : &ks.streams[j][k];
    }
    emitter_.Emit(ks.key, row_, out);
    ++rows_out_;
    size_t j = 1;
    for (; j < n; ++j) {
      if (++odometer_[j] < partners_[j].size()) break;
      odometer_[j] = 0;
    }
    if (j == n) return;
  }
}

void JoinOperator::AdvanceTo(Timestamp watermark, RowBatch* out) {
  assert(watermark >= watermark_ && "the watermark never goes backwards");
  watermark_ = std::max(watermark_, watermark);
  while (!timers_.empty() && timers_.top().deadline < watermark_) {
    const Timer t = timers_.top();
    timers_.pop();
    // A timer is stale when its key was released (generation) or an earlier deadline replaced
    // it; the sweep that handled the earlier one rescheduled the key.
    if (t.slot >= slots_.size()) continue;
    const KeyState& ks = slots_[t.slot];
    if (ks.generation != t.generation || ks.next_deadline != t.deadline) continue;
    Sweep(t.slot, out);
  }
}

void JoinOperator::Sweep(uint32_t slot, RowBatch* out) {
  KeyState& ks = slots_[slot];
  CloseLeftWindows(ks, out);
  Evict(ks);
  const bool empty = std::all_of(ks.streams.begin(), ks.streams.end(),
                                 [](const std::vector<StoredEvent>& v) { return v.empty(); });
  if (empty) {
    Release(slot);
    return;
  }
  ks.next_deadline = Timestamp::Max();
  Schedule(slot, NextDeadline(ks));
}

void JoinOperator::CloseLeftWindows(KeyState& ks, RowBatch* out) {
  for (StoredEvent& a : ks.streams[0]) {
    for (size_t i = 1; i < plan_.num_streams(); ++i) {
      if (!(plan_.left_mask() & Bit(i)) || (a.closed & Bit(i))) continue;
      if (!(watermark_ > a.ts + plan_.stream(i).window)) continue;
      // Set the flag first: for a later stream closing in this same sweep, this one then
      // counts as {NULL}, and the all-NULL combination is emitted once, by the last to close.
      a.closed |= Bit(i);
      const bool has_partner =
          std::any_of(ks.streams[i].begin(), ks.streams[i].end(),
                      [&](const StoredEvent& e) { return InWindow(i, a.ts, e.ts); });
      if (has_partner) continue;
      partners_[i].assign(1, kNull);
      if (CollectPartners(ks, a, i)) EmitProduct(ks, a, out);
    }
  }
}

void JoinOperator::Evict(KeyState& ks) {
  std::vector<StoredEvent>& driving = ks.streams[0];
  const Duration max_window = plan_.max_window();
  const size_t before = driving.size();
  std::erase_if(driving, [&](const StoredEvent& a) { return watermark_ > a.ts + max_window; });
  state_rows_ -= before - driving.size();
  for (size_t i = 1; i < plan_.num_streams(); ++i) {
    std::vector<StoredEvent>& events = ks.streams[i];
    const size_t n = events.size();
    // No driving event still to come can match e once watermark > e.ts + W_i; but a stored
    // driving event that matched e keeps it, as a later partner of another stream may still
    // complete a combination with both.
    std::erase_if(events, [&](const StoredEvent& e) {
      if (!(watermark_ > e.ts + plan_.stream(i).window)) return false;
      return std::none_of(driving.begin(), driving.end(),
                          [&](const StoredEvent& a) { return InWindow(i, a.ts, e.ts); });
    });
    state_rows_ -= n - events.size();
  }
}

Timestamp JoinOperator::NextDeadline(const KeyState& ks) const {
  Timestamp d = Timestamp::Max();
  for (const StoredEvent& a : ks.streams[0]) {
    d = std::min(d, a.ts + plan_.max_window());
    for (size_t i = 1; i < plan_.num_streams(); ++i) {
      if ((plan_.left_mask() & Bit(i)) && !(a.closed & Bit(i))) {
        d = std::min(d, a.ts + plan_.stream(i).window);
      }
    }
  }
  // Enriching events past their own deadline are kept by a driving event, whose eviction
  // deadline (above) brings the next sweep. Without one (only in a damaged checkpoint) their
  // passed deadline makes the next AdvanceTo sweep them away.
  const bool no_driving = ks.streams[0].empty();
  for (size_t i = 1; i < plan_.num_streams(); ++i) {
    for (const StoredEvent& e : ks.streams[i]) {
      const Timestamp own = e.ts + plan_.stream(i).window;
      if (own >= watermark_ || no_driving) d = std::min(d, own);
    }
  }
  return d;
}

void JoinOperator::Schedule(uint32_t slot, Timestamp deadline) {
  KeyState& ks = slots_[slot];
  if (deadline >= ks.next_deadline) return;
  ks.next_deadline = deadline;
  timers_.push(Timer{deadline, slot, ks.generation});
}

void JoinOperator::Release(uint32_t slot) {
  KeyState& ks = slots_[slot];
  index_.erase(index_.find(ks.key));
  ks.key = {};
  for (std::vector<StoredEvent>& v : ks.streams) v.clear();
  ks.next_deadline = Timestamp::Max();
  ++ks.generation;
  free_slots_.push_back(slot);
}

void JoinOperator::Clear() {
  index_.clear();
  slots_.clear();
  free_slots_.clear();
  timers_ = {};
  state_rows_ = 0;
}

void JoinOperator::Save(ByteWriter* out) const {
  out->U64(index_.size());
  for (const auto& [key, slot] : index_) {
    const KeyState& ks = slots_[slot];
    out->Str(key);
    for (size_t i = 0; i < plan_.num_streams(); ++i) {
      out->U32(static_cast<uint32_t>(ks.streams[i].size()));
      for (const StoredEvent& e : ks.streams[i]) {
        out->I64(e.ts.micros());
        if (i == 0) out->U64(e.closed);
        out->Str(e.values);
      }
    }
  }
}

Status JoinOperator::Load(ByteReader* in, Timestamp watermark) {
  // Parse into a fresh operator so that a corrupt checkpoint leaves this one unchanged.
  JoinOperator fresh(plan_);
  fresh.watermark_ = watermark;
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
    if (fresh.index_.count(key)) return in->Error("a key is listed twice");
    const uint32_t slot = fresh.SlotFor(key);
    for (size_t i = 0; i < plan_.num_streams(); ++i) {
      uint32_t n = 0;
      BRAID_RETURN_IF_ERROR(in->U32(&n, "event count"));
      // Each event takes at least 12 bytes: refuse counts the input cannot hold before
      // reserving memory for them.
      if (n > in->remaining() / 12) return in->Error(fmt::format("event count {} too large", n));
      std::vector<StoredEvent>& events = fresh.slots_[slot].streams[i];
      events.reserve(n);
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
        events.push_back(StoredEvent{Timestamp(ts), closed, std::string(values)});
        ++fresh.state_rows_;
      }
    }
    KeyState& ks = fresh.slots_[slot];
    if (std::all_of(ks.streams.begin(), ks.streams.end(),
                    [](const std::vector<StoredEvent>& v) { return v.empty(); })) {
      return in->Error("a key without events");
    }
    fresh.Schedule(slot, fresh.NextDeadline(ks));
  }
  Clear();
  watermark_ = watermark;
  // Keys are interned in the node-based index_, so moving it keeps KeyState::key valid.
  index_ = std::move(fresh.index_);
  slots_ = std::move(fresh.slots_);
  free_slots_ = std::move(fresh.free_slots_);
  timers_ = std::move(fresh.timers_);
  state_rows_ = fresh.state_rows_;
  return Status::Ok();
}

}  // namespace braid
