#include "table/fixture.h"
#include "table/table_metadata.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "table/snapshot_summary.h"

namespace braid {
namespace {

RowSchema UnifiedActivity() {
  return {{"user_id", ColumnType::kString, 1},         {"session_id", ColumnType::kString, 2},
          {"action_type", ColumnType::kString, 3},     {"page_url", ColumnType::kString, 4},
          {"purchase_amount", ColumnType::kDouble, 5}, {"product_id", ColumnType::kString, 6},
          {"device_type", ColumnType::kString, 7},     {"event_timestamp", ColumnType::kTimestampTz, 8},
          {"processing_time", ColumnType::kTimestampTz, 9}};
}

Snapshot MakeSnapshot(int64_t id, std::optional<int64_t> parent, int64_t seq, std::string pipeline) {
  Snapshot s;
  s.id = SnapshotId(id);
  if (parent) s.parent_id = SnapshotId(*parent);
  s.sequence_number = seq;
  s.timestamp_ms = 1000 + seq;
  s.manifest_list = "file:///w/t/metadata/snap-" + std::to_string(id) + ".avro";
  s.schema_id = 0;
  s.summary = {{"operation", "append"}, {"braid.pipeline-id", std::move(pipeline)},
               {"braid.commit-seq", std::to_string(seq)}};
  return s;
}

TEST(TableMetadata, NewTableHasEveryRequiredV2Key) {
  TableMetadata m = TableMetadata::NewTable("file:///w/demo/unified_activity/", UnifiedActivity(), {}, 42);
  nlohmann::json j = nlohmann::json::parse(SerializeTableMetadata(m));
  for (const char* key : {"format-version", "table-uuid", "location", "last-sequence-number",
                          "last-updated-ms", "last-column-id", "schemas", "current-schema-id",
                          "partition-specs", "default-spec-id", "last-partition-id", "sort-orders",
                          "default-sort-order-id", "properties", "current-snapshot-id", "snapshots",
                          "snapshot-log", "metadata-log", "refs"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_FALSE(j.contains("schema"));  // v1 forms are never written
  EXPECT_FALSE(j.contains("partition-spec"));
  EXPECT_EQ(j["format-version"], 2);
  EXPECT_EQ(j["location"], "file:///w/demo/unified_activity");
  EXPECT_EQ(j["table-uuid"].get<std::string>().size(), 36u);
  EXPECT_EQ(j["table-uuid"].get<std::string>()[14], '4');
  EXPECT_EQ(j["last-column-id"], 9);
  EXPECT_EQ(j["last-partition-id"], 999);
  EXPECT_EQ(j["current-snapshot-id"], -1);
  EXPECT_EQ(j["last-sequence-number"], 0);
  EXPECT_TRUE(j["refs"].empty());
  EXPECT_EQ(j["partition-specs"], nlohmann::json::parse(R"([{"spec-id":0,"fields":[]}])"));
  EXPECT_EQ(j["sort-orders"], nlohmann::json::parse(R"([{"order-id":0,"fields":[]}])"));
  const nlohmann::json& fields = j["schemas"][0]["fields"];
  ASSERT_EQ(fields.size(), 9u);
  EXPECT_EQ(fields[4], nlohmann::json::parse(R"({"id":5,"name":"purchase_amount","required":false,"type":"double"})"));
  EXPECT_EQ(fields[8]["type"], "timestamptz");
}

TEST(TableMetadata, RoundTripsWithSnapshotsAndLogs) {
  TableMetadata m = TableMetadata::NewTable("file:///w/t", UnifiedActivity(), {{"k", "v"}}, 100);
  m.AddSnapshot(MakeSnapshot(11, std::nullopt, 1, "p"), "file:///w/t/metadata/v1.metadata.json");
  m.AddSnapshot(MakeSnapshot(22, 11, 2, "p"), "file:///w/t/metadata/v2.metadata.json");
  std::string text = SerializeTableMetadata(m);
  nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["current-snapshot-id"], 22);
  EXPECT_EQ(j["refs"]["main"], nlohmann::json::parse(R"({"snapshot-id":22,"type":"branch"})"));
  EXPECT_FALSE(j["snapshots"][0].contains("parent-snapshot-id"));  // omitted, never null
  EXPECT_EQ(j["snapshots"][1]["parent-snapshot-id"], 11);
  EXPECT_EQ(j["snapshots"][1]["summary"]["braid.commit-seq"], "2");
  EXPECT_EQ(j["last-sequence-number"], 2);
  ASSERT_EQ(j["metadata-log"].size(), 2u);
  EXPECT_EQ(j["metadata-log"][0]["timestamp-ms"], 100);
  EXPECT_EQ(j["snapshot-log"][1]["snapshot-id"], 22);

  Result<TableMetadata> back = ParseTableMetadata(text, "round-trip");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(SerializeTableMetadata(*back), text);
  EXPECT_EQ(back->CurrentSnapshot()->id, SnapshotId(22));
  EXPECT_EQ(*back->CurrentSnapshot()->parent_id, SnapshotId(11));
}

TEST(TableMetadata, MetadataLogIsTrimmedToTheConfiguredMaximum) {
  TableMetadata m = TableMetadata::NewTable("file:///w/t", UnifiedActivity(),
                                            {{"write.metadata.previous-versions-max", "3"}}, 1);
  for (int i = 1; i <= 5; ++i) {
    m.AddSnapshot(MakeSnapshot(i, i > 1 ? std::optional<int64_t>(i - 1) : std::nullopt, i, "p"),
                  "file:///w/t/metadata/v" + std::to_string(i) + ".metadata.json");
  }
  ASSERT_EQ(m.metadata_log.size(), 3u);
  EXPECT_EQ(m.metadata_log.back().metadata_file, "file:///w/t/metadata/v5.metadata.json");
}

TEST(TableMetadata, ReadsWhatPyicebergWrote) {
  Result<TableMetadata> m = ParseTableMetadata(Fixture("pyiceberg_v2.metadata.json"), "pyiceberg");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->format_version, 2);
  EXPECT_EQ(m->last_sequence_number, 3);
  EXPECT_EQ(m->snapshots.size(), 3u);
  EXPECT_EQ(m->CurrentSnapshot()->id, SnapshotId(1431895272958582237LL));
  EXPECT_EQ(m->CurrentSnapshot()->summary.at("total-records"), "6");
  EXPECT_EQ(m->properties.at("owner"), "fixture");
  const IcebergSchema* schema = m->CurrentSchema();
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->identifier_field_ids, std::vector<int>{1});
  EXPECT_EQ(schema->HighestFieldId(), 9);  // the list's element id counts
  EXPECT_EQ(*DuckDbTypeFor(schema->fields[6].type), "DECIMAL(9,2)");
  EXPECT_EQ(*DuckDbTypeFor(schema->fields[7].type), "VARCHAR[]");
  EXPECT_EQ(*DuckDbTypeFor(schema->fields[5].type), "DATE");
  EXPECT_EQ(schema->ToRowSchema().status().kind(), StatusKind::kInvalidArgument);  // boolean etc.
  // Keys braid does not interpret survive a rewrite.
  nlohmann::json again = nlohmann::json::parse(SerializeTableMetadata(*m));
  EXPECT_TRUE(again.contains("statistics"));
  EXPECT_TRUE(again.contains("partition-statistics"));
  EXPECT_EQ(again["schemas"][0]["fields"][7]["type"]["element-id"], 9);

  // The newest snapshot with a given key, walking main newest first.
  const Snapshot* s = FindSnapshotSummary(*m, [](const Snapshot& s) { return s.sequence_number <= 2; });
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->id, SnapshotId(6186767844390484826LL));
}

TEST(TableMetadata, ReadsV1Forms) {
  Result<TableMetadata> m = ParseTableMetadata(Fixture("v1_minimal.metadata.json"), "v1_minimal");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->format_version, 1);
  EXPECT_EQ(m->last_sequence_number, 0);
  EXPECT_EQ(m->CurrentSchema()->fields.size(), 3u);
  ASSERT_EQ(m->partition_specs.size(), 1u);
  EXPECT_TRUE(m->DefaultSpec()->fields.empty());
  const Snapshot* current = m->CurrentSnapshot();  // from current-snapshot-id: v1 has no refs
  ASSERT_NE(current, nullptr);
  EXPECT_EQ(current->id, SnapshotId(3051729675574597004LL));
  EXPECT_EQ(current->sequence_number, 0);
  EXPECT_EQ(current->summary.at("added-records"), "4");  // a number in the file
  EXPECT_EQ(*DuckDbTypeFor(m->CurrentSchema()->fields[2].type), "TIMESTAMPTZ");
  Result<RowSchema> rows = m->CurrentSchema()->ToRowSchema();
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE((*rows)[0].required);

  Result<TableMetadata> full = ParseTableMetadata(Fixture("v1_full.metadata.json"), "v1_full");
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->CurrentSchema()->schema_id, 1);
  EXPECT_EQ(full->CurrentSchema()->fields[1].doc, "comment");
  EXPECT_EQ(full->DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(full->last_partition_id, 1000);
  EXPECT_EQ(full->CurrentSnapshot(), nullptr);  // current-snapshot-id -1
  ASSERT_EQ(full->snapshots.size(), 1u);
  EXPECT_EQ(full->snapshots[0].v1_manifests.size(), 2u);
  EXPECT_TRUE(full->snapshots[0].manifest_list.empty());
}

TEST(TableMetadata, RejectsMalformedMetadata) {
  const char* cases[] = {
      "not json",
      "[]",
      R"({"format-version": 2})",
      R"({"format-version": 7, "location": "x"})",
      R"({"format-version": 2, "location": "file:///t", "last-sequence-number": 0,
          "last-updated-ms": 1, "last-column-id": 1, "schemas": [], "current-schema-id": 0})",
      R"({"format-version": 1, "location": "file:///t", "last-updated-ms": 1, "last-column-id": 1,
          "schema": {"type": "struct", "fields": [{"id": "x"}]}})",
      R"({"format-version": 1, "location": "file:///t", "last-updated-ms": 1, "last-column-id": 1,
          "schema": {"type": "struct", "fields": []}, "snapshots": [{"snapshot-id": 1}]})",
      R"({"format-version": 1, "location": "file:///t", "last-updated-ms": "1", "last-column-id": 1})",
  };
  for (const char* text : cases) {
    Result<TableMetadata> m = ParseTableMetadata(text, "bad.json");
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.status().kind(), StatusKind::kCorruption) << text;
    EXPECT_NE(m.status().message().find("bad.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace braid
