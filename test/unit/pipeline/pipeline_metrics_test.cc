#include "pipeline/pipeline_metrics.h"

#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kafka/kafka_record.h"

namespace braid {
namespace {

constexpr int64_t kNowMs = 1'800'000'000'000;

// name{labels} -> value, from the exposition text; also checks every sample's family was
// declared with HELP and TYPE before it.
std::map<std::string, double> Parse(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line, declared;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      declared = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    const std::string key = line.substr(0, space);
    EXPECT_EQ(key.rfind(declared, 0), 0u) << line << " outside its family " << declared;
    out[key] = std::stod(line.substr(space + 1));
  }
  return out;
}

PipelineView View(uint64_t records, int64_t next, int64_t end) {
  PipelineView v;
  PartitionView p;
  p.topic = "user_actions";
  p.partition = 2;
  p.next_offset = next;
  p.end_offset = end;
  p.records_read = static_cast<int64_t>(records);
  p.watermark = Timestamp((kNowMs - 30'000) * 1000);
  v.partitions.push_back(p);
  v.join.records_in = records;
  v.join.rejects_by_kind[static_cast<size_t>(RejectKind::kLate)] = 3;
  v.join.state_rows = 17;
  v.watermark = Timestamp((kNowMs - 45'000) * 1000);
  v.buffered_rows = 5;
  return v;
}

RowBatch Rejects(std::initializer_list<std::pair<const char*, const char*>> reason_payload) {
  RowBatch b(RejectsSchema());
  int64_t offset = 0;
  for (const auto& [reason, payload] : reason_payload) {
    KafkaRecord r;
    r.topic = "purchases";
    r.partition = PartitionId(1);
    r.offset = KafkaOffset(offset++);
    r.value = payload;
    AppendReject(r, Reject{RejectKind::kInvalidJson, reason, std::nullopt}, &b);
  }
  return b;
}

TEST(PipelineMetricsTest, PrometheusCarriesTheRunsFigures) {
  PipelineMetrics m("p1", "continuous", "demo.t");
  m.Publish(View(100, 40, 55), kNowMs);
  m.OnCommit(CommitView{1, 42, 7, 2, 0.03, kNowMs - 2000, 900, 1}, Rejects({{"invalid json", "{"}}));
  m.OnCommit(CommitView{2, 43, 3, 0, 4.0, kNowMs - 1000, 1000, 0}, RowBatch(RejectsSchema()));
  m.OnKafkaError();
  const auto s = Parse(m.Prometheus(kNowMs));
  const std::string tp = "{topic=\"user_actions\",partition=\"2\"}";
  EXPECT_EQ(s.at("braid_records_read_total" + tp), 100);
  EXPECT_EQ(s.at("braid_consumer_lag_records" + tp), 15);
  EXPECT_EQ(s.at("braid_partition_end_offset" + tp), 55);
  EXPECT_DOUBLE_EQ(s.at("braid_event_time_lag_seconds"), 45);
  EXPECT_DOUBLE_EQ(s.at("braid_partition_watermark_seconds" + tp), (kNowMs - 30'000) / 1e3);
  EXPECT_EQ(s.at("braid_rejects_total{reason=\"late\"}"), 3);
  EXPECT_EQ(s.at("braid_rejects_total{reason=\"invalid_json\"}"), 0);
  EXPECT_EQ(s.at("braid_rows_written_total"), 10);
  EXPECT_EQ(s.at("braid_rejects_written_total"), 2);
  EXPECT_EQ(s.at("braid_commits_total"), 2);
  EXPECT_EQ(s.at("braid_commit_retries_total"), 1);
  EXPECT_EQ(s.at("braid_kafka_errors_total"), 1);
  EXPECT_EQ(s.at("braid_join_state_rows"), 17);
  EXPECT_EQ(s.at("braid_join_state_bytes"), 1000);
  EXPECT_EQ(s.at("braid_buffered_rows"), 5);
  EXPECT_DOUBLE_EQ(s.at("braid_seconds_since_last_commit"), 1);
  // Histogram buckets are cumulative and end in +Inf = count.
  EXPECT_EQ(s.at("braid_commit_duration_seconds_bucket{le=\"0.025\"}"), 0);
  EXPECT_EQ(s.at("braid_commit_duration_seconds_bucket{le=\"0.05\"}"), 1);
  EXPECT_EQ(s.at("braid_commit_duration_seconds_bucket{le=\"5\"}"), 2);
  EXPECT_EQ(s.at("braid_commit_duration_seconds_bucket{le=\"+Inf\"}"), 2);
  EXPECT_DOUBLE_EQ(s.at("braid_commit_duration_seconds_sum"), 4.03);
  EXPECT_GT(s.at("process_resident_memory_bytes"), 0);
}

TEST(PipelineMetricsTest, UnknownValuesAreLeftOutNotGuessed) {
  PipelineMetrics m("p1", "continuous", "demo.t");
  PipelineView v = View(0, 0, -1);
  v.watermark = Timestamp::Min();
  v.partitions[0].watermark.reset();
  m.Publish(v, kNowMs);
  const auto s = Parse(m.Prometheus(kNowMs));
  for (const auto& [key, value] : s) {
    EXPECT_NE(key.rfind("braid_consumer_lag_records", 0), 0u) << key;
    EXPECT_NE(key.rfind("braid_partition_watermark_seconds", 0), 0u) << key;
    EXPECT_NE(key, "braid_watermark_seconds");
    EXPECT_NE(key, "braid_last_commit_timestamp_seconds");
  }
  const auto j = nlohmann::json::parse(m.StatusJson(kNowMs));
  EXPECT_TRUE(j["lag"].is_null());
  EXPECT_TRUE(j["watermark"].is_null());
  EXPECT_TRUE(j["partitions"][0]["lag"].is_null());
}

TEST(PipelineMetricsTest, LabelValuesAreEscaped) {
  PipelineMetrics m("a\"b\\c\nd", "drain", "demo.t");
  const std::string text = m.Prometheus(kNowMs);
  EXPECT_NE(text.find("pipeline_id=\"a\\\"b\\\\c\\nd\""), std::string::npos) << text;
}

TEST(PipelineMetricsTest, StatusJsonKeepsHistoryCommitsAndOneSamplePerReason) {
  PipelineMetrics m("p1", "until-caught-up", "demo.t");
  m.Publish(View(10, 10, 20), kNowMs - 2000);
  m.Publish(View(30, 30, 30), kNowMs - 1000);
  m.OnCommit(CommitView{1, 9007199254740993, 4, 3, 0.2, kNowMs - 500, 10, 0},
             Rejects({{"late", "a"}, {"late", "b"}, {"invalid json", "{{"}}));
  const auto j = nlohmann::json::parse(m.StatusJson(kNowMs));
  EXPECT_EQ(j["history"]["records_in"], nlohmann::json::array({10, 30}));
  EXPECT_EQ(j["history"]["lag"], nlohmann::json::array({10, 0}));
  EXPECT_EQ(j["records_in"], 30);
  EXPECT_EQ(j["rows_committed"], 4);
  // 2^53 + 1 survives as text (a JSON number would lose it in a browser).
  EXPECT_EQ(j["recent_commits"][0]["snapshot_id"], "9007199254740993");
  ASSERT_EQ(j["reject_samples"].size(), 2u);
  for (const auto& s : j["reject_samples"]) {
    if (s["reason"] == "late") {
      EXPECT_EQ(s["payload"], "a");
    } else {
      EXPECT_EQ(s["reason"], "invalid json");
      EXPECT_EQ(s["offset"], 2);
    }
  }
  EXPECT_EQ(j["rejects_by_reason"]["late"], 3);
}

}  // namespace
}  // namespace braid
