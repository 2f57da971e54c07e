// Manifest merging on append, compaction, snapshot expiry and orphan removal on a table in
// memory whose files are real (a temp dir): what each keeps, rewrites and deletes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "memory_table.h"
#include "storage/temp_dir.h"
#include "table/compaction.h"
#include "table/manifest_list_reader.h"
#include "table/manifest_merge.h"
#include "table/manifest_reader.h"
#include "table/orphan_files.h"
#include "table/snapshot_expiry.h"
#include "table/table_appender.h"
#include "table/table_scan.h"

namespace braid {
namespace {

RowSchema Schema() { return {{"user_id", ColumnType::kString, 1}, {"amount", ColumnType::kDouble, 2}}; }

RowBatch Batch(int rows, int offset) {
  RowBatch b(Schema());
  for (int i = 0; i < rows; ++i) {
    b.AppendString("u" + std::to_string(offset + i));
    b.AppendDouble(offset + i);
    b.EndRow();
  }
  return b;
}

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = std::make_unique<MemoryTable>(dir_.uri() + "/t", Schema());
    appender_ = std::move(TableAppender::Create()).value();
    writer_ = std::move(DataFileWriter::Create()).value();
  }

  // `n` appends of `rows` rows each; returns their snapshot ids.
  std::vector<SnapshotId> Append(int n, int rows = 3) {
    std::vector<SnapshotId> ids;
    for (int i = 0; i < n; ++i) {
      RowBatch b = Batch(rows, next_);
      next_ += rows;
      Result<AppendResult> r = appender_->Append(*table_, {&b}, CommitRequest{});
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) ids.push_back(r->snapshot_id);
    }
    return ids;
  }

  const TableMetadata& Head() const { return table_->versions_.back().metadata; }

  std::vector<DataFile> Live(std::optional<SnapshotId> at = std::nullopt) {
    Result<std::vector<DataFile>> files = TableScan::LiveDataFiles(table_->io(), Head(), at);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? *files : std::vector<DataFile>{};
  }

  static int64_t Rows(const std::vector<DataFile>& files) {
    int64_t n = 0;
    for (const DataFile& f : files) n += f.record_count;
    return n;
  }

  // Every value of user_id in `files`, read back from the Parquet files themselves.
  std::multiset<std::string> Values(const std::vector<DataFile>& files) {
    std::multiset<std::string> out;
    auto db = std::move(DuckDbConnection::Open({})).value();
    for (const DataFile& f : files) {
      auto r = db->Query(fmt::format("SELECT user_id FROM read_parquet({})", QuoteLiteral(*LocalPath(f.file_path))));
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) continue;
      while (DuckDbChunk chunk{duckdb_fetch_chunk(*r->get())}) {
        for (size_t i = 0; i < chunk.size(); ++i) out.insert(std::string(*VarcharAt(chunk.column(0), i)));
      }
    }
    return out;
  }

  static bool Exists(const std::string& location) { return std::filesystem::exists(*LocalPath(location)); }

  TempDir dir_;
  std::unique_ptr<MemoryTable> table_;
  std::unique_ptr<TableAppender> appender_;
  std::unique_ptr<DataFileWriter> writer_;
  int next_ = 0;
};

TEST_F(MaintenanceTest, AppendsMergeManifestsAndKeepEverySequenceNumber) {
  TableMetadata m = Head();
  m.properties["commit.manifest.min-count-to-merge"] = "5";
  table_->versions_.back().metadata = m;
  std::vector<SnapshotId> ids = Append(23);
  auto list = ManifestListReader::Read(table_->io(), Head().CurrentSnapshot()->manifest_list);
  ASSERT_TRUE(list.ok());
  EXPECT_LE(list->size(), 5u);  // without merging: 23
  EXPECT_LT(list->size(), 23u);
  // Every append's file is still live, with the sequence number of the commit that added it.
  std::map<int64_t, int64_t> seq_by_snapshot;
  for (size_t i = 0; i < ids.size(); ++i) seq_by_snapshot[ids[i].value()] = static_cast<int64_t>(i) + 1;
  size_t live = 0;
  for (const ManifestFile& mf : *list) {
    auto entries = ManifestReader::Read(table_->io(), mf);
    ASSERT_TRUE(entries.ok());
    for (const ManifestEntry& e : *entries) {
      ASSERT_NE(e.status, EntryStatus::kDeleted);
      ++live;
      ASSERT_TRUE(e.snapshot_id && e.sequence_number && e.file_sequence_number);
      EXPECT_EQ(*e.sequence_number, seq_by_snapshot.at(e.snapshot_id->value()));
      EXPECT_EQ(*e.file_sequence_number, *e.sequence_number);
    }
    EXPECT_LE(mf.min_sequence_number, mf.sequence_number);
  }
  EXPECT_EQ(live, 23u);
  EXPECT_EQ(Rows(Live()), 69);
  EXPECT_EQ(Live(ids[3]).size(), 4u);  // time travel still sees the old manifests

  m = Head();
  m.properties["commit.manifest.min-count-to-merge"] = "many";
  table_->versions_.back().metadata = m;
  RowBatch b = Batch(1, 1000);
  Result<AppendResult> bad = appender_->Append(*table_, {&b}, CommitRequest{});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("commit.manifest.min-count-to-merge"), std::string::npos);
}

TEST_F(MaintenanceTest, MergingDisabledKeepsOneManifestPerAppend) {
  TableMetadata m = Head();
  m.properties["commit.manifest.min-count-to-merge"] = "2";
  m.properties["commit.manifest-merge.enabled"] = "false";
  table_->versions_.back().metadata = m;
  Append(6);
  EXPECT_EQ(ManifestListReader::Read(table_->io(), Head().CurrentSnapshot()->manifest_list)->size(), 6u);
}

TEST_F(MaintenanceTest, CompactionReplacesSmallFilesKeepingRowsAndHistory) {
  std::vector<SnapshotId> ids = Append(12);
  const std::vector<DataFile> before = Live();
  ASSERT_EQ(before.size(), 12u);
  const std::multiset<std::string> values = Values(before);

  Result<CompactResult> dry = Compact(*table_, *writer_, {100'000'000, 0, true});
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->rewritten_files, 12u);
  EXPECT_FALSE(dry->snapshot.has_value());
  EXPECT_EQ(Head().CurrentSnapshot()->id, ids.back());

  Result<CompactResult> r = Compact(*table_, *writer_, {100'000'000, 0, false});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rewritten_files, 12u);
  EXPECT_EQ(r->written_files, 1u);
  EXPECT_EQ(r->rows, 36);
  const Snapshot* head = Head().CurrentSnapshot();
  ASSERT_EQ(head->id, *r->snapshot);
  EXPECT_EQ(head->operation(), "replace");
  EXPECT_EQ(head->summary.at("total-records"), "36");
  EXPECT_EQ(head->summary.at("total-data-files"), "1");
  EXPECT_EQ(head->summary.at("deleted-data-files"), "12");
  const std::vector<DataFile> after = Live();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].record_count, 36);
  EXPECT_EQ(Values(after), values);
  EXPECT_EQ(after[0].lower_bounds.count(1), 1u);  // column metrics written for readers
  // One manifest adds the new file, one rewrite of the twelve old manifests deletes theirs.
  auto list = ManifestListReader::Read(table_->io(), head->manifest_list);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].added_files_count, 1);
  EXPECT_EQ((*list)[1].deleted_files_count, 12);
  EXPECT_EQ((*list)[1].sequence_number, head->sequence_number);
  // Time travel: the snapshot before the compaction still lists (and has) its twelve files.
  EXPECT_EQ(Live(ids.back()).size(), 12u);
  for (const DataFile& f : before) EXPECT_TRUE(Exists(f.file_path));

  Result<CompactResult> again = Compact(*table_, *writer_, {100'000'000, 0, false});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rewritten_files, 0u);
  EXPECT_EQ(Head().CurrentSnapshot()->id, *r->snapshot);
}

// A compaction's manifest of DELETED entries belongs to its snapshot alone: the next append and
// the next compaction leave it out, so rounds of appends and compactions do not pile up
// manifests (a continuous run compacting every few seconds read ever more of them per commit).
TEST_F(MaintenanceTest, ManifestsOfOnlyDeletedEntriesAreNotCarried) {
  auto list_of = [&](const Snapshot* s) {
    auto list = ManifestListReader::Read(table_->io(), s->manifest_list);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<ManifestFile>{};
  };
  auto deleted_entries = [&](const std::vector<ManifestFile>& list) {
    size_t n = 0;
    for (const ManifestFile& mf : list) {
      auto entries = ManifestReader::Read(table_->io(), mf);
      EXPECT_TRUE(entries.ok());
      for (const ManifestEntry& e : *entries) n += e.status == EntryStatus::kDeleted;
    }
    return n;
  };
  for (int round = 0; round < 5; ++round) {
    Append(4);
    Result<CompactResult> r = Compact(*table_, *writer_, {100'000'000, 0, false});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rewritten_files, round == 0 ? 4u : 5u);
    // The compaction's own snapshot lists what it removed, and only that.
    std::vector<ManifestFile> compacted = list_of(Head().CurrentSnapshot());
    EXPECT_EQ(deleted_entries(compacted), r->rewritten_files);
    EXPECT_EQ(compacted.size(), 2u);
  }
  Append(1);
  std::vector<ManifestFile> list = list_of(Head().CurrentSnapshot());
  EXPECT_EQ(deleted_entries(list), 0u);  // carried, the last compaction's 5
  EXPECT_EQ(list.size(), 2u);             // the compacted file's manifest and the append's
  EXPECT_EQ(Rows(Live()), 63);
  // Manifest lists without file counts (optional in format v1) say nothing about the entries:
  // such a manifest is carried.
  ManifestFile unknown = list[0];
  unknown.added_files_count = unknown.existing_files_count = 0;
  unknown.file_counts_known = false;
  EXPECT_FALSE(OnlyDeletedEntries(unknown));
  unknown.file_counts_known = true;
  EXPECT_TRUE(OnlyDeletedEntries(unknown));
}

// A table partitioned by bucket(2, user_id): merged manifests keep every file's tuple, and
// compaction merges files of one bucket only, the merged file keeping the bucket.
TEST_F(MaintenanceTest, PartitionedTablesMergeManifestsAndCompactWithinAPartition) {
  TableMetadata m = Head();
  m.partition_specs[0] = *PartitionSpec::Bind({*PartitionFieldRequest::Parse("bucket(2, user_id)")}, Schema());
  m.properties["commit.manifest.min-count-to-merge"] = "3";
  table_->versions_.back().metadata = m;
  Append(8, 6);
  const std::vector<DataFile> before = Live();
  ASSERT_GT(before.size(), 8u);  // most appends span both buckets
  auto tuples = [](const std::vector<DataFile>& files) {
    std::map<int64_t, int64_t> rows;  // bucket → rows
    for (const DataFile& f : files) {
      EXPECT_EQ(f.partition.size(), 1u) << f.file_path;  // read back from merged manifests too
      if (f.partition.size() == 1) rows[f.partition[0].long_value] += f.record_count;
    }
    return rows;
  };
  const std::map<int64_t, int64_t> buckets = tuples(before);
  ASSERT_EQ(buckets.size(), 2u);

  Result<CompactResult> r = Compact(*table_, *writer_, {100'000'000, 0, false});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->written_files, 2u);  // one per bucket, not one for all
  const std::vector<DataFile> after = Live();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(tuples(after), buckets);
  EXPECT_EQ(Values(after), Values(before));
  EXPECT_EQ(Head().CurrentSnapshot()->summary.at("changed-partition-count"), "2");
  for (const DataFile& f : after) {
    // Every row of a merged file is in the file's bucket.
    for (const std::string& user : Values({f})) {
      RowBatch one(RowSchema{{"user_id", ColumnType::kString, 1}});
      one.AppendString(user);
      one.EndRow();
      EXPECT_EQ(PartitionTransform::Bucket(2).Apply(ColumnType::kString, one.column(0), 0).long_value,
                f.partition[0].long_value);
    }
  }
}

TEST_F(MaintenanceTest, CompactionKeepsAnAppendThatWonTheRace) {
  Append(5);
  table_->before_commit = [this] { Append(1); };  // another writer commits first
  Result<CompactResult> r = Compact(*table_, *writer_, {100'000'000, 0, false});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
  std::vector<DataFile> live = Live();
  EXPECT_EQ(live.size(), 2u);  // the compacted file and the racing append's
  EXPECT_EQ(Rows(live), 18);
  EXPECT_EQ(Head().CurrentSnapshot()->summary.at("total-records"), "18");
}

TEST_F(MaintenanceTest, CompactionGivesUpWhenItsInputsWereReplaced) {
  Append(4);
  table_->before_commit = [this] {
    auto other = std::move(DataFileWriter::Create()).value();
    ASSERT_TRUE(Compact(*table_, *other, {100'000'000, 0, false}).ok());
  };
  Result<CompactResult> r = Compact(*table_, *writer_, {100'000'000, 0, false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kConflict);
  EXPECT_EQ(Rows(Live()), 12);  // the other compaction's answer, rows once
  EXPECT_EQ(Live().size(), 1u);
}

TEST_F(MaintenanceTest, CompactionLeavesYoungFilesAndLargeFiles) {
  std::vector<SnapshotId> ids = Append(3);
  const int64_t cut = Head().SnapshotById(ids[1])->timestamp_ms;  // files added before the 2nd
  Result<CompactResult> none = Compact(*table_, *writer_, {100'000'000, cut, false});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->rewritten_files, 0u);  // one old file alone is nothing to combine
  Result<CompactResult> tiny_target = Compact(*table_, *writer_, {10, 0, false});
  ASSERT_TRUE(tiny_target.ok());
  EXPECT_EQ(tiny_target->rewritten_files, 0u);  // every file is already over 3/4 of the target
}

TEST_F(MaintenanceTest, ExpiryRemovesOldSnapshotsAndOnlyTheirFiles) {
  std::vector<SnapshotId> ids = Append(6);
  const std::vector<DataFile> small = Live();
  ASSERT_TRUE(Compact(*table_, *writer_, {100'000'000, 0, false}).ok());
  Append(1);
  const std::vector<DataFile> live = Live();
  const std::multiset<std::string> values = Values(live);
  std::vector<std::string> old_lists;
  for (const Snapshot& s : Head().snapshots) old_lists.push_back(s.manifest_list);

  ASSERT_FALSE(ExpireSnapshots(*table_, {NowMillis() + 1000, 0, false}).ok());  // retain-last 0

  Result<ExpireResult> dry = ExpireSnapshots(*table_, {NowMillis() + 1000, 1, true});
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->expired.size(), 7u);
  EXPECT_EQ(Head().snapshots.size(), 8u);
  for (const DataFile& f : small) EXPECT_TRUE(Exists(f.file_path));

  const TableState before_expiry = table_->versions_.back();
  Result<ExpireResult> r = ExpireSnapshots(*table_, {NowMillis() + 1000, 1, false});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->expired.size(), 7u);
  // The metadata it replaced is in the metadata log, like any other change's.
  ASSERT_FALSE(Head().metadata_log.empty());
  EXPECT_EQ(Head().metadata_log.back().metadata_file, before_expiry.metadata_location);
  EXPECT_GE(Head().last_updated_ms, before_expiry.metadata.last_updated_ms);
  EXPECT_EQ(r->deleted_data_files, 6u);  // the compacted small files; none still live
  EXPECT_TRUE(r->delete_failures.empty());
  ASSERT_EQ(Head().snapshots.size(), 1u);
  EXPECT_EQ(Head().snapshot_log.size(), 1u);
  for (const DataFile& f : small) EXPECT_FALSE(Exists(f.file_path));
  for (const DataFile& f : Live()) EXPECT_TRUE(Exists(f.file_path));
  EXPECT_EQ(Values(Live()), values);
  for (size_t i = 0; i + 1 < old_lists.size(); ++i) EXPECT_FALSE(Exists(old_lists[i]));
  EXPECT_TRUE(Exists(old_lists.back()));
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), Head(), ids[0]).status().kind(), StatusKind::kNotFound);
}

TEST_F(MaintenanceTest, ExpiryKeepsTheNewestAndYoungSnapshots) {
  Append(4);
  Result<ExpireResult> young = ExpireSnapshots(*table_, {NowMillis() - 3'600'000, 1, false});
  ASSERT_TRUE(young.ok());
  EXPECT_TRUE(young->expired.empty());
  Result<ExpireResult> r = ExpireSnapshots(*table_, {NowMillis() + 1000, 3, false});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->expired.size(), 1u);
  EXPECT_EQ(Head().snapshots.size(), 3u);
  EXPECT_EQ(Rows(Live()), 12);
  EXPECT_EQ(r->deleted_data_files, 0u);  // every file is still live at the head

  TableMetadata m = Head();
  m.properties["gc.enabled"] = "false";
  table_->versions_.back().metadata = m;
  Result<ExpireResult> refused = ExpireSnapshots(*table_, {NowMillis() + 1000, 1, false});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("gc.enabled"), std::string::npos);
}

TEST_F(MaintenanceTest, OrphanRemovalDeletesOnlyOldUnreferencedFiles) {
  Append(3);
  const std::string stray = *LocalPath(Head().location + "/data/stray.parquet");
  const std::string fresh = *LocalPath(Head().location + "/metadata/fresh.avro");
  std::ofstream(stray) << "x";
  std::ofstream(fresh) << "y";
  const auto old = std::filesystem::file_time_type::clock::now() - std::chrono::hours(48);
  std::filesystem::last_write_time(stray, old);
  const int64_t now = NowMillis();

  EXPECT_EQ(RemoveOrphanFiles(*table_, {now - 60'000, true}, now).status().kind(), StatusKind::kInvalidArgument);
  Result<OrphanResult> dry = RemoveOrphanFiles(*table_, {now - 3'600'000, true}, now);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  ASSERT_EQ(dry->orphans.size(), 1u);
  EXPECT_EQ(*LocalPath(dry->orphans[0].location), stray);
  EXPECT_TRUE(std::filesystem::exists(stray));

  // Seen from a day later every file is old: still only the unreferenced ones go.
  const int64_t later = now + 86'400'000;
  Result<OrphanResult> r = RemoveOrphanFiles(*table_, {later - 3'600'000, false}, later);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->orphans.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(stray));
  EXPECT_FALSE(std::filesystem::exists(fresh));
  for (const DataFile& f : Live()) EXPECT_TRUE(Exists(f.file_path));
  EXPECT_EQ(Rows(Live()), 9);
  EXPECT_TRUE(Exists(Head().CurrentSnapshot()->manifest_list));
}

}  // namespace
}  // namespace braid
