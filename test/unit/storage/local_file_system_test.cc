#include "storage/local_file_system.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "storage/location.h"
#include "storage/temp_dir.h"

namespace braid {
namespace {

TEST(Location, LocalPathAcceptsTheFormsIcebergWritersUse) {
  EXPECT_EQ(*LocalPath("file:///a/b.json"), "/a/b.json");
  EXPECT_EQ(*LocalPath("file:/a/b.json"), "/a/b.json");  // Java's Path.toUri() form
  EXPECT_EQ(*LocalPath("file://localhost/a/b"), "/a/b");
  EXPECT_EQ(*LocalPath("/a/b"), "/a/b");
  EXPECT_EQ(LocalPath("file://otherhost/a").status().kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(LocalPath("s3://bucket/key").status().kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(LocalPath("file:relative").status().kind(), StatusKind::kInvalidArgument);
}

TEST(Location, JoinsAndSplits) {
  EXPECT_EQ(FileUri("/w/t"), "file:///w/t");
  EXPECT_EQ(JoinLocation("file:///w/", "/t"), "file:///w/t");
  EXPECT_EQ(BaseName("file:///w/t/metadata/v3.metadata.json"), "v3.metadata.json");
  EXPECT_EQ(ParentLocation("file:///w/t/metadata/v3.metadata.json"), "file:///w/t/metadata");
  EXPECT_TRUE(IsLocalLocation("/x"));
  EXPECT_TRUE(IsLocalLocation("file:///x"));
  EXPECT_FALSE(IsLocalLocation("s3://b/x"));
}

TEST(FileSystemFor, LocalForFileUrisAndUnknownSchemesRefused) {
  EXPECT_TRUE(FileSystemFor("file:///tmp").ok());
  EXPECT_EQ(FileSystemFor("ftp://host/w").status().kind(), StatusKind::kInvalidArgument);
}

TEST(LocalFileSystem, WritesReadsAndReplaces) {
  TempDir dir;
  LocalFileSystem fs;
  std::string f = JoinLocation(dir.uri(), "a.txt");
  EXPECT_EQ(fs.ReadFile(f).status().kind(), StatusKind::kNotFound);
  EXPECT_FALSE(*fs.Exists(f));
  ASSERT_TRUE(fs.WriteFile(f, "one").ok());
  EXPECT_EQ(*fs.ReadFile(f), "one");
  ASSERT_TRUE(fs.WriteFile(f, "second").ok());
  EXPECT_EQ(*fs.ReadFile(f), "second");
  EXPECT_EQ(*fs.FileSize(f), 6u);
  // No temporary files remain next to it.
  auto listing = fs.List(dir.uri());
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->size(), 1u);
  EXPECT_EQ((*listing)[0].name, "a.txt");
  EXPECT_FALSE((*listing)[0].is_directory);
}

TEST(LocalFileSystem, CreateExclusiveFailsWhenTheFileExists) {
  TempDir dir;
  LocalFileSystem fs;
  std::string f = JoinLocation(dir.uri(), "v2.metadata.json");
  ASSERT_TRUE(fs.CreateFileExclusive(f, "first").ok());
  Status st = fs.CreateFileExclusive(f, "second");
  EXPECT_EQ(st.kind(), StatusKind::kAlreadyExists) << st.ToString();
  EXPECT_EQ(*fs.ReadFile(f), "first");
  EXPECT_EQ(fs.List(dir.uri())->size(), 1u);
}

TEST(LocalFileSystem, ExactlyOneOfManyConcurrentCreatorsWins) {
  TempDir dir;
  LocalFileSystem fs;
  std::string f = JoinLocation(dir.uri(), "v7.metadata.json");
  std::vector<std::thread> threads;
  std::atomic<int> wins{0}, losses{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      Status st = fs.CreateFileExclusive(f, std::string(1000, static_cast<char>('a' + i)));
      (st.ok() ? wins : losses)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(losses, 7);
  std::string content = *fs.ReadFile(f);
  EXPECT_EQ(content.size(), 1000u);
  EXPECT_EQ(content, std::string(1000, content[0]));  // one writer's complete content
}

TEST(LocalFileSystem, DirectoriesAndDeletes) {
  TempDir dir;
  LocalFileSystem fs;
  std::string sub = JoinLocation(dir.uri(), "x/y/z");
  ASSERT_TRUE(fs.CreateDirectories(sub).ok());
  ASSERT_TRUE(fs.WriteFile(JoinLocation(sub, "f"), "1").ok());
  ASSERT_TRUE(fs.WriteFile(JoinLocation(dir.uri(), "x/b"), "1").ok());
  ASSERT_TRUE(fs.WriteFile(JoinLocation(dir.uri(), "x/a"), "1").ok());
  auto listing = fs.List(JoinLocation(dir.uri(), "x"));
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->size(), 3u);
  EXPECT_EQ((*listing)[0].name, "a");
  EXPECT_EQ((*listing)[2].name, "y");
  EXPECT_TRUE((*listing)[2].is_directory);
  EXPECT_TRUE(fs.DeleteFile(JoinLocation(dir.uri(), "x/a")).ok());
  EXPECT_TRUE(fs.DeleteFile(JoinLocation(dir.uri(), "x/a")).ok());  // already gone: fine
  EXPECT_TRUE(fs.DeleteRecursively(JoinLocation(dir.uri(), "x")).ok());
  EXPECT_FALSE(*fs.Exists(JoinLocation(dir.uri(), "x")));
  EXPECT_EQ(fs.List(JoinLocation(dir.uri(), "x")).status().kind(), StatusKind::kNotFound);
}

TEST(LocalFileSystem, FinishLocalWriteSyncsInPlaceOrMoves) {
  TempDir dir;
  LocalFileSystem fs;
  std::string target = JoinLocation(dir.uri(), "data/f.parquet");
  ASSERT_TRUE(fs.CreateDirectories(JoinLocation(dir.uri(), "data")).ok());
  std::string local = *fs.LocalPathForWrite(target);
  EXPECT_EQ(local, dir.path() + "/data/f.parquet");
  ASSERT_TRUE(fs.WriteFile(local, "PAR1").ok());
  EXPECT_TRUE(fs.FinishLocalWrite(local, target).ok());
  std::string other = dir.path() + "/elsewhere";
  ASSERT_TRUE(fs.WriteFile(other, "moved").ok());
  std::string target2 = JoinLocation(dir.uri(), "data/g.parquet");
  ASSERT_TRUE(fs.FinishLocalWrite(other, target2).ok());
  EXPECT_EQ(*fs.ReadFile(target2), "moved");
  EXPECT_FALSE(*fs.Exists(other));
}

}  // namespace
}  // namespace braid
