#include "table/table_appender.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "storage/local_file_system.h"
#include "storage/location.h"
#include "storage/temp_dir.h"
#include "table/duckdb_connection.h"
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

// The table's write.parquet.compression-codec picks the data files' codec; one braid cannot
// write fails the append by name, before any file is written.
TEST_F(TableAppenderTest, WritesWithTheTablesCompression) {
  table_->versions_.back().metadata.properties["write.parquet.compression-codec"] = "snappy";
  RowBatch a = Batch(10, 0);
  Result<AppendResult> r = appender_->Append(*table_, {&a}, CommitRequest{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->data_files.size(), 1u);
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  Result<std::string> local = table_->io().LocalPathForWrite(r->data_files[0].file_path);
  ASSERT_TRUE(local.ok());
  Result<DuckDbResult> codec = (*db)->Query("SELECT DISTINCT compression FROM parquet_metadata('" + *local + "')");
  ASSERT_TRUE(codec.ok()) << codec.status().ToString();
  DuckDbChunk chunk{duckdb_fetch_chunk(*codec->get())};
  ASSERT_TRUE(chunk);
  ASSERT_EQ(chunk.size(), 1u);
  EXPECT_EQ(VarcharAt(chunk.column(0), 0), "SNAPPY");

  table_->versions_.back().metadata.properties["write.parquet.compression-codec"] = "lzo";
  const size_t versions = table_->versions_.size();
  Result<AppendResult> refused = appender_->Append(*table_, {&a}, CommitRequest{});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("write.parquet.compression-codec = \"lzo\""), std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(table_->versions_.size(), versions);
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
  // A transform braid does not compute, and day() of a double: refused by name.
  table_->versions_.back().metadata.partition_specs[0] =
      *PartitionSpec::FromFieldsJson(0, nlohmann::json::parse(R"([{"name":"z","transform":"zorder","source-id":3,"field-id":1000}])"), "t");
  Status st = appender_->Commit(*table_, {}, CommitRequest{{}}).status();
  EXPECT_EQ(st.kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(st.message().find("partitioned in a way braid cannot write"), std::string::npos) << st.message();
  table_->versions_.back().metadata.partition_specs[0] =
      *PartitionSpec::FromFieldsJson(0, nlohmann::json::parse(R"([{"name":"d","transform":"day","source-id":2,"field-id":1000}])"), "t");
  EXPECT_EQ(appender_->Append(*table_, {&a}, CommitRequest{{}}).status().kind(), StatusKind::kInvalidArgument);
}

// Rows spread over three days become one data file per day, each listing its day in the
// manifest; the manifest list summarizes the days; a small target size cuts files further.
TEST_F(TableAppenderTest, WritesOneFilePerPartitionAndCutsAtTheTargetSize) {
  TableMetadata& m = table_->versions_.back().metadata;
  m.partition_specs[0] = *PartitionSpec::Bind({{"at", PartitionTransform::Day()}}, Schema());
  constexpr int64_t kDay = int64_t{86400} * 1000 * 1000;
  RowBatch b(Schema());
  for (int i = 0; i < 30; ++i) {
    b.AppendString("u" + std::to_string(i));
    b.AppendDouble(i);
    b.AppendTimestamp(Timestamp(20000 * kDay + (i % 3) * kDay + i));  // days 20000, 20001, 20002
    b.EndRow();
  }
  Result<AppendResult> r = appender_->Append(*table_, {&b}, CommitRequest{{}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->data_files.size(), 3u);
  std::set<int64_t> days;
  for (const DataFile& f : r->data_files) {
    ASSERT_EQ(f.partition.size(), 1u);
    days.insert(f.partition[0].long_value);
    EXPECT_EQ(f.record_count, 10);
  }
  EXPECT_EQ(days, (std::set<int64_t>{20000, 20001, 20002}));

  const TableMetadata& after = table_->versions_.back().metadata;
  Result<std::vector<DataFile>> live = TableScan::LiveDataFiles(table_->io(), after);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  ASSERT_EQ(live->size(), 3u);
  for (const DataFile& f : *live) {
    ASSERT_EQ(f.partition.size(), 1u);  // read back from the manifest
    EXPECT_GE(f.partition[0].long_value, 20000);
  }
  auto list = ManifestListReader::Read(table_->io(), after.CurrentSnapshot()->manifest_list);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE((*list)[0].partitions.has_value());
  ASSERT_EQ((*list)[0].partitions->size(), 1u);
  const PartitionFieldSummary& summary = (*list)[0].partitions->front();
  EXPECT_FALSE(summary.contains_null);
  EXPECT_EQ(summary.lower_bound, std::string("\x20\x4e\0\0", 4));  // 20000, 4 bytes little-endian
  EXPECT_EQ(summary.upper_bound, std::string("\x22\x4e\0\0", 4));

  // A row is 25 or 26 bytes uncompressed: a 60-byte target closes a file after 3 rows, so each
  // day of 10 rows becomes 4 files.
  TableAppenderOptions small;
  small.target_file_size = 60;
  auto cutting = TableAppender::Create(small);
  ASSERT_TRUE(cutting.ok());
  Result<AppendResult> cut = (*cutting)->Append(*table_, {&b}, CommitRequest{{}});
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->data_files.size(), 12u);
  int64_t rows = 0;
  for (const DataFile& f : cut->data_files) rows += f.record_count;
  EXPECT_EQ(rows, 30);
}

}  // namespace
}  // namespace braid
