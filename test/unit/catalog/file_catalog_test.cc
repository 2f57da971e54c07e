#include "catalog/file_catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/local_file_system.h"
#include "storage/location.h"
#include "storage/temp_dir.h"
#include "table/random_ids.h"
#include "table/snapshot_summary.h"
#include "table/table_appender.h"
#include "table/table_scan.h"

namespace braid {
namespace {

RowSchema Schema() {
  return {{"user_id", ColumnType::kString, 1}, {"purchase_amount", ColumnType::kDouble, 2}};
}

RowBatch Rows(int n, int offset) {
  RowBatch b(Schema());
  for (int i = 0; i < n; ++i) {
    b.AppendString("u" + std::to_string(offset + i));
    b.AppendDouble(offset + i);
    b.EndRow();
  }
  return b;
}

class FileCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = FileCatalog::Open(dir_.path() + "/warehouse");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
  }
  std::string Read(const std::string& location) { return *fs_.ReadFile(location); }

  TempDir dir_;
  LocalFileSystem fs_;
  std::unique_ptr<FileCatalog> catalog_;
  const TableIdentifier id_{"demo", "unified_activity"};
};

TEST_F(FileCatalogTest, CreatesListsLoadsAndDropsTables) {
  EXPECT_EQ(catalog_->warehouse(), "file://" + dir_.path() + "/warehouse");
  EXPECT_TRUE(catalog_->ListNamespaces()->empty());
  EXPECT_EQ(catalog_->ListTables("demo").status().kind(), StatusKind::kNotFound);
  EXPECT_EQ(catalog_->LoadTable(id_).status().kind(), StatusKind::kNotFound);

  Result<TableState> created = catalog_->CreateTable(id_, Schema(), {{"owner", "braid"}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::string table_dir = catalog_->warehouse() + "/demo/unified_activity";
  EXPECT_EQ(created->metadata_location, table_dir + "/metadata/v1.metadata.json");
  EXPECT_EQ(created->metadata.location, table_dir);
  EXPECT_EQ(Read(table_dir + "/metadata/version-hint.text"), "1");  // no newline

  // Creating again returns the existing table.
  Result<TableState> again = catalog_->CreateTable(id_, Schema());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->metadata.table_uuid, created->metadata.table_uuid);

  ASSERT_TRUE(catalog_->CreateNamespace("empty_ns").ok());
  ASSERT_TRUE(catalog_->CreateNamespace("empty_ns").ok());
  EXPECT_EQ(*catalog_->ListNamespaces(), (std::vector<std::string>{"demo", "empty_ns"}));
  EXPECT_EQ(catalog_->ListTables("demo")->size(), 1u);
  EXPECT_EQ(catalog_->ListTables("demo")->at(0), id_);
  EXPECT_TRUE(catalog_->ListTables("empty_ns")->empty());

  Result<TableState> loaded = catalog_->LoadTable(id_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->metadata.properties.at("owner"), "braid");
  EXPECT_EQ(loaded->metadata_location, created->metadata_location);

  ASSERT_TRUE(catalog_->DropTable(id_).ok());
  EXPECT_EQ(catalog_->LoadTable(id_).status().kind(), StatusKind::kNotFound);
  EXPECT_FALSE(*fs_.Exists(table_dir));
  EXPECT_EQ(catalog_->DropTable(id_).kind(), StatusKind::kNotFound);
}

TEST_F(FileCatalogTest, RejectsNamesThatAreNotDirectoryNames) {
  for (const char* bad : {"", ".", "..", "a/b", ".hidden"}) {
    EXPECT_EQ(catalog_->CreateTable({"demo", bad}, Schema()).status().kind(), StatusKind::kInvalidArgument) << bad;
    EXPECT_EQ(catalog_->CreateNamespace(bad).kind(), StatusKind::kInvalidArgument) << bad;
  }
  EXPECT_EQ(TableIdentifier::Parse("nodot").status().kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(TableIdentifier::Parse("demo.t")->name, "t");
}

TEST_F(FileCatalogTest, TwoWritersOnTheSameBaseOneWinsTheOtherRetries) {
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  auto table_a = catalog_->OpenTable(id_);
  auto table_b = catalog_->OpenTable(id_);
  ASSERT_TRUE(table_a.ok() && table_b.ok());
  auto appender = TableAppender::Create();
  ASSERT_TRUE(appender.ok());

  // Both writers prepare a commit on version 1.
  TableState base = *(*table_a)->Refresh();
  RowBatch a = Rows(3, 0), b = Rows(4, 100);
  DataFile file_a = *(*appender)->WriteDataFile(**table_a, base, a);
  DataFile file_b = *(*appender)->WriteDataFile(**table_b, base, b);
  auto updated = [&](SnapshotId id, const DataFile&) {
    TableMetadata m = base.metadata;
    Snapshot s;
    s.id = id;
    s.sequence_number = 1;
    s.timestamp_ms = NowMillis();
    s.manifest_list = base.metadata.location + "/metadata/unused.avro";
    s.summary = {{"operation", "append"}};
    m.AddSnapshot(s, base.metadata_location);
    return m;
  };
  Result<TableState> first = catalog_->CommitTable(id_, base, updated(SnapshotId(1), file_a));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->metadata_location.ends_with("/v2.metadata.json"));
  EXPECT_EQ(Read(catalog_->TableLocation(id_) + "/metadata/version-hint.text"), "2");
  Result<TableState> second = catalog_->CommitTable(id_, base, updated(SnapshotId(2), file_b));
  EXPECT_EQ(second.status().kind(), StatusKind::kConflict);
  EXPECT_TRUE(second.status().retriable());
  EXPECT_NE(second.status().message().find("demo.unified_activity"), std::string::npos);
  // The loser's attempt left version 2 as the winner wrote it.
  EXPECT_EQ(catalog_->LoadTable(id_)->metadata.CurrentSnapshot()->id, SnapshotId(1));

  // Through the appender, the loser's retry lands on top of the winner: both are present.
  ASSERT_TRUE(catalog_->DropTable(id_).ok());
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  auto ta = catalog_->OpenTable(id_);
  auto tb = catalog_->OpenTable(id_);
  TableState base2 = *(*ta)->Refresh();
  DataFile fa = *(*appender)->WriteDataFile(**ta, base2, a);
  DataFile fb = *(*appender)->WriteDataFile(**tb, base2, b);
  Result<AppendResult> ra = (*appender)->Commit(**ta, {fa}, CommitRequest{{{"braid.pipeline-id", "a"}}});
  Result<AppendResult> rb = (*appender)->Commit(**tb, {fb}, CommitRequest{{{"braid.pipeline-id", "b"}}});
  ASSERT_TRUE(ra.ok() && rb.ok());
  TableState now = *catalog_->LoadTable(id_);
  EXPECT_EQ(now.metadata.snapshots.size(), 2u);
  EXPECT_EQ(*now.metadata.CurrentSnapshot()->parent_id, ra->snapshot_id);
  EXPECT_EQ(now.metadata.CurrentSnapshot()->summary.at("total-records"), "7");
  EXPECT_EQ(TableScan::LiveDataFiles(fs_, now.metadata)->size(), 2u);
}

TEST_F(FileCatalogTest, ConcurrentAppendersAllLand) {
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  constexpr int kWriters = 4, kCommits = 3;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto table = catalog_->OpenTable(id_);
      auto appender = TableAppender::Create({.max_attempts = 50, .writer = {.threads = 1}});
      if (!table.ok() || !appender.ok()) { ++failures; return; }
      for (int c = 0; c < kCommits; ++c) {
        RowBatch rows = Rows(2, w * 100 + c * 10);
        auto r = (*appender)->Append(**table, {&rows},
                                     CommitRequest{{{"braid.pipeline-id", "w" + std::to_string(w)},
                                                    {"braid.commit-seq", std::to_string(c)}}});
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  TableState now = *catalog_->LoadTable(id_);
  EXPECT_EQ(now.metadata.snapshots.size(), static_cast<size_t>(kWriters * kCommits));
  EXPECT_EQ(now.metadata.last_sequence_number, kWriters * kCommits);
  EXPECT_EQ(now.metadata.CurrentSnapshot()->summary.at("total-records"), std::to_string(2 * kWriters * kCommits));
  EXPECT_EQ(TableScan::LiveDataFiles(fs_, now.metadata)->size(), static_cast<size_t>(kWriters * kCommits));
  for (int w = 0; w < kWriters; ++w) {
    std::string id = "w" + std::to_string(w);
    const Snapshot* newest = FindSnapshotSummary(now.metadata, [&](const Snapshot& s) {
      auto it = s.summary.find("braid.pipeline-id");
      return it != s.summary.end() && it->second == id;
    });
    ASSERT_NE(newest, nullptr) << id;
    EXPECT_EQ(newest->summary.at("braid.commit-seq"), std::to_string(kCommits - 1));
  }
}

TEST_F(FileCatalogTest, LoadsTheNewestVersionDespiteAStaleOrMissingHint) {
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  auto table = catalog_->OpenTable(id_);
  auto appender = TableAppender::Create();
  RowBatch rows = Rows(1, 0);
  ASSERT_TRUE((*appender)->Append(**table, {&rows}, {}).ok());
  ASSERT_TRUE((*appender)->Append(**table, {&rows}, {}).ok());
  std::string hint = catalog_->TableLocation(id_) + "/metadata/version-hint.text";
  EXPECT_EQ(Read(hint), "3");
  // A writer that crashed before rewriting the hint.
  ASSERT_TRUE(fs_.WriteFile(hint, "2\n").ok());
  EXPECT_TRUE(catalog_->LoadTable(id_)->metadata_location.ends_with("/v3.metadata.json"));
  ASSERT_TRUE(fs_.WriteFile(hint, "garbage").ok());
  EXPECT_TRUE(catalog_->LoadTable(id_)->metadata_location.ends_with("/v3.metadata.json"));
  ASSERT_TRUE(fs_.DeleteFile(hint).ok());
  EXPECT_TRUE(catalog_->LoadTable(id_)->metadata_location.ends_with("/v3.metadata.json"));
  EXPECT_EQ(catalog_->ListTables("demo")->size(), 1u);
  // A commit from the stale base fails, the next from the fresh base succeeds.
  ASSERT_TRUE((*appender)->Append(**table, {&rows}, {}).ok());
  EXPECT_EQ(Read(hint), "4");
}

// A local file system that fails chosen operations, to see what a failure at each step of a
// commit leaves behind.
class FaultyFileSystem final : public FileSystem {
 public:
  std::string fail_write_containing;      // WriteFile of a matching location fails
  std::string fail_create_containing;     // CreateFileExclusive of a matching location fails

  Result<std::string> ReadFile(const std::string& l) override { return local_.ReadFile(l); }
  Result<uint64_t> FileSize(const std::string& l) override { return local_.FileSize(l); }
  Result<bool> Exists(const std::string& l) override { return local_.Exists(l); }
  Status WriteFile(const std::string& l, std::string_view d) override {
    if (!fail_write_containing.empty() && l.find(fail_write_containing) != std::string::npos) {
      return Status::IoError("injected: disk full writing " + l);
    }
    return local_.WriteFile(l, d);
  }
  Status CreateFileExclusive(const std::string& l, std::string_view d) override {
    if (!fail_create_containing.empty() && l.find(fail_create_containing) != std::string::npos) {
      return Status::IoError("injected: disk full creating " + l);
    }
    return local_.CreateFileExclusive(l, d);
  }
  Result<std::string> LocalPathForWrite(const std::string& l) override { return local_.LocalPathForWrite(l); }
  Status FinishLocalWrite(const std::string& p, const std::string& l) override { return local_.FinishLocalWrite(p, l); }
  Status DeleteFile(const std::string& l) override { return local_.DeleteFile(l); }
  Result<std::vector<FileInfo>> List(const std::string& l) override { return local_.List(l); }
  Status CreateDirectories(const std::string& l) override { return local_.CreateDirectories(l); }
  Status DeleteRecursively(const std::string& l) override { return local_.DeleteRecursively(l); }
  bool honours_exclusive_create = true;
  Result<bool> SupportsExclusiveCreate(const std::string&) override { return honours_exclusive_create; }
  std::string StoreName() const override { return "http://store.test:9000"; }

 private:
  LocalFileSystem local_;
};

TEST_F(FileCatalogTest, FailuresDuringACommitLeaveTheTableConsistent) {
  auto fs = std::make_shared<FaultyFileSystem>();
  auto catalog = FileCatalog::Open(dir_.path() + "/faulty", "faulty", fs);
  ASSERT_TRUE(catalog.ok());
  ASSERT_TRUE((*catalog)->CreateTable(id_, Schema()).ok());
  auto table = (*catalog)->OpenTable(id_);
  auto appender = TableAppender::Create();
  RowBatch rows = Rows(2, 0);

  // The new metadata version cannot be created: the commit fails and nothing changed.
  fs->fail_create_containing = "v2.metadata.json";
  Result<AppendResult> failed = (*appender)->Append(**table, {&rows}, {});
  EXPECT_EQ(failed.status().kind(), StatusKind::kIoError);
  EXPECT_TRUE((*catalog)->LoadTable(id_)->metadata.snapshots.empty());

  // The version hint cannot be rewritten: the commit still happened and readers find it.
  fs->fail_create_containing.clear();
  fs->fail_write_containing = "version-hint.text";
  Result<AppendResult> ok = (*appender)->Append(**table, {&rows}, CommitRequest{{{"braid.commit-seq", "1"}}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Read((*catalog)->TableLocation(id_) + "/metadata/version-hint.text"), "1");
  TableState now = *(*catalog)->LoadTable(id_);
  EXPECT_TRUE(now.metadata_location.ends_with("/v2.metadata.json"));
  EXPECT_EQ(now.metadata.CurrentSnapshot()->summary.at("braid.commit-seq"), "1");
  fs->fail_write_containing.clear();
  ASSERT_TRUE((*appender)->Append(**table, {&rows}, {}).ok());
  EXPECT_EQ(Read((*catalog)->TableLocation(id_) + "/metadata/version-hint.text"), "3");
}

TEST_F(FileCatalogTest, OpensFromProperties) {
  EXPECT_EQ(OpenCatalog({{"type", "rest"}}).status().kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(OpenCatalog({{"type", "file"}}).status().kind(), StatusKind::kInvalidArgument);
  auto c = OpenCatalog({{"type", "file"}, {"warehouse", "file://" + dir_.path() + "/w2"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->name(), "braid");
  EXPECT_TRUE(*fs_.Exists(dir_.path() + "/w2"));
}

}  // namespace
}  // namespace braid

namespace braid {
namespace {

// braid sql / table describe with a mistyped --warehouse created an empty warehouse and then
// said "no such table".
TEST(FileCatalogOpenTest, ReadOnlyNeverCreatesTheWarehouse) {
  TempDir dir;
  const std::string missing = dir.path() + "/no/such/warehouse";
  for (const std::string& wh : {missing, "file://" + missing}) {
    auto c = OpenCatalog({{"type", "file"}, {"warehouse", wh}}, CatalogAccess::kReadOnly);
    ASSERT_FALSE(c.ok()) << wh;
    EXPECT_EQ(c.status().kind(), StatusKind::kNotFound);
    EXPECT_EQ(c.status().message().find("warehouse directory " + wh + " does not exist;"), 0u)
        << c.status().message();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/no"));
  // An existing warehouse opens read-only and reads; writing commands still create theirs.
  ASSERT_TRUE(OpenCatalog({{"warehouse", missing}}).ok());
  EXPECT_TRUE(std::filesystem::is_directory(missing));
  auto c = OpenCatalog({{"warehouse", missing}}, CatalogAccess::kReadOnly);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE((*c)->ListNamespaces()->empty());
}

TEST(FileCatalogOpenTest, RefusesAStoreWithoutAtomicCreate) {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  fs->honours_exclusive_create = false;
  auto catalog = FileCatalog::Open(dir.path() + "/wh", "c", fs);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(catalog.status().message(),
            "the file catalog needs atomic create-if-absent, which http://store.test:9000 does not honour: "
            "use a sql or rest catalog");
}

TEST(FileCatalogOpenTest, AnS3WarehouseNeverBecomesALocalDirectory) {
  TempDir dir;
  std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  // A typo'd scheme and an unreachable S3 endpoint both fail; neither leaves ./s3: behind.
  auto typo = OpenCatalog({{"warehouse", "s3:/bkt/wh"}});
  auto unreachable = OpenCatalog({{"warehouse", "s3://bkt/wh"}, {"s3.endpoint", "http://127.0.0.1:1"},
                                  {"s3.access-key-id", "k"}, {"s3.secret-access-key", "not-printed-9f"},
                                  {"s3.retry.num-retries", "1"}, {"s3.retry.min-wait-ms", "1"}});
  bool leaked = std::filesystem::exists(dir.path() + "/s3:") || std::filesystem::exists(dir.path() + "/s3");
  std::filesystem::current_path(cwd);
  EXPECT_EQ(typo.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(typo.status().message().find("s3:/bkt/wh"), std::string::npos);
  ASSERT_FALSE(unreachable.ok());
  EXPECT_NE(unreachable.status().message().find("http://127.0.0.1:1"), std::string::npos);
  EXPECT_EQ(unreachable.status().message().find("not-printed-9f"), std::string::npos);
  EXPECT_FALSE(leaked);
}

}  // namespace
}  // namespace braid
