#include "pipeline/pipeline_record.h"

#include <gtest/gtest.h>

#include "pipeline/pipeline_runner.h"

namespace braid {
namespace {

// A snapshot on main whose summary carries `summary`, parent `parent` (0: none).
Snapshot SnapshotWith(int64_t id, int64_t parent, std::map<std::string, std::string> summary) {
  Snapshot s;
  s.id = SnapshotId(id);
  if (parent != 0) s.parent_id = SnapshotId(parent);
  s.timestamp_ms = 1'700'000'000'000 + id;
  s.summary = std::move(summary);
  s.summary["operation"] = "append";
  return s;
}

void SetHead(TableMetadata& md, int64_t id) {
  md.current_snapshot_id = SnapshotId(id);
  md.refs["main"] = SnapshotRef{SnapshotId(id)};
}

TEST(PipelineRecord, PipelineIdsListsEveryPipelineOfTheProperties) {
  TableMetadata md;
  PipelineRecord a;
  a.commit_seq = 3;
  a.offsets = R"({"t":{"0":5}})";
  PipelineRecord b;
  b.commit_seq = 1;
  b.offsets = R"({"u":{"0":7}})";
  b.watermark = "2025-01-16T10:20:00.000000Z";
  // The default id has dots in it; "a.offsets" ends like another id's key would.
  for (const auto& [k, v] : a.ToProperties("demo.unified_activity")) md.properties[k] = v;
  for (const auto& [k, v] : b.ToProperties("a.offsets")) md.properties[k] = v;
  md.properties["braid.pipeline.note"] = "not a record";
  md.properties["write.format.default"] = "parquet";

  EXPECT_EQ(PipelineRecord::PipelineIds(md),
            (std::vector<std::string>{"a.offsets", "demo.unified_activity"}));
  auto found = PipelineRecord::Find(md, "a.offsets");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->commit_seq, 1);
  EXPECT_EQ(found->watermark, "2025-01-16T10:20:00.000000Z");
}

TEST(PipelineRecord, PipelineIdsFindsOldTablesBySnapshotSummary) {
  // Written before table properties were kept: only the snapshots name the pipelines, with
  // another engine's snapshot between them and one snapshot off main that must not count.
  TableMetadata md;
  md.snapshots.push_back(SnapshotWith(1, 0, {{kPipelineIdKey, "old"}, {kCommitSeqKey, "1"},
                                             {kOffsetsKey, R"({"t":{"0":4}})"}}));
  md.snapshots.push_back(SnapshotWith(2, 1, {{"spark.app.id", "x"}}));
  md.snapshots.push_back(SnapshotWith(3, 2, {{kPipelineIdKey, "older"}, {kCommitSeqKey, "9"},
                                             {kOffsetsKey, R"({"t":{"0":8}})"}}));
  md.snapshots.push_back(SnapshotWith(4, 1, {{kPipelineIdKey, "off-main"}}));
  SetHead(md, 3);
  // And one pipeline that also has its properties: listed once.
  PipelineRecord r;
  r.commit_seq = 2;
  for (const auto& [k, v] : r.ToProperties("old")) md.properties[k] = v;

  EXPECT_EQ(PipelineRecord::PipelineIds(md), (std::vector<std::string>{"old", "older"}));
  auto older = PipelineRecord::Find(md, "older");
  ASSERT_TRUE(older.has_value());
  EXPECT_EQ(older->commit_seq, 9);
  EXPECT_EQ(older->committed_at_ms, 1'700'000'000'003);
}

TEST(PipelineRecord, PipelineIdsOfATableWithoutBraidIsEmpty) {
  TableMetadata md;
  md.snapshots.push_back(SnapshotWith(1, 0, {{"spark.app.id", "x"}}));
  SetHead(md, 1);
  EXPECT_TRUE(PipelineRecord::PipelineIds(md).empty());
}

}  // namespace
}  // namespace braid
