#include "table/table_appender.h"

#include <gtest/gtest.h>

#include <functional>

#include "storage/local_file_system.h"
#include "storage/location.h"
#include "storage/temp_dir.h"
#include "table/manifest_list_reader.h"
#include "table/random_ids.h"
#include "table/snapshot_summary.h"
#include "table/table_scan.h"
#include "memory_table.h"

namespace braid {
namespace {

RowSchema Schema() {
  return {{"user_id", ColumnType::kString, 1}, {"amount", ColumnType::kDouble, 2},
          {"at", ColumnType::kTimestampTz, 3}};
}

RowBatch Batch(int rows, int offset) {
  RowBatch b(Schema());
  for (int i = 0; i < rows; ++i) {
    b.AppendString("u" + std::to_string(offset + i));
    b.AppendDouble(offset + i);
    b.AppendTimestamp(Timestamp(1737022830000000LL + i));
    b.EndRow();
  }
  return b;
}

class TableAppenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = std::make_unique<MemoryTable>(dir_.uri() + "/t", Schema());
    auto a = TableAppender::Create();
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    appender_ = std::move(a).value();
  }

  TempDir dir_;
  std::unique_ptr<MemoryTable> table_;
  std::unique_ptr<TableAppender> appender_;
};

TEST_F(TableAppenderTest, AppendsFilesAsOneSnapshot) {
  RowBatch a = Batch(10, 0), b = Batch(5, 100);
  Result<AppendResult> r = appender_->Append(*table_, {&a, &b}, CommitRequest{{{"braid.pipeline-id", "p1"}, {"braid.commit-seq", "1"}}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(r->sequence_number, 1);
  EXPECT_EQ(r->data_files.size(), 2u);
  EXPECT_TRUE(r->data_files[0].file_path.starts_with(dir_.uri() + "/t/data/"));

  const TableMetadata& m = table_->versions_.back().metadata;
  const Snapshot* s = m.CurrentSnapshot();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->id, r->snapshot_id);
  EXPECT_GT(s->id.value(), 0);
  EXPECT_FALSE(s->parent_id.has_value());
  EXPECT_EQ(s->schema_id, 0);
  EXPECT_EQ(m.last_sequence_number, 1);
  EXPECT_EQ(m.metadata_log.size(), 1u);
  const auto& sum = s->summary;
  EXPECT_EQ(sum.at("operation"), "append");
  EXPECT_EQ(sum.at("added-data-files"), "2");
  EXPECT_EQ(sum.at("added-records"), "15");
  EXPECT_EQ(sum.at("total-records"), "15");
  EXPECT_EQ(sum.at("total-data-files"), "2");
  EXPECT_EQ(sum.at("added-files-size"), sum.at("total-files-size"));
  EXPECT_EQ(sum.at("total-delete-files"), "0");
  EXPECT_EQ(sum.at("total-position-deletes"), "0");
  EXPECT_EQ(sum.at("total-equality-deletes"), "0");
  EXPECT_EQ(sum.at("changed-partition-count"), "1");
  EXPECT_EQ(sum.at("braid.pipeline-id"), "p1");

  Result<std::vector<DataFile>> files = TableScan::LiveDataFiles(table_->io(), m);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->size(), 2u);
}

TEST_F(TableAppenderTest, FastAppendCarriesPreviousManifestsUnchanged) {
  RowBatch a = Batch(3, 0), b = Batch(4, 10);
  Result<AppendResult> first = appender_->Append(*table_, {&a}, CommitRequest{{{"braid.commit-seq", "1"}}});
  ASSERT_TRUE(first.ok());
  auto first_list = ManifestListReader::Read(table_->io(), table_->versions_.back().metadata.CurrentSnapshot()->manifest_list);
  ASSERT_TRUE(first_list.ok());
  Result<AppendResult> second = appender_->Append(*table_, {&b}, CommitRequest{{{"braid.commit-seq", "2"}}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->sequence_number, 2);

  const TableMetadata& m = table_->versions_.back().metadata;
  const Snapshot* s = m.CurrentSnapshot();
  EXPECT_EQ(*s->parent_id, first->snapshot_id);
  EXPECT_EQ(s->summary.at("total-records"), "7");
  EXPECT_EQ(s->summary.at("total-data-files"), "2");
  auto list = ManifestListReader::Read(table_->io(), s->manifest_list);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].sequence_number, 2);
  EXPECT_EQ((*list)[0].added_snapshot_id, second->snapshot_id);
  const ManifestFile& carried = (*list)[1];
  EXPECT_EQ(carried.manifest_path, (*first_list)[0].manifest_path);
  EXPECT_EQ(carried.manifest_length, (*first_list)[0].manifest_length);
  EXPECT_EQ(carried.sequence_number, 1);
  EXPECT_EQ(carried.added_snapshot_id, first->snapshot_id);

  // Old snapshots stay readable (time travel), newest-first search finds the pipeline keys.
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), m, first->snapshot_id)->size(), 1u);
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), m)->size(), 2u);
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), m, SnapshotId(12345)).status().kind(), StatusKind::kNotFound);
  const Snapshot* found = FindSnapshotSummary(m, [](const Snapshot& s) { return s.summary.count("braid.commit-seq"); });
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->summary.at("braid.commit-seq"), "2");
}

TEST_F(TableAppenderTest, EmptyAppendRecordsOnlyTheSummary) {
  RowBatch a = Batch(3, 0), empty(Schema());
  ASSERT_TRUE(appender_->Append(*table_, {&a}, CommitRequest{{}}).ok());
  Result<AppendResult> r = appender_->Append(*table_, {&empty}, CommitRequest{{{"braid.offsets", "{\"t\":{\"0\":9}}"}}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->data_files.empty());
  const TableMetadata& m = table_->versions_.back().metadata;
  const Snapshot* s = m.CurrentSnapshot();
  EXPECT_EQ(s->summary.at("added-data-files"), "0");
  EXPECT_EQ(s->summary.at("added-records"), "0");
  EXPECT_EQ(s->summary.at("changed-partition-count"), "0");
  EXPECT_EQ(s->summary.at("total-records"), "3");
  EXPECT_EQ(s->summary.at("braid.offsets"), "{\"t\":{\"0\":9}}");
  EXPECT_EQ(ManifestListReader::Read(table_->io(), s->manifest_list)->size(), 1u);
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), m)->size(), 1u);

  // Even the very first snapshot may add nothing.
  MemoryTable fresh(dir_.uri() + "/fresh", Schema());
  Result<AppendResult> first = appender_->Commit(fresh, {}, CommitRequest{{{"braid.commit-seq", "1"}}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(fresh.versions_.back().metadata.CurrentSnapshot()->summary.at("total-records"), "0");
  EXPECT_TRUE(ManifestListReader::Read(fresh.io(), fresh.versions_.back().metadata.CurrentSnapshot()->manifest_list)->empty());
}

TEST_F(TableAppenderTest, LostRaceRebuildsOnTheWinnersSnapshot) {
  RowBatch mine = Batch(2, 0), theirs = Batch(3, 50);
  auto other = TableAppender::Create();
  ASSERT_TRUE(other.ok());
  SnapshotId their_id;
  table_->before_commit = [&] {
    Result<AppendResult> r = (*other)->Append(*table_, {&theirs}, CommitRequest{{{"braid.pipeline-id", "other"}}});
    ASSERT_TRUE(r.ok());
    their_id = r->snapshot_id;
  };
  Result<AppendResult> r = appender_->Append(*table_, {&mine}, CommitRequest{{{"braid.pipeline-id", "me"}}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(r->sequence_number, 2);
  const TableMetadata& m = table_->versions_.back().metadata;
  ASSERT_EQ(m.snapshots.size(), 2u);
  EXPECT_EQ(*m.CurrentSnapshot()->parent_id, their_id);  // built on the winner, not over it
  EXPECT_EQ(m.CurrentSnapshot()->summary.at("total-records"), "5");
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), m)->size(), 2u);
  // The lost attempt's manifest list was removed; the one manifest was reused.
  auto metadata_files = table_->io().List(dir_.uri() + "/t/metadata");
  ASSERT_TRUE(metadata_files.ok());
  int lists = 0;
  for (const FileInfo& f : *metadata_files) lists += f.name.starts_with("snap-");
  EXPECT_EQ(lists, 2);
}

TEST_F(TableAppenderTest, GivesUpAfterTooManyLostRaces) {
  TableAppenderOptions options;
  options.max_attempts = 2;
  auto appender = TableAppender::Create(options);
  ASSERT_TRUE(appender.ok());
  RowBatch a = Batch(1, 0);
  std::function<void()> steal = [&] {
    TableState s = table_->versions_.back();
    s.metadata_location += ".other";
    table_->versions_.push_back(s);
    table_->before_commit = steal;
  };
  table_->before_commit = steal;
  Result<AppendResult> r = (*appender)->Append(*table_, {&a}, CommitRequest{{}});
  EXPECT_EQ(r.status().kind(), StatusKind::kConflict);
  EXPECT_TRUE(r.status().retriable());
}

TEST_F(TableAppenderTest, RefusesMismatchedRowsAndReservedKeys) {
  RowBatch wrong_type({{"user_id", ColumnType::kInt64, 1}});
  wrong_type.AppendInt(1);
  wrong_type.EndRow();
  Result<AppendResult> r = appender_->Append(*table_, {&wrong_type}, CommitRequest{{}});
  EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(r.status().message().find("user_id"), std::string::npos);

  RowBatch wrong_id({{"user_id", ColumnType::kString, 7}});
  wrong_id.AppendString("x");
  wrong_id.EndRow();
  EXPECT_EQ(appender_->Append(*table_, {&wrong_id}, CommitRequest{{}}).status().kind(), StatusKind::kInvalidArgument);

  RowBatch ok = Batch(1, 0);
  EXPECT_EQ(appender_->Append(*table_, {&ok}, CommitRequest{{{"total-records", "9"}}}).status().kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(table_->versions_.size(), 1u);  // nothing committed

  IcebergSchema required = IcebergSchema::FromRowSchema({{"a", ColumnType::kString, 1, true}, {"b", ColumnType::kString, 2}});
  EXPECT_EQ(CheckAppendSchema({{"b", ColumnType::kString, 2}}, required, "t").kind(), StatusKind::kInvalidArgument);
  EXPECT_TRUE(CheckAppendSchema({{"a", ColumnType::kString, 1}}, required, "t").ok());
}

TEST_F(TableAppenderTest, RefusesV1AndPartitionedTables) {
  table_->versions_.back().metadata.format_version = 1;
  RowBatch a = Batch(1, 0);
  EXPECT_EQ(appender_->Append(*table_, {&a}, CommitRequest{{}}).status().kind(), StatusKind::kInvalidArgument);
  table_->versions_.back().metadata.format_version = 2;
  table_->versions_.back().metadata.partition_specs[0].fields =
      nlohmann::json::parse(R"([{"name":"d","transform":"day","source-id":3,"field-id":1000}])");
  EXPECT_EQ(appender_->Commit(*table_, {}, CommitRequest{{}}).status().kind(), StatusKind::kInvalidArgument);
}

}  // namespace
}  // namespace braid
