#include "pipeline/table_maintainer.h"

#include <gtest/gtest.h>

#include "storage/temp_dir.h"
#include "table/memory_table.h"
#include "table/random_ids.h"
#include "table/table_appender.h"
#include "table/table_scan.h"

namespace braid {
namespace {

RowSchema Schema() { return {{"k", ColumnType::kString, 1}}; }

class TableMaintainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = std::make_unique<MemoryTable>(dir_.uri() + "/t", Schema());
    appender_ = std::move(TableAppender::Create()).value();
  }
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      RowBatch b(Schema());
      b.AppendString("v" + std::to_string(i));
      b.EndRow();
      ASSERT_TRUE(appender_->Append(*table_, {&b}, CommitRequest{}).ok());
    }
  }
  const TableMetadata& Head() { return table_->versions_.back().metadata; }

  TempDir dir_;
  std::unique_ptr<MemoryTable> table_;
  std::unique_ptr<TableAppender> appender_;
  std::vector<std::string> lines_;
};

TEST_F(TableMaintainerTest, RunsOnceAnIntervalAndAfterTheLastCommit) {
  MaintenanceSettings s;
  s.interval = Duration::Seconds(600);
  s.compact_older_than = Duration::Seconds(0);
  s.expire_older_than = Duration::Seconds(0);
  s.retain_last = 2;
  TableMaintainer m(s, [this](const std::string& l) { lines_.push_back(l); });
  Append(5);
  const int64_t t0 = NowMillis() + 1000;
  m.AfterCommit({table_.get()}, t0, false);            // starts the interval
  m.AfterCommit({table_.get()}, t0 + 300'000, false);  // 5 minutes: not yet
  EXPECT_TRUE(lines_.empty());
  EXPECT_EQ(Head().snapshots.size(), 5u);

  m.AfterCommit({table_.get()}, t0 + 601'000, false);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_NE(lines_[0].find("compacted 5 data files into 1"), std::string::npos) << lines_[0];
  EXPECT_NE(lines_[1].find("expired 4 snapshots"), std::string::npos) << lines_[1];
  EXPECT_EQ(Head().snapshots.size(), 2u);
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), Head())->size(), 1u);

  Append(2);
  lines_.clear();
  m.AfterCommit({table_.get()}, t0 + 602'000, true);  // a bounded run's last commit: now
  ASSERT_FALSE(lines_.empty());
  EXPECT_NE(lines_[0].find("compacted 3 data files into 1"), std::string::npos) << lines_[0];

  TableMetadata no_gc = Head();
  no_gc.properties["gc.enabled"] = "false";
  table_->versions_.back().metadata = no_gc;
  lines_.clear();
  m.Run({table_.get()}, t0 + 603'000);
  m.Run({table_.get()}, t0 + 604'000);
  ASSERT_EQ(lines_.size(), 1u);  // said once
  EXPECT_NE(lines_[0].find("gc.enabled=false"), std::string::npos);
}

// The Parquet writer (a DuckDB instance) starts only when a compaction has files to rewrite:
// a pass over young files, the usual case after a short bounded run, starts none.
TEST_F(TableMaintainerTest, StartsTheParquetWriterOnlyForFilesToRewrite) {
  MaintenanceSettings s;
  s.compact_older_than = Duration::Seconds(300);
  TableMaintainer m(s, [this](const std::string& l) { lines_.push_back(l); });
  Append(4);
  const int64_t now = NowMillis();
  m.Run({table_.get()}, now);  // every file is younger than 5 minutes
  EXPECT_FALSE(m.writer_started());
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), Head())->size(), 4u);
  m.Run({table_.get()}, now + 301'000);
  EXPECT_TRUE(m.writer_started());
  ASSERT_FALSE(lines_.empty());
  EXPECT_NE(lines_[0].find("compacted 4 data files into 1"), std::string::npos) << lines_[0];
  EXPECT_EQ(TableScan::LiveDataFiles(table_->io(), Head())->size(), 1u);
}

TEST_F(TableMaintainerTest, DisabledDoesNothingAndSettingsAreChecked) {
  MaintenanceSettings s;
  s.enabled = false;
  s.compact_older_than = Duration::Seconds(0);
  TableMaintainer m(s, [this](const std::string& l) { lines_.push_back(l); });
  Append(3);
  m.AfterCommit({table_.get()}, NowMillis() + 10'000'000, true);
  EXPECT_TRUE(lines_.empty());
  EXPECT_EQ(Head().snapshots.size(), 3u);

  MaintenanceSettings bad;
  bad.orphans_older_than = Duration::Seconds(60);
  EXPECT_EQ(bad.Validate().kind(), StatusKind::kInvalidArgument);
  bad = MaintenanceSettings{};
  bad.retain_last = 0;
  EXPECT_EQ(bad.Validate().kind(), StatusKind::kInvalidArgument);
  EXPECT_TRUE(MaintenanceSettings{}.Validate().ok());
}

}  // namespace
}  // namespace braid
