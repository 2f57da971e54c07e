#include "cli/pipeline_status.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time_format.h"
#include "kafka/consumer.h"
#include "sql/result_formatter.h"

namespace braid::cli {
namespace {

std::string Iso(int64_t ms) { return FormatTimestamp(Timestamp(ms * 1000)); }

std::string AgeText(int64_t age_ms) {
  // A writer whose clock runs ahead shows as such rather than as a commit made just now.
  if (age_ms < 0) return fmt::format("{}s ahead of this machine's clock", -age_ms / 1000);
  return fmt::format("{}s ago", age_ms / 1000);
}

std::string Value(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }
std::string Value(const std::optional<KafkaOffset>& v) {
  return v ? std::to_string(v->value()) : "-";
}

}  // namespace

Result<std::vector<PipelineStatus>> ReadPipelineStatus(const TableMetadata& metadata) {
  std::vector<PipelineStatus> out;
  for (const std::string& id : PipelineRecord::PipelineIds(metadata)) {
    std::optional<PipelineRecord> record = PipelineRecord::Find(metadata, id);
    if (!record) continue;  // listed ids always have a record; kept safe all the same
    PipelineStatus s{id, *record, {}, std::nullopt};
    auto offsets = DecodeOffsets(record->offsets);
    if (!offsets.ok()) return offsets.status().WithContext("pipeline " + id);
    for (const auto& [tp, off] : *offsets) s.partitions.push_back({tp, off, {}, {}});
    out.push_back(std::move(s));
  }
  return out;
}

Status AddLag(const KafkaConfig& kafka, int timeout_ms, std::vector<PipelineStatus>& pipelines) {
  BRAID_ASSIGN_OR_RETURN(auto consumer, Consumer::Create(kafka, "braid-status", timeout_ms));
  std::set<std::string> topics;
  for (const PipelineStatus& p : pipelines) {
    for (const PartitionStatus& s : p.partitions) topics.insert(s.tp.topic);
  }
  // Partitions added to a topic since a pipeline's last commit are read by its next run from
  // their start: they belong to its lag.
  std::set<TopicPartition> all;
  for (const std::string& topic : topics) {
    auto ids = consumer->ListPartitions(topic, timeout_ms);
    if (!ids.ok() && ids.status().kind() == StatusKind::kNotFound) {
      return Status::NotFound(fmt::format(
          "topic \"{}\", read by a pipeline of this table, does not exist on {}", topic,
          kafka.bootstrap));
    }
    if (!ids.ok()) return ids.status();
    for (PipelineStatus& p : pipelines) {
      std::set<TopicPartition> known;
      bool reads = false;
      for (const PartitionStatus& s : p.partitions) {
        known.insert(s.tp);
        reads = reads || s.tp.topic == topic;
      }
      if (!reads) continue;
      for (PartitionId id : *ids) {
        TopicPartition tp{topic, id};
        if (!known.count(tp)) p.partitions.push_back({tp, std::nullopt, {}, {}});
      }
    }
  }
  for (const PipelineStatus& p : pipelines) {
    for (const PartitionStatus& s : p.partitions) all.insert(s.tp);
  }
  BRAID_ASSIGN_OR_RETURN(auto ends,
                         consumer->EndOffsets({all.begin(), all.end()}, timeout_ms));
  for (PipelineStatus& p : pipelines) {
    std::sort(p.partitions.begin(), p.partitions.end(),
              [](const PartitionStatus& a, const PartitionStatus& b) { return a.tp < b.tp; });
    int64_t total = 0;
    for (PartitionStatus& s : p.partitions) {
      auto it = ends.find(s.tp);
      if (it == ends.end()) {
        return Status::Unavailable(fmt::format("{} gave no end offset for {}[{}]", kafka.bootstrap,
                                               s.tp.topic, s.tp.partition.value()));
      }
      s.end = it->second;
      KafkaOffset from = s.offset.value_or(KafkaOffset(0));
      if (!s.offset) {
        BRAID_ASSIGN_OR_RETURN(auto lo_hi, consumer->QueryOffsets(s.tp, timeout_ms));
        from = lo_hi.first;
      }
      s.lag = s.end->value() - from.value();
      total += *s.lag;
    }
    p.lag = total;
  }
  return Status::Ok();
}

std::string FormatStatusText(const std::string& table, const std::vector<PipelineStatus>& pipelines,
                             int64_t now_ms) {
  if (pipelines.empty()) return fmt::format("no braid pipeline has committed to {}\n", table);
  std::string out = fmt::format("{}: {} pipeline{}\n", table, pipelines.size(),
                                pipelines.size() == 1 ? "" : "s");
  for (const PipelineStatus& p : pipelines) {
    const PipelineRecord& r = p.record;
    out += fmt::format("\npipeline {}\n", p.pipeline_id);
    out += fmt::format("  last commit  {} ({})\n", Iso(r.committed_at_ms),
                       AgeText(now_ms - r.committed_at_ms));
    out += fmt::format("  commit seq   {}\n", r.commit_seq);
    out += fmt::format("  writer       {}\n", r.writer.empty() ? "unknown" : r.writer);
    out += fmt::format("  watermark    {}\n", r.watermark.empty() ? "-" : r.watermark);
    if (!r.data_loss.empty()) out += fmt::format("  data loss    {}\n", r.data_loss);
    if (p.lag) out += fmt::format("  lag          {} records\n", *p.lag);
    QueryResult rows;
    rows.columns = {{"topic", "VARCHAR", ValueKind::kText},
                    {"partition", "INTEGER", ValueKind::kNumber},
                    {"offset", "BIGINT", ValueKind::kNumber}};
    if (p.lag) {
      rows.columns.push_back({"end", "BIGINT", ValueKind::kNumber});
      rows.columns.push_back({"lag", "BIGINT", ValueKind::kNumber});
    }
    bool behind_end = false;
    for (const PartitionStatus& s : p.partitions) {
      std::vector<std::optional<std::string>> row{s.tp.topic, std::to_string(s.tp.partition.value()),
                                                  s.offset ? Value(s.offset) : "new"};
      if (p.lag) {
        row.push_back(Value(s.end));
        row.push_back(Value(s.lag));
        behind_end = behind_end || (s.lag && *s.lag < 0);
      }
      rows.rows.push_back(std::move(row));
    }
    out += ResultFormatter::Table(rows);
    if (behind_end) {
      out += "  a negative lag: the pipeline's offset is past the topic's end (was the topic "
             "deleted and created again?)\n";
    }
  }
  return out;
}

std::string FormatStatusJson(const std::string& table, const std::vector<PipelineStatus>& pipelines,
                             int64_t now_ms) {
  nlohmann::ordered_json out{{"table", table}, {"pipelines", nlohmann::ordered_json::array()}};
  for (const PipelineStatus& p : pipelines) {
    const PipelineRecord& r = p.record;
    nlohmann::ordered_json j{{"pipeline_id", p.pipeline_id},
                             {"commit_seq", r.commit_seq},
                             {"committed_at", Iso(r.committed_at_ms)},
                             {"age_s", static_cast<double>(now_ms - r.committed_at_ms) / 1000.0},
                             {"writer", nullptr},
                             {"watermark", nullptr}};
    if (!r.writer.empty()) j["writer"] = r.writer;
    if (!r.watermark.empty()) j["watermark"] = r.watermark;
    if (!r.data_loss.empty()) j["data_loss"] = r.data_loss;
    nlohmann::ordered_json parts = nlohmann::ordered_json::array();
    for (const PartitionStatus& s : p.partitions) {
      nlohmann::ordered_json e{{"topic", s.tp.topic}, {"partition", s.tp.partition.value()},
                               {"offset", nullptr}};
      if (s.offset) e["offset"] = s.offset->value();
      if (s.end) e["end_offset"] = s.end->value();
      if (s.lag) e["lag"] = *s.lag;
      parts.push_back(std::move(e));
    }
    j["partitions"] = std::move(parts);
    if (p.lag) j["lag"] = *p.lag;
    out["pipelines"].push_back(std::move(j));
  }
  return out.dump(2) + "\n";
}

}  // namespace braid::cli
