#include "kafka/fetch_source.h"

#include <librdkafka/rdkafka.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "base/short_bytes.h"
#include "kafka/wire.h"

namespace braid {
namespace {

constexpr int16_t kFetchKey = 1;
constexpr int16_t kFetchVersion = 11;  // the last before the flexible encoding; Kafka 2.3 and later
constexpr int32_t kMaxWaitMs = 50;     // as Consumer's fetch.wait.max.ms
constexpr int32_t kAnswerMaxBytes = 16 << 20;
// Up to 2 MiB of a partition per fetch, and 4 MiB fetched ahead: twice what they were (and
// librdkafka's), as the broker's cost is mostly per request. At 2 M seed actions braid sent
// about 190 fetches for the three topics (kcat about 40 for the largest), and the broker used
// 0.2 s of CPU during a run against 0.08 s during three kcats' (on two cores shared with
// braid's three threads). With this and decoding as records are polled (ReadAhead), runs were
// 6-7 % faster (bench/ab.py, 8 rounds in each order), the peak memory about the same.
constexpr int32_t kPartitionMaxBytes = 2 << 20;
constexpr size_t kPrefetchBytes = size_t{4} << 20;  // fetched ahead per partition
constexpr size_t kBatch = 1024;                     // per partition and poll, as Consumer
constexpr int kConnectTimeoutMs = 5000;
// How long a metadata answer serves (FetchSource::Metadata): a run's start, not its leaders' moves.
constexpr auto kMetadataReuse = std::chrono::seconds(1);

// Kafka's error codes that a fetch meets.
enum : int16_t {
  kNone = 0,
  kOffsetOutOfRange = 1,
  kUnknownTopicOrPartition = 3,
  kLeaderNotAvailable = 5,
  kNotLeader = 6,
  kRequestTimedOut = 7,
  kReplicaNotAvailable = 9,
  kNetworkException = 13,
  kStorageError = 56,
  kFencedLeaderEpoch = 74,
  kUnknownLeaderEpoch = 75,
  kOffsetNotAvailable = 78,
};

// Errors after which the partition is fetched again once its leader is looked up again.
bool IsRetriable(int16_t code) {
  switch (code) {
    case kUnknownTopicOrPartition:  // fatal if the topic is gone (RefreshLeaders)
    case kLeaderNotAvailable:
    case kNotLeader:
    case kRequestTimedOut:
    case kReplicaNotAvailable:
    case kNetworkException:
    case kStorageError:
    case kFencedLeaderEpoch:
    case kUnknownLeaderEpoch:
    case kOffsetNotAvailable:
      return true;
    default:
      return false;
  }
}

std::string KafkaErrorText(int16_t code) {
  return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(code));
}

// Asks a new connection's broker which Fetch versions it serves (ApiVersions v0, which every
// broker answers): one that cannot serve v11 would close the connection on each fetch, which
// would look like an outage forever.
Status CheckFetchVersion(BrokerConnection& conn) {
  constexpr int16_t kApiVersionsKey = 18;
  WireWriter w;
  const size_t size_at = w.Reserve32();
  w.I16(kApiVersionsKey);
  w.I16(0);
  w.I32(0);  // correlation id
  w.String("braid");
  w.Patch32(size_at, static_cast<int32_t>(w.size() - 4));
  BRAID_RETURN_IF_ERROR(conn.Send(w.bytes(), kConnectTimeoutMs));
  BrokerAnswer answer;
  bool whole = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kConnectTimeoutMs);
  while (!whole) {
    BRAID_RETURN_IF_ERROR(conn.Receive(&answer, &whole));
    if (whole) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable(fmt::format("broker {} did not answer ApiVersions", conn.address()));
    }
    pollfd p{conn.fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
  }
  WireReader r(answer.view());
  r.I32();  // correlation id
  const int16_t error = r.I16();
  const int32_t n = r.I32();
  int16_t fetch_max = -1;
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    const int16_t key = r.I16();
    r.I16();  // min version
    const int16_t max = r.I16();
    if (key == kFetchKey) fetch_max = max;
  }
  if (!r.ok() || error != kNone) {
    return Status::Unavailable(fmt::format("broker {} answered ApiVersions with error {}",
                                           conn.address(), error));
  }
  if (fetch_max < kFetchVersion) {
    return Status::InvalidArgument(fmt::format(
        "broker {} serves Fetch up to v{}; braid's fetch reader needs v{} (Kafka 2.3 or later): "
        "run with BRAID_KAFKA_READER=librdkafka",
        conn.address(), fetch_max, kFetchVersion));
  }
  return Status::Ok();
}

}  // namespace

namespace {

enum class Reader { kBraid, kLibrdkafka };

Result<Reader> ChooseReader(const KafkaConfig& config) {
  const char* env = std::getenv("BRAID_KAFKA_READER");
  const std::string_view choice = env != nullptr ? env : "";
  bool plaintext = true;
  auto it = config.properties.find("security.protocol");
  if (it != config.properties.end()) {
    std::string lower(it->second);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    plaintext = lower == "plaintext";
  }
  if (!choice.empty() && choice != "braid" && choice != "librdkafka") {
    return Status::InvalidArgument(fmt::format(
        "BRAID_KAFKA_READER is \"{}\": use braid (braid's fetch reader, plaintext only) or "
        "librdkafka",
        choice));
  }
  if (choice == "braid" && !plaintext) {
    return Status::InvalidArgument(
        "BRAID_KAFKA_READER=braid reads plaintext connections only, and security.protocol is "
        "set: unset BRAID_KAFKA_READER to read through librdkafka");
  }
  return plaintext && choice != "librdkafka" ? Reader::kBraid : Reader::kLibrdkafka;
}

}  // namespace

Status CheckKafkaReader(const KafkaConfig& config) { return ChooseReader(config).status(); }

Result<std::unique_ptr<RecordSource>> OpenRecordSource(const KafkaConfig& config,
                                                       const std::string& group_id) {
  BRAID_ASSIGN_OR_RETURN(Reader reader, ChooseReader(config));
  if (reader == Reader::kLibrdkafka) {
    BRAID_ASSIGN_OR_RETURN(std::unique_ptr<Consumer> c, Consumer::Create(config, group_id));
    return std::unique_ptr<RecordSource>(std::move(c));
  }
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<FetchSource> f, FetchSource::Create(config, group_id));
  return std::unique_ptr<RecordSource>(std::move(f));
}

Result<std::unique_ptr<FetchSource>> FetchSource::Create(const KafkaConfig& config,
                                                         const std::string& group_id) {
  std::unique_ptr<FetchSource> f(new FetchSource());
  BRAID_ASSIGN_OR_RETURN(f->meta_, Consumer::Create(config, group_id));
  f->bootstrap_ = config.bootstrap;
  return f;
}

FetchSource::~FetchSource() = default;

Result<const std::map<TopicPartition, Consumer::Leader>*> FetchSource::Metadata(bool reuse,
                                                                              int timeout_ms) {
  const Clock::time_point now = Clock::now();
  if (!reuse || !metadata_at_ || now - *metadata_at_ >= kMetadataReuse) {
    BRAID_ASSIGN_OR_RETURN(metadata_, meta_->Leaders(timeout_ms));
    metadata_at_ = now;
  }
  return &metadata_;
}

Result<std::vector<PartitionId>> FetchSource::ListPartitions(const std::string& topic,
                                                             int timeout_ms) {
  BRAID_ASSIGN_OR_RETURN(const auto* all, Metadata(true, timeout_ms));
  Result<std::vector<PartitionId>> ids = meta_->PartitionsIn(*all, topic);
  if (ids.ok()) return ids;
  // Not in the last answer: the topic may have been made since. A new answer, which Assign
  // then finds it in too.
  BRAID_ASSIGN_OR_RETURN(all, Metadata(false, timeout_ms));
  return meta_->PartitionsIn(*all, topic);
}

Result<std::pair<KafkaOffset, KafkaOffset>> FetchSource::QueryOffsets(const TopicPartition& tp,
                                                                      int timeout_ms) {
  return meta_->QueryOffsets(tp, timeout_ms);
}

Result<std::vector<RecordSource::OffsetRange>> FetchSource::QueryOffsetsOf(
    const std::vector<TopicPartition>& partitions, int timeout_ms) {
  return meta_->QueryOffsetsOf(partitions, timeout_ms);
}

Result<std::map<TopicPartition, KafkaOffset>> FetchSource::EndOffsets(
    const std::vector<TopicPartition>& partitions, int timeout_ms) {
  return meta_->EndOffsets(partitions, timeout_ms);
}

void FetchSource::CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>& next_offsets) {
  meta_->CommitForMonitoring(next_offsets);
}

Status FetchSource::Assign(const std::vector<StartPosition>& positions) {
  parts_.clear();
  lanes_.clear();
  next_part_ = 0;
  for (const StartPosition& s : positions) {
    Part p;
    p.max_bytes = kPartitionMaxBytes;
    p.tp = s.tp;
    if (s.offset) {
      p.fetch_offset = s.offset->value();
    } else {
      BRAID_ASSIGN_OR_RETURN(auto range, meta_->QueryOffsets(s.tp));
      p.fetch_offset = range.first.value();
    }
    p.position = p.fetch_offset;
    parts_.push_back(std::move(p));
  }
  if (parts_.empty()) return Status::Ok();
  return RefreshLeaders(true);
}

Status FetchSource::RefreshLeaders(bool reuse) {
  refresh_ = false;
  refresh_at_ = Clock::now() + std::chrono::seconds(1);
  Result<const std::map<TopicPartition, Consumer::Leader>*> leaders = Metadata(reuse, 1000);
  if (!leaders.ok()) {
    refresh_ = true;  // the cluster did not answer: try again later
    return Status::Ok();
  }
  for (Part& p : parts_) {
    auto it = (*leaders)->find(p.tp);
    if (it == (*leaders)->end() && reuse) return RefreshLeaders(false);  // made since: ask anew
    if (it == (*leaders)->end()) {
      return Status::IoError(fmt::format("Kafka error on {}[{}] from {}: {}", p.tp.topic,
                                         p.tp.partition.value(), bootstrap_,
                                         KafkaErrorText(kUnknownTopicOrPartition)));
    }
    const Consumer::Leader& l = it->second;
    p.lane = SIZE_MAX;
    if (l.broker < 0) {
      refresh_ = true;
      continue;
    }
    for (size_t i = 0; i < lanes_.size() && p.lane == SIZE_MAX; ++i) {
      if (lanes_[i].broker == l.broker && lanes_[i].topic == p.tp.topic) p.lane = i;
    }
    if (p.lane == SIZE_MAX) {
      lanes_.emplace_back();
      lanes_.back().broker = l.broker;
      lanes_.back().topic = p.tp.topic;
      p.lane = lanes_.size() - 1;
    }
    Lane& lane = lanes_[p.lane];
    if (lane.host != l.host || lane.port != l.port) {
      lane.host = l.host;
      lane.port = l.port;
      lane.conn.reset();
      lane.waiting = false;
    }
  }
  // A partition asked for on a lane whose connection is gone is free to be asked again.
  for (Part& p : parts_) {
    if (p.asked && (p.lane == SIZE_MAX || !lanes_[p.lane].waiting)) p.asked = false;
  }
  return Status::Ok();
}

void FetchSource::LaneFailed(Lane& lane, size_t lane_index, const Status& why) {
  lane.conn.reset();
  lane.waiting = false;
  for (Part& p : parts_) {
    if (p.lane == lane_index) p.asked = false;
  }
  ++lane.failures;
  const int backoff_ms = std::min(100 << std::min(lane.failures - 1, 4), 1000);
  lane.retry_at = Clock::now() + std::chrono::milliseconds(backoff_ms);
  if (lane.failures % 5 == 0) refresh_ = true;  // it may have moved: ask where
  if (!outage_told_) {
    outage_told_ = true;
    Warn(fmt::format("Kafka at {}: {} (retrying)", bootstrap_, why.message()));
  }
}

Status FetchSource::SendFetch(Lane& lane, size_t lane_index) {
  std::vector<Part*> ask;
  for (Part& p : parts_) {
    if (p.lane == lane_index && !p.asked && p.buffered < kPrefetchBytes) ask.push_back(&p);
  }
  if (ask.empty()) return Status::Ok();
  if (!lane.conn) {
    if (Clock::now() < lane.retry_at) return Status::Ok();
    Result<std::unique_ptr<BrokerConnection>> c =
        BrokerConnection::Connect(lane.host, lane.port, kConnectTimeoutMs);
    Status checked = c.ok() ? CheckFetchVersion(**c) : c.status();
    if (checked.kind() == StatusKind::kInvalidArgument) return checked;  // not an outage
    if (!checked.ok()) {
      LaneFailed(lane, lane_index, checked);
      return Status::Ok();
    }
    lane.conn = std::move(*c);
  }
  WireWriter w;
  const size_t size_at = w.Reserve32();
  w.I16(kFetchKey);
  w.I16(kFetchVersion);
  w.I32(++lane.correlation);
  w.String("braid");
  w.I32(-1);  // replica id: a consumer
  w.I32(kMaxWaitMs);
  w.I32(1);  // min bytes
  w.I32(kAnswerMaxBytes);
  w.I8(1);    // read_committed
  w.I32(0);   // no fetch session
  w.I32(-1);
  w.I32(1);  // one topic
  w.String(lane.topic);
  w.I32(static_cast<int32_t>(ask.size()));
  for (Part* p : ask) {
    w.I32(static_cast<int32_t>(p->tp.partition.value()));
    w.I32(-1);  // current leader epoch: unknown
    w.I64(p->fetch_offset);
    w.I64(-1);  // log start offset: a consumer's
    w.I32(p->max_bytes);
  }
  w.I32(0);    // forgotten topics
  w.String("");  // rack
  w.Patch32(size_at, static_cast<int32_t>(w.size() - 4));
  Status sent = lane.conn->Send(w.bytes(), kConnectTimeoutMs);
  if (!sent.ok()) {
    LaneFailed(lane, lane_index, sent);
    return Status::Ok();
  }
  lane.waiting = true;
  for (Part* p : ask) {
    p->asked = true;
    p->asked_at = p->fetch_offset;
  }
  return Status::Ok();
}

FetchSource::Part* FetchSource::Find(std::string_view topic, int32_t partition) {
  for (Part& p : parts_) {
    if (p.tp.topic == topic && p.tp.partition.value() == partition) return &p;
  }
  return nullptr;
}

Status FetchSource::HandleAnswer(Lane& lane, size_t lane_index, const BrokerAnswer& answer) {
  WireReader r(answer.view());
  const int32_t correlation = r.I32();
  r.I32();  // throttle time: the broker already held the answer back
  const int16_t error = r.I16();
  r.I32();  // session id
  if (r.ok() && correlation != lane.correlation) {
    return Status::Corruption(fmt::format("broker {} answered fetch {} with fetch {}",
                                          lane.conn->address(), lane.correlation, correlation));
  }
  lane.waiting = false;
  for (Part& p : parts_) {
    if (p.lane == lane_index) p.asked = false;
  }
  if (error != kNone) {
    if (!IsRetriable(error)) {
      return Status::IoError(fmt::format("Kafka error from {}: {}", bootstrap_, KafkaErrorText(error)));
    }
    LaneFailed(lane, lane_index, Status::Unavailable(KafkaErrorText(error)));
    return Status::Ok();
  }
  const int32_t topics = r.I32();
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string_view topic = r.String();
    const int32_t partitions = r.I32();
    for (int32_t k = 0; k < partitions && r.ok(); ++k) {
      const int32_t partition = r.I32();
      const int16_t code = r.I16();
      const int64_t high_watermark = r.I64();
      const int64_t last_stable = r.I64();
      r.I64();  // log start offset
      std::vector<AbortedTransaction> aborted;
      const int32_t n_aborted = r.I32();
      for (int32_t a = 0; a < n_aborted && r.ok(); ++a) {
        AbortedTransaction txn;
        txn.producer_id = r.I64();
        txn.first_offset = r.I64();
        aborted.push_back(txn);
      }
      r.I32();  // preferred read replica
      const std::optional<std::string_view> set = r.NullableBytes();
      if (!r.ok()) break;
      Part* p = Find(topic, partition);
      // Only an answer to what this lane asked, from where the partition stands (its leader
      // may have moved meanwhile and another lane asked for it).
      if (p == nullptr || p->lane != lane_index || p->asked_at != p->fetch_offset) continue;
      if (code != kNone) {
        if (IsRetriable(code)) {
          refresh_ = true;
          if (!outage_told_) {
            outage_told_ = true;
            Warn(fmt::format("Kafka on {}[{}] at {}: {} (retrying)", p->tp.topic, partition,
                             bootstrap_, KafkaErrorText(code)));
          }
          continue;
        }
        std::string more;
        if (code == kOffsetOutOfRange) {
          more = fmt::format(" (offset {} asked for)", p->fetch_offset);
        }
        return Status::IoError(fmt::format("Kafka error on {}[{}] from {}: {}{}", p->tp.topic,
                                           partition, bootstrap_, KafkaErrorText(code), more));
      }
      p->stable_end = last_stable >= 0 ? last_stable : high_watermark;
      if (!set || set->empty()) continue;
      Result<int64_t> next = NextFetchOffset(*set, p->fetch_offset);
      if (!next.ok()) {
        return next.status().WithContext(fmt::format("{}[{}]", p->tp.topic, partition));
      }
      if (*next == p->fetch_offset) {
        // No whole batch: one larger than what was asked for. Ask for more next time.
        if (p->max_bytes >= kAnswerMaxBytes) {
          return Status::Corruption(fmt::format(
              "{}[{}]: a record batch at offset {} is larger than {} bytes", p->tp.topic,
              partition, p->fetch_offset, kAnswerMaxBytes));
        }
        p->max_bytes = std::min(p->max_bytes * 2, kAnswerMaxBytes);
        continue;
      }
      p->chunks.push_back(Chunk{answer.bytes, *set, p->fetch_offset, std::move(aborted)});
      p->buffered += set->size();
      p->fetch_offset = *next;
    }
  }
  if (!r.ok()) {
    return Status::Corruption(fmt::format("broker {} sent a malformed fetch answer",
                                          lane.conn ? lane.conn->address() : lane.host));
  }
  lane.failures = 0;
  outage_told_ = false;
  return Status::Ok();
}

Status FetchSource::ServiceLanes() {
  if (refresh_ && Clock::now() >= refresh_at_) BRAID_RETURN_IF_ERROR(RefreshLeaders(false));
  for (size_t i = 0; i < lanes_.size(); ++i) {
    Lane& lane = lanes_[i];
    while (lane.waiting && lane.conn) {
      BrokerAnswer answer;
      bool whole = false;
      Status st = lane.conn->Receive(&answer, &whole);
      if (!st.ok()) {
        if (st.kind() == StatusKind::kCorruption) return st;
        LaneFailed(lane, i, st);
        break;
      }
      if (!whole) break;
      BRAID_RETURN_IF_ERROR(HandleAnswer(lane, i, answer));
    }
    if (!lane.waiting) BRAID_RETURN_IF_ERROR(SendFetch(lane, i));
  }
  return Status::Ok();
}

void FetchSource::WaitForAnswers(int ms) {
  std::vector<pollfd> fds;
  for (const Lane& lane : lanes_) {
    if (lane.waiting && lane.conn) fds.push_back(pollfd{lane.conn->fd(), POLLIN, 0});
  }
  if (fds.empty()) {
    ::poll(nullptr, 0, std::min(ms, 10));  // a lane waits for its retry
    return;
  }
  ::poll(fds.data(), fds.size(), ms);
}

Status FetchSource::Deliver(Part& p, size_t max, const RecordHandler& on_record,
                            const EndHandler& on_end, size_t* delivered, bool* told) {
  size_t handed = 0;
  KafkaRecord r;
  r.topic = p.tp.topic;
  r.partition = p.tp.partition;
  FetchedRecord f;
  while (handed < max && !p.chunks.empty()) {
    Chunk& c = p.chunks.front();
    if (!p.reading) {
      p.cursor.Reset(c.set, std::max(c.from, p.position), std::move(c.aborted));
      p.reading = true;
    }
    Result<bool> got = p.cursor.Next(&f);
    if (!got.ok()) {
      return got.status().WithContext(fmt::format("{}[{}]", p.tp.topic, p.tp.partition.value()));
    }
    if (!*got) {
      p.position = std::max(p.position, p.cursor.position());
      p.buffered -= c.set.size();
      p.chunks.pop_front();
      p.reading = false;
      continue;
    }
    r.offset = KafkaOffset(f.offset);
    // Word by word: Next has just stored them (WordCopy).
    if (f.key) {
      r.key.emplace(WordCopy(*f.key));
    } else {
      r.key.reset();
    }
    r.value = WordCopy(f.value);
    r.broker_time = Timestamp(f.timestamp_ms * 1000);
    on_record(r);
    p.position = f.offset + 1;
    ++handed;
  }
  *delivered += handed;
  if (on_end && p.chunks.empty() && p.stable_end >= 0 && p.position >= p.stable_end &&
      p.position == p.fetch_offset && p.end_told != p.position) {
    p.end_told = p.position;
    on_end(p.tp, KafkaOffset(p.position));
    *told = true;
  }
  return Status::Ok();
}

Result<size_t> FetchSource::Poll(int timeout_ms, const RecordHandler& on_record,
                                 const EndHandler& on_end) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t delivered = 0;
  bool told = false;
  for (;;) {
    BRAID_RETURN_IF_ERROR(ServiceLanes());
    const size_t n = parts_.size();
    for (size_t k = 0; k < n; ++k) {
      Part& p = parts_[(next_part_ + k) % n];
      if (p.held) continue;
      BRAID_RETURN_IF_ERROR(Deliver(p, kBatch, on_record, on_end, &delivered, &told));
    }
    if (n > 0) next_part_ = (next_part_ + 1) % n;
    if (delivered > 0 || told) {
      BRAID_RETURN_IF_ERROR(ServiceLanes());  // ask again for what was handed over
      return delivered;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return delivered;
    WaitForAnswers(static_cast<int>(left.count()));
  }
}

Status FetchSource::Hold(const TopicPartition& tp, bool held) {
  Part* p = Find(tp.topic, static_cast<int32_t>(tp.partition.value()));
  if (p == nullptr) {
    return Status::InvalidArgument(fmt::format("{}[{}] is not assigned", tp.topic, tp.partition.value()));
  }
  p->held = held;
  return Status::Ok();
}

Status FetchSource::Pause(const TopicPartition& tp) { return Hold(tp, true); }
Status FetchSource::Resume(const TopicPartition& tp) { return Hold(tp, false); }

}  // namespace braid
