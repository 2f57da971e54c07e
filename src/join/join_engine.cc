#include "join/join_engine.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/short_bytes.h"
#include "join/byte_io.h"
#include "join/crc32c.h"

namespace braid {
namespace {

constexpr std::string_view kMagic("BRAIDJS\0", 8);
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 24;
// Partition numbers below this are looked up in a vector; others by a search (never in Kafka).
constexpr int64_t kCachedPartitions = 1 << 16;

}  // namespace

namespace {

// The tracker's settings: the pipeline's, and each stream's own where it sets them.
WatermarkTracker::Options TrackerOptions(const JoinSpec& spec) {
  WatermarkTracker::Options o{spec.watermark_delay, spec.idle_timeout, spec.alignment_bound, {}};
  std::vector<const StreamSpec*> streams{&spec.driving};
  for (const EnrichSpec& e : spec.enriching) streams.push_back(&e.stream);
  for (const StreamSpec* s : streams) {
    if (s->watermark_delay || s->idle_timeout) {
      o.per_topic.push_back({s->topic, spec.WatermarkDelayOf(s->topic), spec.IdleTimeoutOf(s->topic)});
    }
  }
  return o;
}

}  // namespace

Result<std::unique_ptr<JoinEngine>> JoinEngine::Create(const JoinSpec& spec) {
  BRAID_ASSIGN_OR_RETURN(JoinPlan plan, JoinPlan::Compile(spec));
  std::unique_ptr<JoinEngine> engine(new JoinEngine(std::move(plan)));
  BRAID_ASSIGN_OR_RETURN(engine->decoder_, engine->NewDecoder());
  return engine;
}

Result<std::unique_ptr<JoinEngine::RecordDecoder>> JoinEngine::NewDecoder() const {
  auto d = std::make_unique<RecordDecoder>();
  d->plan_ = &plan_;
  for (size_t i = 0; i < plan_.num_streams(); ++i) {
    const StreamPlan& s = plan_.stream(i);
    BRAID_ASSIGN_OR_RETURN(auto decoder, EventDecoder::Create(s.spec, s.stored_fields));
    d->decoders_.push_back(std::move(decoder));
  }
  return d;
}

int JoinEngine::RecordDecoder::StreamOf(std::string_view topic) {
  // Inline: a call into memcmp per record showed in profiles.
  if (!SameView(topic, last_topic_)) {
    last_stream_ = plan_->StreamOfTopic(topic);
    last_topic_.assign(topic);
  }
  return last_stream_;
}

void JoinEngine::RecordDecoder::Decode(const KafkaRecord& record, DecodedRecord* out) {
  out->stream = StreamOf(record.topic);
  if (out->stream < 0) {
    out->reject = Reject{RejectKind::kUnknownTopic,
                         fmt::format("topic \"{}\" is not an input of this pipeline", record.topic),
                         std::nullopt};
    return;
  }
  out->reject = decoders_[out->stream]->Decode(record.value, &out->event);
  if (!out->reject) out->key_hash = JoinOperator::KeyHash(out->event.key);
}

JoinEngine::JoinEngine(JoinPlan plan)
    : plan_(std::move(plan)),
      tracker_(TrackerOptions(plan_.spec())),
      op_(std::make_unique<JoinOperator>(plan_)),
      handle_cache_(plan_.num_streams()) {}

Status JoinEngine::AssignPartitions(std::span<const TopicPartition> partitions) {
  for (const TopicPartition& tp : partitions) {
    if (plan_.StreamOfTopic(tp.topic) < 0) {
      return Status::InvalidArgument(
          fmt::format("topic \"{}\" is not an input of this pipeline", tp.topic));
    }
  }
  for (const TopicPartition& tp : partitions) tracker_.Register(tp);
  return Status::Ok();
}

void JoinEngine::RevokePartitions(std::span<const TopicPartition> partitions) {
  for (const TopicPartition& tp : partitions) tracker_.Unregister(tp);
  for (std::vector<int64_t>& cache : handle_cache_) cache.clear();
}

void JoinEngine::MarkCaughtUp(const TopicPartition& partition) {
  tracker_.MarkCaughtUp(tracker_.Register(partition));
}

bool JoinEngine::HasDelivered(const TopicPartition& partition) const {
  auto h = tracker_.Find(partition.topic, partition.partition);
  return h && tracker_.MaxEventTime(*h) != Timestamp::Min();
}

bool JoinEngine::IsIdle(const TopicPartition& partition) const {
  auto h = tracker_.Find(partition.topic, partition.partition);
  return h && tracker_.IsIdle(*h);
}

std::optional<Timestamp> JoinEngine::PartitionWatermark(const TopicPartition& partition) const {
  auto h = tracker_.Find(partition.topic, partition.partition);
  if (!h || tracker_.MaxEventTime(*h) == Timestamp::Min()) return std::nullopt;
  return tracker_.PartitionWatermarkOf(*h);
}

void JoinEngine::MarkNotCaughtUp(const TopicPartition& partition) {
  tracker_.MarkNotCaughtUp(tracker_.Register(partition));
}

WatermarkTracker::Handle JoinEngine::HandleFor(size_t stream, const KafkaRecord& record) {
  const int64_t p = record.partition.value();
  if (p < 0 || p >= kCachedPartitions) {
    return tracker_.Register(TopicPartition{std::string(record.topic), record.partition});
  }
  std::vector<int64_t>& cache = handle_cache_[stream];
  if (static_cast<size_t>(p) >= cache.size()) cache.resize(p + 1, 0);
  if (cache[p] == 0) {
    cache[p] =
        static_cast<int64_t>(tracker_.Register(TopicPartition{std::string(record.topic),
                                                              record.partition})) + 1;
  }
  return static_cast<WatermarkTracker::Handle>(cache[p] - 1);
}

void JoinEngine::AddReject(const KafkaRecord& record, const Reject& reject, RowBatch* rejects) {
  ++counters_.rejects;
  ++counters_.rejects_by_kind[static_cast<size_t>(reject.kind)];
  if (reject.kind == RejectKind::kLate) ++counters_.late;
  AppendReject(record, reject, rejects);
}

void JoinEngine::Process(const KafkaRecord& record, RowBatch* rows, RowBatch* rejects) {
  decoder_->Decode(record, &decoded_);
  ProcessDecoded(record, decoded_, rows, rejects);
}

void JoinEngine::ProcessDecoded(const KafkaRecord& record, const DecodedRecord& decoded,
                                RowBatch* rows, RowBatch* rejects) {
  ++counters_.records_in;
  const int stream = decoded.stream;
  if (stream < 0) {
    AddReject(record, *decoded.reject, rejects);
    return;
  }
  const WatermarkTracker::Handle h = HandleFor(static_cast<size_t>(stream), record);
  tracker_.NoteRecord(h);
  if (decoded.reject) {
    AddReject(record, *decoded.reject, rejects);
    return;
  }
  const DecodedEvent& event = decoded.event;
  // Checked against the watermark before this record's own event time is observed.
  if (event.ts < tracker_.watermark()) {
    AddReject(record, Reject{RejectKind::kLate, "late", event.ts}, rejects);
  } else {
    op_->Add(static_cast<size_t>(stream), event.key, decoded.key_hash, event.ts, event.values,
             rows);
    counters_.peak_state_rows = std::max<uint64_t>(counters_.peak_state_rows, op_->state_rows());
  }
  if (tracker_.Observe(h, event.ts)) op_->AdvanceTo(tracker_.watermark(), rows);
}

void JoinEngine::OnIdleCheck(Timestamp now_wall, RowBatch* rows) {
  if (tracker_.CheckIdle(now_wall)) op_->AdvanceTo(tracker_.watermark(), rows);
}

bool JoinEngine::Finish(RowBatch* rows, size_t max_rows) {
  tracker_.Finish();
  const size_t held = rows->num_rows();
  const size_t limit = max_rows > SIZE_MAX - held ? SIZE_MAX : held + max_rows;
  return op_->AdvanceTo(tracker_.watermark(), rows, limit);
}

JoinCounters JoinEngine::counters() const {
  JoinCounters c = counters_;
  c.rows_out = rows_out_before_load_ + op_->rows_out();
  c.state_rows = op_->state_rows();
  c.state_keys = op_->num_keys();
  return c;
}

Status JoinEngine::SaveState(std::string* out) const {
  // Written in place, the header's size and checksum filled in last: the state is the largest
  // thing a commit holds, and a second copy of it was a tenth of a 4 M-action run's peak memory.
  // Sized like the last one, so it does not grow by doubling either.
  out->clear();
  out->reserve(saved_bytes_ + saved_bytes_ / 8);
  out->append(kMagic);
  ByteWriter w(out);
  w.U32(kVersion);
  w.U64(0);  // body size
  w.U32(0);  // body CRC-32C
  w.Str(plan_.Layout());
  tracker_.Save(&w);
  op_->Save(&w);
  const uint64_t size = out->size() - kHeaderSize;
  const uint32_t crc = Crc32c(std::string_view(*out).substr(kHeaderSize));
  std::memcpy(out->data() + kMagic.size() + 4, &size, 8);
  std::memcpy(out->data() + kMagic.size() + 12, &crc, 4);
  saved_bytes_ = out->size();
  return Status::Ok();
}

Status JoinEngine::LoadState(std::string_view data) {
  if (data.size() < kHeaderSize) {
    return Status::Corruption(fmt::format(
        "join-state checkpoint too short: {} bytes, the header alone is {}", data.size(),
        kHeaderSize));
  }
  if (data.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("not a braid join-state checkpoint (bad magic)");
  }
  ByteReader header(data.substr(kMagic.size(), kHeaderSize - kMagic.size()));
  uint32_t version = 0, crc = 0;
  uint64_t length = 0;
  BRAID_RETURN_IF_ERROR(header.U32(&version, "version"));
  BRAID_RETURN_IF_ERROR(header.U64(&length, "body length"));
  BRAID_RETURN_IF_ERROR(header.U32(&crc, "checksum"));
  if (version > kVersion) {
    return Status::InvalidArgument(fmt::format(
        "join-state checkpoint version {} was written by a newer braid (this one reads {})",
        version, kVersion));
  }
  if (version == 0) return Status::Corruption("join-state checkpoint has version 0");
  const std::string_view body = data.substr(kHeaderSize);
  if (length != body.size()) {
    return Status::Corruption(fmt::format(
        "join-state checkpoint length mismatch: header says {} body bytes, found {}", length,
        body.size()));
  }
  if (Crc32c(body) != crc) {
    return Status::Corruption("join-state checkpoint checksum mismatch: the file is damaged");
  }
  ByteReader in(body);
  std::string_view layout;
  BRAID_RETURN_IF_ERROR(in.Str(&layout, "layout"));
  if (layout != plan_.Layout()) {
    // The layouts are multi-line; the message stays one line.
    return Status::InvalidArgument(
        "the join changed since this pipeline's last commit (its streams, keys, windows or output "
        "differ from the saved join state): braid will not continue a different join from it. Run "
        "it with the previous settings, or write the new join to a new table (--table)");
  }
  WatermarkTracker tracker = tracker_;
  BRAID_RETURN_IF_ERROR(tracker.Load(&in));
  auto op = std::make_unique<JoinOperator>(plan_);
  BRAID_RETURN_IF_ERROR(op->Load(&in, tracker.watermark()));
  if (in.remaining() != 0) return in.Error("bytes after the last key");
  tracker_ = std::move(tracker);
  rows_out_before_load_ += op_->rows_out();
  op_ = std::move(op);
  for (std::vector<int64_t>& cache : handle_cache_) cache.clear();
  return Status::Ok();
}

}  // namespace braid
