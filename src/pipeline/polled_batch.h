#pragma once
// PolledBatch: the records (and partition ends) of one poll, copied out of the consumer so
// that they outlive the poll: the reading thread polls and decodes batches ahead, the joining
// thread joins them (ReadAhead).

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/short_bytes.h"
#include "join/join_engine.h"
#include "kafka/kafka_record.h"

namespace braid {

struct PolledBatch {
  struct Item {
    uint32_t part = 0;      // the runner's partition index
    bool end = false;       // an end of partition at `offset`, not a record
    int64_t offset = 0;
    int64_t broker_us = 0;
    int64_t key_at = -1;    // in `bytes`; -1: the record has no key
    uint32_t key_len = 0;
    uint64_t value_at = 0;  // in `bytes`
    uint32_t value_len = 0;
  };
  std::vector<Item> items;
  std::string bytes;                   // keys and values, back to back
  std::vector<DecodedRecord> decoded;  // per item (unused for ends); never shrinks, so the
                                       // decoded buffers keep their capacity

  bool empty() const { return items.empty(); }
  void Clear() {
    items.clear();
    bytes.clear();
  }
  /// Adds `r` (copied) and decodes it with `decoder` as it is added, on the reading thread: its
  /// bytes are read where the source holds them, just read or decompressed (one pass over a
  /// poll's records where copying all and then decoding all made two).
  void AddRecord(uint32_t part, const KafkaRecord& r, JoinEngine::RecordDecoder& decoder) {
    // Filled in place: an Item built aside and pushed was copied by 16-byte loads of fields
    // just stored one by one (a failed store-to-load forward: half of this function's time).
    Item& it = items.emplace_back();
    it.part = part;
    it.offset = r.offset.value();
    it.broker_us = r.broker_time.micros();
    if (r.key) {
      it.key_at = static_cast<int64_t>(bytes.size());
      it.key_len = static_cast<uint32_t>(r.key->size());
      bytes.append(*r.key);
    }
    it.value_at = bytes.size();
    it.value_len = static_cast<uint32_t>(r.value.size());
    bytes.append(r.value);
    if (decoded.size() < items.size()) decoded.resize(items.size());  // grows by doubling
    decoder.Decode(r, &decoded[items.size() - 1]);
  }
  void AddEnd(uint32_t part, int64_t offset) { items.push_back(Item{part, true, offset}); }
  /// Item `i` as a record of `tp` (views into this batch).
  KafkaRecord Record(size_t i, const TopicPartition& tp) const {
    const Item& it = items[i];
    KafkaRecord r;
    r.topic = tp.topic;
    r.partition = tp.partition;
    r.offset = KafkaOffset(it.offset);
    if (it.key_at >= 0) r.key = std::string_view(bytes).substr(it.key_at, it.key_len);
    r.value = std::string_view(bytes).substr(it.value_at, it.value_len);
    r.broker_time = Timestamp(it.broker_us);
    return r;
  }
};

/// A partition's index in the assignment, remembering the last answer: records come in runs
/// of one partition.
class PartitionLookup {
 public:
  /// `partitions` must outlive this.
  explicit PartitionLookup(const std::vector<TopicPartition>& partitions)
      : partitions_(partitions) {}
  size_t Find(std::string_view topic, PartitionId p) {
    if (last_ < partitions_.size() && partitions_[last_].partition == p &&
        SameView(partitions_[last_].topic, topic)) {
      return last_;  // inline compares: a call into memcmp per record showed in profiles
    }
    for (size_t i = 0; i < partitions_.size(); ++i) {
      if (partitions_[i].partition == p && partitions_[i].topic == topic) return last_ = i;
    }
    assert(false && "a record from a partition that was not assigned");
    return 0;
  }

 private:
  const std::vector<TopicPartition>& partitions_;
  size_t last_ = 0;
};

}  // namespace braid
