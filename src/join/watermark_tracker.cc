#include "join/watermark_tracker.h"

#include <algorithm>

#include <fmt/format.h>

#include "event/timestamp_parser.h"

namespace braid {

WatermarkTracker::Handle WatermarkTracker::Register(const TopicPartition& tp) {
  for (Handle h = 0; h < parts_.size(); ++h) {
    if (parts_[h].tp == tp) {
      if (!parts_[h].registered) {
        parts_[h].registered = true;
        Recompute();
      }
      return h;
    }
  }
  Partition p{tp};
  p.delay = options_.delay;
  p.idle_timeout = options_.idle_timeout;
  for (const Options::TopicTiming& t : options_.per_topic) {
    if (t.topic == tp.topic) {
      p.delay = t.delay;
      p.idle_timeout = t.idle_timeout;
    }
  }
  parts_.push_back(std::move(p));
  // A new partition may lower the candidate, never the watermark.
  Recompute();
  return parts_.size() - 1;
}

std::optional<WatermarkTracker::Handle> WatermarkTracker::Find(std::string_view topic,
                                                               PartitionId partition) const {
  for (Handle h = 0; h < parts_.size(); ++h) {
    const Partition& p = parts_[h];
    if (p.registered && p.tp.partition == partition && p.tp.topic == topic) {
      return h;
    }
  }
  return std::nullopt;
}

void WatermarkTracker::Unregister(const TopicPartition& tp) {
  for (Partition& p : parts_) {
    if (p.tp == tp) p.registered = false;
  }
  Recompute();
}

void WatermarkTracker::NoteRecord(Handle h) {
  Partition& p = parts_[h];
  p.seen_since_check = true;
  p.caught_up = false;
  if (p.idle) {
    p.idle = false;
    Recompute();
  }
}

bool WatermarkTracker::Observe(Handle h, Timestamp event_time) {
  Partition& p = parts_[h];
  if (p.idle) NoteRecord(h);
  if (event_time <= p.max_ts) return false;
  const Timestamp old = PartitionWatermark(p);
  p.max_ts = event_time;
  // Raising a partition that is not the minimum cannot change the minimum.
  if (old > candidate_) return false;
  return Recompute();
}

void WatermarkTracker::MarkCaughtUp(Handle h) { parts_[h].caught_up = true; }

void WatermarkTracker::MarkNotCaughtUp(Handle h) {
  Partition& p = parts_[h];
  p.caught_up = false;
  p.seen_since_check = true;  // the idle timer starts again at the next check
  if (p.idle) {
    p.idle = false;
    Recompute();
  }
}

bool WatermarkTracker::CheckIdle(Timestamp now) {
  bool changed = false;
  for (Partition& p : parts_) {
    if (!p.registered) continue;
    if (p.seen_since_check || p.last_active == Timestamp::Min()) {
      p.last_active = now;
      p.seen_since_check = false;
    }
    if (!p.idle && p.caught_up && p.last_active + p.idle_timeout <= now) {
      p.idle = true;
      changed = true;
    }
  }
  return changed && Recompute();
}

void WatermarkTracker::Finish() {
  finished_ = true;
  watermark_ = Timestamp::Max();
}

Timestamp WatermarkTracker::Candidate(std::string_view only_topic) const {
  Timestamp min_active = Timestamp::Max();
  Timestamp max_all = Timestamp::Min();
  bool any = false, any_active = false;
  for (const Partition& p : parts_) {
    if (!p.registered || (!only_topic.empty() && p.tp.topic != only_topic)) continue;
    any = true;
    const Timestamp w = PartitionWatermark(p);
    max_all = std::max(max_all, w);
    if (!p.idle) {
      any_active = true;
      min_active = std::min(min_active, w);
    }
  }
  if (!any) return Timestamp::Min();
  return any_active ? min_active : max_all;
}

bool WatermarkTracker::Recompute() {
  bool any_active = false;
  for (const Partition& p : parts_) any_active = any_active || (p.registered && !p.idle);
  // Every partition idle: nothing tells how far event time has come, so the watermark holds
  // (as Flink's does) rather than jumping to the most advanced partition.
  if (!any_active) {
    candidate_ = watermark_;
    return false;
  }
  candidate_ = Candidate({});
  if (finished_ || candidate_ <= watermark_) return false;
  watermark_ = candidate_;
  return true;
}

Timestamp WatermarkTracker::TopicWatermark(std::string_view topic) const {
  if (finished_) return Timestamp::Max();
  return topic.empty() ? Timestamp::Min() : Candidate(topic);
}

std::vector<TopicPartition> WatermarkTracker::PartitionsAhead() const {
  std::vector<TopicPartition> out;
  if (!options_.alignment_bound || finished_) return out;
  for (const Partition& p : parts_) {
    if (!p.registered || p.idle || p.max_ts == Timestamp::Min()) continue;
    // Progress is compared at the widest delay: a partition whose stream has a shorter delay
    // than the one holding `wm` is not ahead for that alone (with one delay for all, this is
    // its own watermark).
    const Timestamp w = p.max_ts - WidestDelay();
    const bool ahead = watermark_ == Timestamp::Min() || w > watermark_ + *options_.alignment_bound;
    if (ahead) out.push_back(p.tp);
  }
  return out;
}

Duration WatermarkTracker::WidestDelay() const {
  Duration widest = options_.delay;
  for (const Options::TopicTiming& t : options_.per_topic) widest = std::max(widest, t.delay);
  return widest;
}

void WatermarkTracker::Save(ByteWriter* out) const {
  out->I64(watermark_.micros());
  uint32_t n = 0;
  for (const Partition& p : parts_) n += p.registered ? 1 : 0;
  out->U32(n);
  for (const Partition& p : parts_) {
    if (!p.registered) continue;
    out->Str(p.tp.topic);
    out->U32(static_cast<uint32_t>(p.tp.partition.value()));
    out->I64(p.max_ts.micros());
    out->U8(static_cast<uint8_t>((p.idle ? 1 : 0) | (p.caught_up ? 2 : 0)));
  }
}

Status WatermarkTracker::Load(ByteReader* in) {
  int64_t wm = 0;
  uint32_t n = 0;
  BRAID_RETURN_IF_ERROR(in->I64(&wm, "watermark"));
  BRAID_RETURN_IF_ERROR(in->U32(&n, "partition count"));
  std::vector<Partition> loaded;
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view topic;
    uint32_t partition = 0;
    int64_t max_ts = 0;
    uint8_t flags = 0;
    BRAID_RETURN_IF_ERROR(in->Str(&topic, "topic"));
    BRAID_RETURN_IF_ERROR(in->U32(&partition, "partition"));
    BRAID_RETURN_IF_ERROR(in->I64(&max_ts, "max event time"));
    BRAID_RETURN_IF_ERROR(in->U8(&flags, "partition flags"));
    if (flags > 3) return in->Error(fmt::format("unknown partition flags {:#x}", flags));
    if (max_ts != Timestamp::Min().micros() &&
        (Timestamp(max_ts) < kMinEventTime || Timestamp(max_ts) > kMaxEventTime)) {
      return in->Error(fmt::format("max event time {} out of range", max_ts));
    }
    Partition p{TopicPartition{std::string(topic), PartitionId(static_cast<int32_t>(partition))}};
    p.max_ts = Timestamp(max_ts);
    p.idle = flags & 1;
    p.caught_up = flags & 2;
    for (const Partition& q : loaded) {
      if (q.tp == p.tp) {
        return in->Error(fmt::format("partition {}/{} listed twice", topic,
                                     p.tp.partition.value()));
      }
    }
    loaded.push_back(std::move(p));
  }
  for (Partition& p : loaded) {
    Handle h = Register(p.tp);
    parts_[h].max_ts = p.max_ts;
    parts_[h].idle = p.idle;
    parts_[h].caught_up = p.caught_up;
    parts_[h].last_active = Timestamp::Min();
    parts_[h].seen_since_check = false;
  }
  finished_ = wm == Timestamp::Max().micros();
  watermark_ = Timestamp(wm);
  candidate_ = Candidate({});
  return Status::Ok();
}

}  // namespace braid
