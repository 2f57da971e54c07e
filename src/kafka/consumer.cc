#include "kafka/consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "kafka/producer.h"

namespace braid {

Result<Consumer::Client> Consumer::NewClient() const {
  BRAID_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                         config_.Build({{"group.id", group_id_},
                                        {"enable.auto.commit", "false"},
                                        {"enable.auto.offset.store", "false"},
                                        {"enable.partition.eof", "true"},
                                        // Positions are always explicit; an offset that no
                                        // longer exists must surface, never reset silently.
                                        {"auto.offset.reset", "error"},
                                        {"isolation.level", "read_committed"},
                                        {"fetch.wait.max.ms", "50"},
                                        // Per partition: each has its own queue. librdkafka
                                        // keeps one allocation per queued message (most of
                                        // its memory); a released partition's fetcher is
                                        // woken as its queue runs low (WakeFetchers), so a
                                        // shorter queue costs no speed (2 M drain: peak RSS
                                        // 453 vs 466 MiB median, wall 0.96×, vs 20,000).
                                        {"queued.min.messages", "10000"},
                                        {"queued.max.messages.kbytes", "16384"},
                                        {"log_level", "3"}}));
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(fmt::format("cannot create a Kafka consumer: {}", err));
  }
  return Client{rk, rd_kafka_queue_get_consumer(rk)};
}

Result<std::unique_ptr<Consumer>> Consumer::Create(const KafkaConfig& config,
                                                   const std::string& group_id,
                                                   int connect_timeout_ms) {
  std::unique_ptr<Consumer> c(new Consumer());
  c->bootstrap_ = config.bootstrap;
  c->config_ = config;
  c->group_id_ = group_id;
  BRAID_ASSIGN_OR_RETURN(Client first, c->NewClient());
  c->rk_ = first.rk;
  c->queue_ = first.queue;
  char value[32];
  size_t size = sizeof value;
  if (rd_kafka_conf_get(rd_kafka_conf(c->rk_), "queued.min.messages", value, &size) == RD_KAFKA_CONF_OK) {
    c->queued_min_messages_ = std::max<size_t>(1, std::strtoull(value, nullptr, 10));
  }
  BRAID_RETURN_IF_ERROR(CheckReachable(c->rk_, config.bootstrap, connect_timeout_ms));
  return c;
}

void Consumer::CloseClient(Client& client) {
  if (client.queue != nullptr) rd_kafka_queue_destroy(client.queue);
  if (client.rk != nullptr && !leak_clients_) {
    rd_kafka_consumer_close(client.rk);
    rd_kafka_destroy(client.rk);
  }
  client = Client{};
}

void Consumer::SettleQueries() {
  // A query hung on a broker that is down ends when its thread does; the process is usually
  // about to end then, and a client destroyed under it would be used after free.
  if (!probe_call_.WaitIdle(std::chrono::seconds(2)) || !wake_call_.WaitIdle(std::chrono::seconds(2))) {
    leak_clients_ = true;
  }
}

Consumer::~Consumer() {
  SettleQueries();
  ReleaseQueues();
  Client first{rk_, queue_};
  CloseClient(first);
}

Result<std::vector<PartitionId>> Consumer::ListPartitions(const std::string& topic,
                                                          int timeout_ms) {
  BRAID_ASSIGN_OR_RETURN(auto all, Leaders(timeout_ms));
  return PartitionsIn(all, topic);
}

Result<std::vector<PartitionId>> Consumer::PartitionsIn(const std::map<TopicPartition, Leader>& all,
                                                        const std::string& topic) const {
  std::vector<PartitionId> ids;
  for (auto it = all.lower_bound(TopicPartition{topic, PartitionId(0)});
       it != all.end() && it->first.topic == topic; ++it) {
    ids.push_back(it->first.partition);
  }
  if (ids.empty()) {
    return Status::NotFound(fmt::format(
        "topic \"{}\" does not exist on {}; produce to it first (e.g. `braid produce`) or fix "
        "the topic name",
        topic, bootstrap_));
  }
  return ids;
}

Result<std::map<TopicPartition, Consumer::Leader>> Consumer::Leaders(int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  // All topics (not one topic handle) so that asking never auto-creates the topic.
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 1, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(fmt::format("cannot read Kafka metadata from {}: {}", bootstrap_,
                                           rd_kafka_err2str(err)));
  }
  std::map<TopicPartition, Leader> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    for (int p = 0; p < t.partition_cnt; ++p) {
      Leader l;
      for (int b = 0; b < md->broker_cnt; ++b) {
        if (md->brokers[b].id == t.partitions[p].leader) {
          l = Leader{md->brokers[b].id, md->brokers[b].host, md->brokers[b].port};
        }
      }
      out[TopicPartition{t.topic, PartitionId(t.partitions[p].id)}] = l;
    }
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

Result<std::pair<KafkaOffset, KafkaOffset>> Consumer::QueryOffsets(const TopicPartition& tp,
                                                                   int timeout_ms) {
  int64_t lo = 0, hi = 0;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      rk_, tp.topic.c_str(), static_cast<int32_t>(tp.partition.value()), &lo, &hi, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(fmt::format("cannot read the offsets of {}[{}]: {}", tp.topic,
                                           tp.partition.value(), rd_kafka_err2str(err)));
  }
  return std::make_pair(KafkaOffset(lo), KafkaOffset(hi));
}

Result<std::vector<RecordSource::OffsetRange>> Consumer::QueryOffsetsOf(
    const std::vector<TopicPartition>& partitions, int timeout_ms) {
  BRAID_ASSIGN_OR_RETURN(std::vector<KafkaOffset> starts,
                         OffsetsAt(partitions, RD_KAFKA_OFFSET_BEGINNING, timeout_ms));
  BRAID_ASSIGN_OR_RETURN(std::vector<KafkaOffset> ends,
                         OffsetsAt(partitions, RD_KAFKA_OFFSET_END, timeout_ms));
  std::vector<OffsetRange> ranges;
  ranges.reserve(partitions.size());
  for (size_t i = 0; i < partitions.size(); ++i) ranges.emplace_back(starts[i], ends[i]);
  return ranges;
}

void Consumer::ReleaseQueues() {
  SettleQueries();
  for (PartitionQueue& p : partitions_) rd_kafka_queue_destroy(p.queue);
  partitions_.clear();
  next_partition_ = 0;
  for (Client& c : more_clients_) CloseClient(c);
  more_clients_.clear();
}

Status Consumer::Assign(const std::vector<StartPosition>& positions) {
  ReleaseQueues();
  // One client (one connection, one fetcher thread) per topic: a librdkafka client fetches
  // one request at a time, so topics read in parallel instead of taking turns.
  std::vector<std::string> topics;
  for (const StartPosition& p : positions) {
    if (std::find(topics.begin(), topics.end(), p.tp.topic) == topics.end()) {
      topics.push_back(p.tp.topic);
    }
  }
  std::vector<rd_kafka_t*> client_of_topic;
  for (size_t i = 0; i < topics.size(); ++i) {
    if (i == 0) {
      client_of_topic.push_back(rk_);
      continue;
    }
    BRAID_ASSIGN_OR_RETURN(Client c, NewClient());
    more_clients_.push_back(c);
    client_of_topic.push_back(c.rk);
  }
  for (size_t i = 0; i < topics.size(); ++i) {
    rd_kafka_t* rk = client_of_topic[i];
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    for (const StartPosition& p : positions) {
      if (p.tp.topic != topics[i]) continue;
      // Split each partition's queue off the consumer queue before the fetch starts, so its
      // records are read (and held) per partition.
      rd_kafka_queue_t* q = rd_kafka_queue_get_partition(
          rk, p.tp.topic.c_str(), static_cast<int32_t>(p.tp.partition.value()));
      if (q == nullptr) {
        rd_kafka_topic_partition_list_destroy(list);
        return Status::IoError(fmt::format("cannot read {}[{}] on its own queue", p.tp.topic,
                                           p.tp.partition.value()));
      }
      rd_kafka_queue_forward(q, nullptr);
      PartitionQueue pq;
      pq.tp = p.tp;
      pq.queue = q;
      pq.client = i;
      partitions_.push_back(std::move(pq));
      rd_kafka_topic_partition_t* e = rd_kafka_topic_partition_list_add(
          list, p.tp.topic.c_str(), static_cast<int32_t>(p.tp.partition.value()));
      e->offset = p.offset ? p.offset->value() : RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::IoError(fmt::format("cannot assign partitions: {}", rd_kafka_err2str(err)));
    }
  }
  if (topics.empty()) {
    // Nothing to read (every partition is done): an empty assignment stops all fetching.
    rd_kafka_topic_partition_list_t* none = rd_kafka_topic_partition_list_new(0);
    rd_kafka_assign(rk_, none);
    rd_kafka_topic_partition_list_destroy(none);
  }
  return Status::Ok();
}

namespace {

// Errors after which reading on would skip or misread records: the run must stop.
bool IsFatal(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return true;
    default:
      return false;
  }
}

}  // namespace

void Consumer::Deliver(rd_kafka_message_s* m, const RecordHandler& on_record,
                       const EndHandler& on_end, size_t* delivered, Status* failure) {
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    if (on_end && m->rkt != nullptr) {
      on_end(TopicPartition{rd_kafka_topic_name(m->rkt), PartitionId(m->partition)},
             KafkaOffset(m->offset));
    }
  } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::string where =
        m->rkt ? fmt::format(" on {}[{}]", rd_kafka_topic_name(m->rkt), m->partition) : "";
    if (IsFatal(m->err)) {
      if (failure->ok()) {
        *failure = Status::IoError(fmt::format("Kafka error{} from {}: {}", where, bootstrap_,
                                               rd_kafka_message_errstr(m)));
      }
    } else {
      Warn(fmt::format("Kafka{} at {}: {} (retrying)", where, bootstrap_,
                       rd_kafka_message_errstr(m)));
    }
  } else {
    KafkaRecord r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = PartitionId(m->partition);
    r.offset = KafkaOffset(m->offset);
    if (m->key != nullptr) r.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
    r.value = m->payload ? std::string_view(static_cast<const char*>(m->payload), m->len)
                         : std::string_view();
    rd_kafka_timestamp_type_t tstype;
    r.broker_time = Timestamp(rd_kafka_message_timestamp(m, &tstype) * 1000);
    on_record(r);
    ++*delivered;
  }
}

Result<size_t> Consumer::Poll(int timeout_ms, const RecordHandler& on_record,
                              const EndHandler& on_end) {
  constexpr size_t kBatch = 1024;  // per partition and call
  constexpr int kNapMs = 1;        // wait between empty rounds (a record waits at most this)
  rd_kafka_message_t* msgs[kBatch];
  size_t delivered = 0;
  Status failure;
  auto drain = [&](rd_kafka_queue_t* q, int wait_ms) -> Status {
    ssize_t n = rd_kafka_consume_batch_queue(q, wait_ms, msgs, kBatch);
    if (n < 0) {
      return Status::IoError(
          fmt::format("Kafka poll failed: {}", rd_kafka_err2str(rd_kafka_last_error())));
    }
    for (ssize_t i = 0; i < n; ++i) {
      Deliver(msgs[i], on_record, on_end, &delivered, &failure);
      rd_kafka_message_destroy(msgs[i]);
    }
    return n > 0 ? Status::Ok() : Status::NotFound("empty");
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    bool any = false;
    const size_t n = partitions_.size();
    for (size_t k = 0; k < n; ++k) {
      PartitionQueue& p = partitions_[(next_partition_ + k) % n];
      if (p.held) {
        any = StashHeld(p, &failure) || any;
        continue;
      }
      if (!p.stash.empty()) {  // what was read while it was held comes first
        any = DeliverStash(p, kBatch, on_record, on_end, &delivered) > 0 || any;
        continue;
      }
      Status st = drain(p.queue, 0);
      if (st.kind() == StatusKind::kIoError) return st;
      any = any || st.ok();
    }
    if (n > 0) next_partition_ = (next_partition_ + 1) % n;
    // Errors that belong to no partition (a broker down, authentication) come here; with
    // nothing read, the first client's queue is also the wait for more.
    for (const Client& c : more_clients_) {
      Status st = drain(c.queue, 0);
      if (st.kind() == StatusKind::kIoError) return st;
    }
    WakeFetchers(any);
    const int wait = any ? 0 : kNapMs;
    Status st = drain(queue_, wait);
    if (st.kind() == StatusKind::kIoError) return st;
    any = any || st.ok();
    if (any || std::chrono::steady_clock::now() >= deadline) break;
  }
  if (!failure.ok()) return failure;
  return delivered;
}

void Consumer::WakeFetchers(bool any) {
  // librdkafka 2.0 stops fetching a partition whose queue went over queued.min.messages and
  // looks at it again only when its broker thread wakes up (about once a second when nothing
  // else is fetched). Asking that broker for the partition's offsets wakes it: it sees the
  // drained queue and fetches at once. A partition seen over the threshold (one that was held,
  // or read ahead of the others) is woken as soon as its queue runs low, before it runs dry;
  // besides, when nothing at all was read, one released partition with nothing to hand over
  // at most every 10 ms. The request is sent by wake_call_'s worker and not waited for: one at
  // a time, so an unanswered one (the broker is down) holds the next until it ends; after a
  // failed one, none for a second.
  const auto now = std::chrono::steady_clock::now();
  if (!wake_call_.WaitIdle(std::chrono::milliseconds(0))) return;  // one in flight
  if (*wake_err_ != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *wake_err_ = RD_KAFKA_RESP_ERR_NO_ERROR;
    next_wake_ = now + std::chrono::seconds(1);
  }
  if (now < next_wake_) return;
  const size_t n = partitions_.size();
  const PartitionQueue* wake = nullptr;
  for (PartitionQueue& p : partitions_) {
    p.queued = static_cast<size_t>(rd_kafka_queue_length(p.queue));
    if (p.queued >= queued_min_messages_) p.over_threshold = true;
    if (wake == nullptr && p.over_threshold && !p.held && p.stash.empty() && p.queued < queued_min_messages_ / 4) {
      p.over_threshold = false;
      wake = &p;
    }
  }
  if (wake == nullptr && !any) {
    if (now < next_idle_wake_) return;
    next_idle_wake_ = now + std::chrono::milliseconds(10);
    for (size_t k = 0; k < n && wake == nullptr; ++k) {
      const PartitionQueue& p = partitions_[(wake_next_ + k) % n];
      if (p.held || !p.stash.empty() || p.queued > 0) continue;
      wake_next_ = (wake_next_ + k + 1) % n;
      wake = &p;
    }
  }
  if (wake == nullptr) return;
  rd_kafka_t* rk = wake->client == 0 ? rk_ : more_clients_[wake->client - 1].rk;
  *wake_err_ = RD_KAFKA_RESP_ERR__IN_PROGRESS;
  (void)wake_call_.Start([rk, topic = wake->tp.topic, partition = static_cast<int32_t>(wake->tp.partition.value()),
                          err = wake_err_] {
    int64_t lo = 0, hi = 0;
    *err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &lo, &hi, 20);
  });
}

Consumer::Stashed::~Stashed() {
  if (m_ != nullptr) rd_kafka_message_destroy(m_);
}

// librdkafka keeps a few hundred bytes of its own per message besides the payload (heaptrack:
// the stash's messages were most of braid's peak memory when only payloads were counted).
size_t Consumer::Stashed::bytes() const {
  constexpr size_t kMessageOverhead = 256;
  return sizeof(Stashed) + kMessageOverhead + m_->len + m_->key_len;
}

bool Consumer::StashHeld(PartitionQueue& p, Status* failure) {
  constexpr size_t kStashBudget = size_t{2} << 20;
  constexpr size_t kBatch = 1024;
  if (p.stash_bytes >= kStashBudget) return false;
  rd_kafka_message_t* msgs[kBatch];
  const ssize_t n = rd_kafka_consume_batch_queue(p.queue, 0, msgs, kBatch);
  for (ssize_t i = 0; i < n; ++i) {
    rd_kafka_message_t* m = msgs[i];
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      p.stash.emplace_back(m);
      p.stash_bytes += p.stash.back().bytes();
    } else {
      size_t none = 0;
      Deliver(m, [](const KafkaRecord&) {}, nullptr, &none, failure);  // errors are not held
      rd_kafka_message_destroy(m);
    }
  }
  return n > 0;
}

size_t Consumer::DeliverStash(PartitionQueue& p, size_t max, const RecordHandler& on_record,
                              const EndHandler& on_end, size_t* delivered) {
  size_t handed = 0;
  Status ignored;  // only records and ends are stashed
  while (!p.stash.empty() && handed < max) {
    Deliver(p.stash.front().message(), on_record, on_end, delivered, &ignored);
    p.stash_bytes -= p.stash.front().bytes();
    p.stash.pop_front();
    ++handed;
  }
  return handed;
}

Result<std::map<TopicPartition, KafkaOffset>> Consumer::EndOffsets(
    const std::vector<TopicPartition>& partitions, int timeout_ms) {
  std::map<TopicPartition, KafkaOffset> out;
  if (partitions.empty()) return out;
  BRAID_ASSIGN_OR_RETURN(std::vector<KafkaOffset> ends,
                         OffsetsAt(partitions, RD_KAFKA_OFFSET_END, timeout_ms));
  for (size_t i = 0; i < partitions.size(); ++i) out[partitions[i]] = ends[i];
  return out;
}

Result<std::vector<KafkaOffset>> Consumer::OffsetsAt(const std::vector<TopicPartition>& partitions,
                                                     int64_t at, int timeout_ms) {
  const char* what = at == RD_KAFKA_OFFSET_BEGINNING ? "start" : "end";
  std::vector<KafkaOffset> out;
  if (partitions.empty()) return out;
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const TopicPartition& tp : partitions) {
    // ListOffsets timestamps -2 and -1 ask for the start and the end (librdkafka passes them
    // through); the list's order is kept.
    rd_kafka_topic_partition_list_add(list, tp.topic.c_str(),
                                      static_cast<int32_t>(tp.partition.value()))
        ->offset = at;
  }
  // On its own thread (BoundedCall), waited for at most the timeout and a little: librdkafka
  // may not time the request out while the broker is down, and a probe held until the broker
  // is back would hold the whole run. The list belongs to the call until it ends.
  struct Query {
    explicit Query(rd_kafka_topic_partition_list_t* l) : list(l) {}
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    ~Query() { rd_kafka_topic_partition_list_destroy(list); }
    rd_kafka_topic_partition_list_t* list;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__IN_PROGRESS;
  };
  auto query = std::make_shared<Query>(list);
  const bool answered = probe_call_.Run(
      [rk = rk_, query, timeout_ms] { query->err = rd_kafka_offsets_for_times(rk, query->list, timeout_ms); },
      std::chrono::milliseconds(timeout_ms + 500));
  if (!answered) {
    return Status::Unavailable(fmt::format("cannot read {} offsets from {}: no answer within {} ms",
                                           what, bootstrap_, timeout_ms));
  }
  list = query->list;
  if (query->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(fmt::format("cannot read {} offsets from {}: {}", what, bootstrap_,
                                           rd_kafka_err2str(query->err)));
  }
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& e = list->elems[i];
    if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR || e.offset < 0) {
      return Status::Unavailable(fmt::format("cannot read the {} offset of {}[{}] from {}: {}", what,
                                             e.topic, e.partition, bootstrap_,
                                             rd_kafka_err2str(e.err)));
    }
    out.emplace_back(e.offset);
  }
  return out;
}

Status Consumer::Hold(const TopicPartition& tp, bool held) {
  for (PartitionQueue& p : partitions_) {
    if (p.tp == tp) {
      p.held = held;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(
      fmt::format("{}[{}] is not assigned", tp.topic, tp.partition.value()));
}

Status Consumer::Pause(const TopicPartition& tp) { return Hold(tp, true); }
Status Consumer::Resume(const TopicPartition& tp) { return Hold(tp, false); }

void Consumer::CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>& next_offsets) {
  if (next_offsets.empty()) return;
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size()));
  for (const auto& [tp, off] : next_offsets) {
    rd_kafka_topic_partition_list_add(list, tp.topic.c_str(),
                                      static_cast<int32_t>(tp.partition.value()))
        ->offset = off.value();
  }
  rd_kafka_commit(rk_, list, /*async=*/1);
  rd_kafka_topic_partition_list_destroy(list);
}

}  // namespace braid
