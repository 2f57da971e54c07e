#include "catalog/rest_catalog.h"

#include <gtest/gtest.h>

#include "fake_rest_server.h"

namespace braid {
namespace {

using testing::FakeRestServer;
using Fault = FakeRestServer::CommitFault;

RowSchema Schema() { return {{"user_id", ColumnType::kString, 1}}; }

Snapshot Append(const TableMetadata& m, int64_t id) {
  Snapshot s;
  s.id = SnapshotId(id);
  if (const Snapshot* head = m.CurrentSnapshot()) s.parent_id = head->id;
  s.sequence_number = m.last_sequence_number + 1;
  s.timestamp_ms = m.last_updated_ms + 1;
  s.manifest_list = m.location + "/metadata/snap-" + std::to_string(id) + ".avro";
  s.schema_id = 0;
  s.summary = {{"operation", "append"}};
  return s;
}

class RestCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_shared<FakeRestServer>(TableMetadata::NewTable("file:///w/ns/t", Schema(), {}, 1000));
  }
  std::unique_ptr<RestCatalog> Open(PropertyMap p = {{"type", "rest"}, {"uri", "http://cat:8181"}}) {
    RestCatalogSeams seams;
    seams.transport = server_;
    seams.sleep = [](std::chrono::milliseconds) {};
    auto c = RestCatalog::Open(p, seams);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  // Loads the table, builds an append of snapshot `id`, commits it.
  Result<TableState> CommitAppend(RestCatalog& c, int64_t id) {
    auto base = c.LoadTable({"ns", "t"});
    EXPECT_TRUE(base.ok());
    TableMetadata updated = base->metadata;
    updated.AddSnapshot(Append(updated, id), base->metadata_location);
    return c.CommitTable({"ns", "t"}, *base, updated);
  }
  int CommitPosts() {
    int n = 0;
    for (const RestHttpRequest& r : server_->requests()) n += r.method == "POST" && r.url.find("/tables/t") != std::string::npos;
    return n;
  }
  std::shared_ptr<FakeRestServer> server_;
};

TEST_F(RestCatalogTest, ConfigPrefixAndPrecedenceShapeRequests) {
  server_->config = {{"defaults", {{"prefix", "p1"}, {"s3.region", "eu"}, {"scope", "def"}}},
                     {"overrides", {{"s3.endpoint", "http://server-choice"}}}};
  auto c = Open({{"type", "rest"}, {"uri", "http://cat:8181/"}, {"warehouse", "wh 1"},
                 {"s3.region", "us"}, {"s3.endpoint", "http://mine"}, {"header.X-Tenant", "blue"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(server_->requests()[0].url, "http://cat:8181/v1/config?warehouse=wh%201");
  EXPECT_EQ(c->prefix(), "p1");
  EXPECT_EQ(c->properties().at("s3.region"), "us");                       // user beats defaults
  EXPECT_EQ(c->properties().at("s3.endpoint"), "http://server-choice");   // overrides beat user
  ASSERT_TRUE(c->LoadTable({"ns", "t"}).ok());
  RestHttpRequest load = server_->requests().back();
  EXPECT_EQ(load.url, "http://cat:8181/v1/p1/namespaces/ns/tables/t");
  EXPECT_EQ(load.headers["X-Iceberg-Access-Delegation"], "vended-credentials");
  EXPECT_EQ(load.headers["X-Tenant"], "blue");
  EXPECT_FALSE(c->supports_transactions());
}

TEST_F(RestCatalogTest, NessieRefOtherThanTheDefaultBranchBecomesThePrefix) {
  server_->config = {{"defaults", {{"prefix", "main"}}}, {"overrides", {{"nessie.default-branch.name", "main"}}}};
  auto dev = Open({{"catalog-impl", "org.apache.iceberg.nessie.NessieCatalog"}, {"uri", "http://n:19120/api/v2"},
                   {"ref", "dev"}, {"warehouse", "warehouse"}});
  ASSERT_TRUE(dev);
  EXPECT_EQ(server_->requests().back().url, "http://n:19120/iceberg/v1/config?warehouse=warehouse");
  EXPECT_EQ(dev->prefix(), "dev%7Cwarehouse");
  auto main = Open({{"catalog-impl", "org.apache.iceberg.nessie.NessieCatalog"}, {"uri", "http://n:19120/api/v2"},
                    {"ref", "main"}});
  ASSERT_TRUE(main);
  EXPECT_EQ(main->prefix(), "main");
}

TEST_F(RestCatalogTest, CommitSucceedsAndReturnsTheServersMetadata) {
  auto c = Open();
  auto r = CommitAppend(*c, 11);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metadata.CurrentSnapshot()->id, SnapshotId(11));
  EXPECT_EQ(r->metadata_location, "mem://v2");
  EXPECT_EQ(server_->commits_applied(), 1);
}

TEST_F(RestCatalogTest, A500AfterTheCommitLandedIsASuccessNotARetry) {
  auto c = Open();
  server_->fault = Fault::kApplyThen500;
  auto r = CommitAppend(*c, 12);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metadata.CurrentSnapshot()->id, SnapshotId(12));
  EXPECT_EQ(server_->commits_applied(), 1);
  EXPECT_EQ(CommitPosts(), 1);
}

TEST_F(RestCatalogTest, ALostAnswerAfterTheCommitLandedIsASuccess) {
  auto c = Open();
  server_->fault = Fault::kApplyThenDrop;
  auto r = CommitAppend(*c, 13);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(server_->table().CurrentSnapshot()->id, SnapshotId(13));
  EXPECT_EQ(server_->commits_applied(), 1);
  EXPECT_EQ(CommitPosts(), 1);
}

TEST_F(RestCatalogTest, A500OrLostAnswerWithoutTheCommitIsARetriableConflict) {
  auto c = Open();
  for (Fault f : {Fault::kRefuse500, Fault::kDropBeforeApply}) {
    server_->fault = f;
    auto r = CommitAppend(*c, 14);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().kind(), StatusKind::kConflict) << r.status().ToString();
    EXPECT_TRUE(r.status().retriable());
    EXPECT_EQ(server_->commits_applied(), 0);
  }
  server_->fault = Fault::kNone;
  EXPECT_TRUE(CommitAppend(*c, 14).ok());
  EXPECT_EQ(server_->commits_applied(), 1);
}

TEST_F(RestCatalogTest, LosingTheRaceIsAConflictAndNothingIsOverwritten) {
  auto c = Open();
  auto base = c->LoadTable({"ns", "t"});
  ASSERT_TRUE(CommitAppend(*c, 21).ok());  // another writer
  TableMetadata updated = base->metadata;
  updated.AddSnapshot(Append(updated, 22), base->metadata_location);
  auto r = c->CommitTable({"ns", "t"}, *base, updated);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kConflict);
  EXPECT_NE(r.status().message().find("branch main has changed"), std::string::npos);
  EXPECT_EQ(server_->table().CurrentSnapshot()->id, SnapshotId(21));
}

TEST_F(RestCatalogTest, TablesUseTheirVendedConfigForFiles) {
  server_->table_config = {{"s3.access-key-id", "vended"}};
  auto c = Open();
  ASSERT_TRUE(c->LoadTable({"ns", "t"}).ok());
  // Local files still open through the local file system with the merged properties.
  EXPECT_TRUE(c->FileSystemFor("file:///w/ns/t/data/x.parquet").ok());
  auto other = c->FileSystemFor("gs://bucket/x");
  EXPECT_FALSE(other.ok());
}

// Two processes creating the same table: a database-backed REST server may answer the loser's
// create (and namespace create) with 500. The table exists: use it, do not fail the run.
TEST_F(RestCatalogTest, A500ToACreateThatLostARaceLoadsTheTableThatWon) {
  auto c = Open();
  ASSERT_TRUE(c);
  bool created_elsewhere = false;
  int busy_loads = 0;
  server_->intercept = [&](const RestHttpRequest& r) -> Result<RestHttpResponse> {
    const std::string err500 = R"({"error":{"message":"Unknown failure","type":"UncheckedSQLException","code":500}})";
    if (r.method == "GET" && r.url.ends_with("/namespaces/ns/tables/t") && !created_elsewhere) {
      return RestHttpResponse{404, R"({"error":{"message":"no such table","type":"NoSuchTableException","code":404}})"};
    }
    // Its database still busy with the other create: the first load after it fails too.
    if (r.method == "GET" && r.url.ends_with("/namespaces/ns/tables/t") && busy_loads++ == 0) {
      return RestHttpResponse{500, err500};
    }
    if (r.method == "GET" && r.url.ends_with("/namespaces/ns")) return RestHttpResponse{200, R"({"namespace":["ns"]})"};
    if (r.method == "POST" && r.url.ends_with("/namespaces")) return RestHttpResponse{500, err500};
    if (r.method == "POST" && r.url.ends_with("/namespaces/ns/tables")) {
      created_elsewhere = true;
      return RestHttpResponse{500, err500};
    }
    return RestHttpResponse{0, ""};
  };
  auto t = c->CreateTable({"ns", "t"}, Schema(), {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->metadata.table_uuid, server_->table().table_uuid);
}

TEST_F(RestCatalogTest, A500ToACreateWhenNoTableExistsIsStillAnError) {
  auto c = Open();
  ASSERT_TRUE(c);
  server_->intercept = [&](const RestHttpRequest& r) -> Result<RestHttpResponse> {
    if (r.method == "GET" && r.url.ends_with("/namespaces/ns/tables/t")) {
      return RestHttpResponse{404, R"({"error":{"message":"no such table","type":"NoSuchTableException","code":404}})"};
    }
    if (r.method == "POST" && r.url.ends_with("/namespaces")) return RestHttpResponse{200, "{}"};
    if (r.method == "POST" && r.url.ends_with("/namespaces/ns/tables")) {
      return RestHttpResponse{500, R"({"error":{"message":"disk full","type":"ServerError","code":500}})"};
    }
    return RestHttpResponse{0, ""};
  };
  auto t = c->CreateTable({"ns", "t"}, Schema(), {});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("creating table ns.t"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find("disk full"), std::string::npos) << t.status().message();
}

TEST_F(RestCatalogTest, UnreachableCatalogIsOneLineNamingTheUri) {
  server_->intercept = [](const RestHttpRequest&) -> Result<RestHttpResponse> {
    return Status::Unavailable("GET http://cat:8181/v1/config: Couldn't connect to server");
  };
  RestCatalogSeams seams;
  seams.transport = server_;
  seams.sleep = [](std::chrono::milliseconds) {};
  auto c = RestCatalog::Open({{"type", "rest"}, {"uri", "http://cat:8181"}, {"token", "hush"}}, seams);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().kind(), StatusKind::kUnavailable);
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("cannot reach the REST catalog at http://cat:8181"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_EQ(m.find("hush"), std::string::npos);
  EXPECT_EQ(server_->requests().size(), 4u);  // retried: it never left
}

}  // namespace
}  // namespace braid
