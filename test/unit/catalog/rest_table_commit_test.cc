#include "catalog/rest_table_commit.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

using nlohmann::json;

RowSchema Schema() { return {{"user_id", ColumnType::kString, 1}, {"amount", ColumnType::kDouble, 2}}; }

Snapshot MakeSnapshot(int64_t id, std::optional<int64_t> parent, int64_t seq) {
  Snapshot s;
  s.id = SnapshotId(id);
  if (parent) s.parent_id = SnapshotId(*parent);
  s.sequence_number = seq;
  s.timestamp_ms = 1000 + seq;
  s.manifest_list = "file:///w/ns/t/metadata/snap-" + std::to_string(id) + ".avro";
  s.schema_id = 0;
  s.summary = {{"operation", "append"}, {"braid.pipeline", "p1"}};
  return s;
}

TableState Base(std::map<std::string, std::string> props = {}) {
  return {TableMetadata::NewTable("file:///w/ns/t", Schema(), std::move(props), 1000), "file:///w/ns/t/metadata/v1.metadata.json"};
}

TEST(RestTableCommitTest, FirstAppendAssertsNoSnapshotAndAddsOneWithMainRef) {
  TableState base = Base();
  TableMetadata updated = base.metadata;
  updated.AddSnapshot(MakeSnapshot(42, std::nullopt, 1), base.metadata_location);
  auto body = RestTableCommit::Build({"ns", "t"}, base, updated);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  const json& b = *body;
  EXPECT_EQ(b["identifier"], (json{{"namespace", {"ns"}}, {"name", "t"}}));
  ASSERT_EQ(b["requirements"].size(), 2u);
  EXPECT_EQ(b["requirements"][0], (json{{"type", "assert-table-uuid"}, {"uuid", base.metadata.table_uuid}}));
  EXPECT_EQ(b["requirements"][1]["type"], "assert-ref-snapshot-id");
  EXPECT_EQ(b["requirements"][1]["ref"], "main");
  EXPECT_TRUE(b["requirements"][1]["snapshot-id"].is_null());
  ASSERT_EQ(b["updates"].size(), 2u);
  EXPECT_EQ(b["updates"][0]["action"], "add-snapshot");
  EXPECT_EQ(b["updates"][0]["snapshot"]["snapshot-id"], 42);
  EXPECT_EQ(b["updates"][0]["snapshot"]["manifest-list"], "file:///w/ns/t/metadata/snap-42.avro");
  EXPECT_EQ(b["updates"][0]["snapshot"]["summary"]["braid.pipeline"], "p1");
  EXPECT_FALSE(b["updates"][0]["snapshot"].contains("parent-snapshot-id"));
  EXPECT_EQ(b["updates"][1], (json{{"action", "set-snapshot-ref"}, {"ref-name", "main"}, {"type", "branch"}, {"snapshot-id", 42}}));
}

TEST(RestTableCommitTest, LaterAppendAssertsBaseHeadAndSendsPropertyChanges) {
  TableState base = Base({{"keep", "1"}, {"old", "x"}, {"braid.pipeline.p1.seq", "1"}});
  base.metadata.AddSnapshot(MakeSnapshot(7, std::nullopt, 1), "");
  TableMetadata updated = base.metadata;
  updated.AddSnapshot(MakeSnapshot(8, 7, 2), base.metadata_location);
  updated.properties.erase("old");
  updated.properties["braid.pipeline.p1.seq"] = "2";
  auto body = RestTableCommit::Build({"ns", "t"}, base, updated);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  const json& b = *body;
  EXPECT_EQ(b["requirements"][1]["snapshot-id"], 7);
  ASSERT_EQ(b["updates"].size(), 4u);
  EXPECT_EQ(b["updates"][0]["snapshot"]["snapshot-id"], 8);
  EXPECT_EQ(b["updates"][0]["snapshot"]["parent-snapshot-id"], 7);
  EXPECT_EQ(b["updates"][1]["snapshot-id"], 8);
  EXPECT_EQ(b["updates"][2], (json{{"action", "set-properties"}, {"updates", {{"braid.pipeline.p1.seq", "2"}}}}));
  EXPECT_EQ(b["updates"][3], (json{{"action", "remove-properties"}, {"removals", {"old"}}}));
  EXPECT_EQ(RestTableCommit::AddedSnapshots(base.metadata, updated), std::vector<SnapshotId>{SnapshotId(8)});
}

TEST(RestTableCommitTest, RefusesChangesItCannotExpress) {
  TableState base = Base();
  TableMetadata schema_change = base.metadata;
  schema_change.current_schema_id = 1;
  auto r = RestTableCommit::Build({"ns", "t"}, base, schema_change);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("schema"), std::string::npos) << r.status().message();

  TableMetadata other_uuid = base.metadata;
  other_uuid.table_uuid = "00000000-0000-0000-0000-000000000000";
  r = RestTableCommit::Build({"ns", "t"}, base, other_uuid);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("table-uuid"), std::string::npos);

  TableState with_snapshot = Base();
  with_snapshot.metadata.AddSnapshot(MakeSnapshot(7, std::nullopt, 1), "");
  TableMetadata expired = base.metadata;  // snapshot 7 gone
  expired.table_uuid = with_snapshot.metadata.table_uuid;
  r = RestTableCommit::Build({"ns", "t"}, with_snapshot, expired);
  ASSERT_FALSE(r.ok());  // removing main's head is not an expiry
  EXPECT_NE(r.status().message().find("main (removed)"), std::string::npos);
}

TEST(RestTableCommitTest, ExpirySendsRemoveSnapshotsAndKeepsMain) {
  TableState base = Base();
  base.metadata.AddSnapshot(MakeSnapshot(7, std::nullopt, 1), "");
  base.metadata.AddSnapshot(MakeSnapshot(8, 7, 2), "");
  TableMetadata expired = base.metadata;
  std::erase_if(expired.snapshots, [](const Snapshot& s) { return s.id == SnapshotId(7); });
  Result<json> r = RestTableCommit::Build({"ns", "t"}, base, expired);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const json& b = *r;
  EXPECT_EQ(b["requirements"][1]["snapshot-id"], 8);  // an append meanwhile makes it a 409
  ASSERT_EQ(b["updates"].size(), 1u);
  EXPECT_EQ(b["updates"][0], (json{{"action", "remove-snapshots"}, {"snapshot-ids", {7}}}));
}

TEST(RestTableCommitTest, NamespaceLevelsSplitOnDots) {
  EXPECT_EQ(RestTableCommit::NamespaceLevels("demo"), (json{"demo"}));
  EXPECT_EQ(RestTableCommit::NamespaceLevels("a.b"), (json{"a", "b"}));
}

}  // namespace
}  // namespace braid
