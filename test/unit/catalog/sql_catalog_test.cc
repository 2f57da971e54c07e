#include "catalog/sql_catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "catalog/sql_uri.h"
#include "catalog/sqlite_backend.h"
#include "storage/local_file_system.h"
#include "storage/temp_dir.h"
#include "table/random_ids.h"
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

// Rows of a query on the catalog database, through a connection of the test's own.
std::vector<std::vector<std::string>> Select(const std::string& db_path, const std::string& sql) {
  auto backend = SqliteBackend::Open(db_path);
  EXPECT_TRUE(backend.ok());
  auto rows = (*backend)->Query(sql, {});
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::vector<std::string>> out;
  for (const SqlRow& r : *rows) {
    std::vector<std::string> row;
    for (const SqlValue& v : r) row.push_back(v.value_or("NULL"));
    out.push_back(row);
  }
  return out;
}

class SqlCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { catalog_ = Open(); }

  std::map<std::string, std::string> Properties() {
    return {{"type", "sql"}, {"uri", "sqlite:///" + db_}, {"warehouse", dir_.path() + "/wh"}};
  }
  std::unique_ptr<SqlCatalog> Open() {
    auto c = SqlCatalog::Open(Properties());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  TempDir dir_;
  std::string db_ = dir_.path() + "/catalog.db";
  LocalFileSystem fs_;
  std::unique_ptr<SqlCatalog> catalog_;
  const TableIdentifier id_{"demo", "unified_activity"};
};

TEST_F(SqlCatalogTest, CreatesTheJdbcCatalogTables) {
  auto columns = Select(db_, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('iceberg_tables')");
  EXPECT_EQ(columns, (std::vector<std::vector<std::string>>{
                         {"catalog_name", "VARCHAR(255)", "1", "1"},
                         {"table_namespace", "VARCHAR(255)", "1", "2"},
                         {"table_name", "VARCHAR(255)", "1", "3"},
                         {"metadata_location", "VARCHAR(1000)", "0", "0"},
                         {"previous_metadata_location", "VARCHAR(1000)", "0", "0"},
                         {"iceberg_type", "VARCHAR(5)", "0", "0"}}));
  columns = Select(db_, "SELECT name, pk FROM pragma_table_info('iceberg_namespace_properties')");
  EXPECT_EQ(columns, (std::vector<std::vector<std::string>>{
                         {"catalog_name", "1"}, {"namespace", "2"}, {"property_key", "3"}, {"property_value", "0"}}));
  EXPECT_TRUE(catalog_->has_type_column());
  EXPECT_EQ(catalog_->name(), "default");
  EXPECT_EQ(catalog_->warehouse(), "file://" + dir_.path() + "/wh");
}

TEST_F(SqlCatalogTest, CreatesListsLoadsAndDropsTables) {
  EXPECT_TRUE(catalog_->ListNamespaces()->empty());
  EXPECT_EQ(catalog_->ListTables("demo").status().kind(), StatusKind::kNotFound);
  EXPECT_EQ(catalog_->LoadTable(id_).status().kind(), StatusKind::kNotFound);

  Result<TableState> created = catalog_->CreateTable(id_, Schema(), {{"owner", "braid"}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::string table_dir = "file://" + dir_.path() + "/wh/demo/unified_activity";
  EXPECT_EQ(created->metadata.location, table_dir);
  EXPECT_TRUE(created->metadata_location.starts_with(table_dir + "/metadata/00000-"));
  EXPECT_TRUE(*fs_.Exists(created->metadata_location));
  EXPECT_EQ(SqlMetadataVersion(created->metadata_location), 0);
  // The row, as pyiceberg and Java write it; the namespace got pyiceberg's exists=true.
  EXPECT_EQ(Select(db_, "SELECT catalog_name, table_namespace, table_name, metadata_location, "
                        "previous_metadata_location, iceberg_type FROM iceberg_tables"),
            (std::vector<std::vector<std::string>>{
                {"default", "demo", "unified_activity", created->metadata_location, "NULL", "TABLE"}}));
  EXPECT_EQ(Select(db_, "SELECT namespace, property_key, property_value FROM iceberg_namespace_properties"),
            (std::vector<std::vector<std::string>>{{"demo", "exists", "true"}}));

  Result<TableState> again = catalog_->CreateTable(id_, Schema());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->metadata.table_uuid, created->metadata.table_uuid);

  ASSERT_TRUE(catalog_->CreateNamespace("empty_ns").ok());
  ASSERT_TRUE(catalog_->CreateNamespace("empty_ns").ok());
  EXPECT_EQ(*catalog_->ListNamespaces(), (std::vector<std::string>{"demo", "empty_ns"}));
  EXPECT_EQ(*catalog_->ListTables("demo"), (std::vector<TableIdentifier>{id_}));
  EXPECT_TRUE(catalog_->ListTables("empty_ns")->empty());

  // A second catalog object on the same database sees the same table.
  auto other = Open();
  Result<TableState> loaded = other->LoadTable(id_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->metadata.properties.at("owner"), "braid");
  EXPECT_EQ(loaded->metadata_location, created->metadata_location);

  ASSERT_TRUE(catalog_->DropTable(id_).ok());
  EXPECT_EQ(catalog_->LoadTable(id_).status().kind(), StatusKind::kNotFound);
  EXPECT_FALSE(*fs_.Exists(table_dir));
  EXPECT_EQ(catalog_->DropTable(id_).kind(), StatusKind::kNotFound);
  EXPECT_TRUE(Select(db_, "SELECT * FROM iceberg_tables").empty());
}

TEST_F(SqlCatalogTest, CatalogNamesKeepTheirRowsApart) {
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  auto props = Properties();
  props["name"] = "other";
  auto other = SqlCatalog::Open(props);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->ListNamespaces()->empty());
  Status missing = (*other)->LoadTable(id_).status();
  EXPECT_EQ(missing.kind(), StatusKind::kNotFound);
  // The message tells which name holds the table.
  EXPECT_NE(missing.message().find("name=default"), std::string::npos) << missing.message();
}

TEST_F(SqlCatalogTest, CommitsNumberMetadataFilesAndLoseStaleBasesWithConflict) {
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  auto second = Open();  // another writer on the same database file
  TableState base = *catalog_->LoadTable(id_);
  ASSERT_EQ(second->LoadTable(id_)->metadata_location, base.metadata_location);
  auto updated = [&](SnapshotId id) {
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
  Result<TableState> won = catalog_->CommitTable(id_, base, updated(SnapshotId(1)));
  ASSERT_TRUE(won.ok()) << won.status().ToString();
  EXPECT_EQ(SqlMetadataVersion(won->metadata_location), 1);
  EXPECT_TRUE(won->metadata_location.starts_with(base.metadata.location + "/metadata/00001-"));
  EXPECT_EQ(Select(db_, "SELECT metadata_location, previous_metadata_location FROM iceberg_tables"),
            (std::vector<std::vector<std::string>>{{won->metadata_location, base.metadata_location}}));

  size_t files_before = fs_.List(base.metadata.location + "/metadata")->size();
  Result<TableState> lost = second->CommitTable(id_, base, updated(SnapshotId(2)));
  EXPECT_EQ(lost.status().kind(), StatusKind::kConflict);
  EXPECT_TRUE(lost.status().retriable());
  EXPECT_NE(lost.status().message().find("demo.unified_activity"), std::string::npos);
  // The loser's metadata file was removed; the winner's commit stands.
  EXPECT_EQ(fs_.List(base.metadata.location + "/metadata")->size(), files_before);
  EXPECT_EQ(second->LoadTable(id_)->metadata.CurrentSnapshot()->id, SnapshotId(1));

  // A commit on the fresh base succeeds and counts on.
  TableState fresh = *second->LoadTable(id_);
  TableMetadata next = fresh.metadata;
  Snapshot s = *fresh.metadata.CurrentSnapshot();
  s.id = SnapshotId(3);
  s.parent_id = SnapshotId(1);
  s.sequence_number = 2;
  next.AddSnapshot(s, fresh.metadata_location);
  Result<TableState> third = second->CommitTable(id_, fresh, next);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(SqlMetadataVersion(third->metadata_location), 2);

  // A dropped table cannot be committed to.
  ASSERT_TRUE(catalog_->DropTable(id_).ok());
  EXPECT_EQ(second->CommitTable(id_, *third, next).status().kind(), StatusKind::kNotFound);
}

TEST_F(SqlCatalogTest, AppendersInTwoCatalogsBothLand) {
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  auto second = Open();
  constexpr int kCommits = 4;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (SqlCatalog* c : {catalog_.get(), second.get()}) {
    threads.emplace_back([&, c] {
      auto table = c->OpenTable(id_);
      auto appender = TableAppender::Create({.max_attempts = 50, .writer = {.threads = 1}});
      if (!table.ok() || !appender.ok()) { ++failures; return; }
      for (int i = 0; i < kCommits; ++i) {
        RowBatch rows = Rows(3, i * 10);
        if (!(*appender)->Append(**table, {&rows}, {}).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  TableState now = *catalog_->LoadTable(id_);
  EXPECT_EQ(now.metadata.snapshots.size(), static_cast<size_t>(2 * kCommits));
  EXPECT_EQ(now.metadata.CurrentSnapshot()->summary.at("total-records"), std::to_string(3 * 2 * kCommits));
  EXPECT_EQ(SqlMetadataVersion(now.metadata_location), 2 * kCommits);
  EXPECT_EQ(TableScan::LiveDataFiles(fs_, now.metadata)->size(), static_cast<size_t>(2 * kCommits));
}

TEST_F(SqlCatalogTest, ACommitWaitsForAnotherProcesssWriteLock) {
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  auto table = catalog_->OpenTable(id_);
  auto appender = TableAppender::Create();
  ASSERT_TRUE(table.ok() && appender.ok());
  // Another connection (as another braid or pyiceberg would) holds the write lock for a while.
  auto other = SqliteBackend::Open(db_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Begin().ok());
  ASSERT_TRUE((*other)->Execute("INSERT INTO iceberg_namespace_properties VALUES "
                                "('default', 'locked', 'exists', 'true')", {}).ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    EXPECT_TRUE((*other)->Commit().ok());
  });
  RowBatch rows = Rows(5, 0);
  auto start = std::chrono::steady_clock::now();
  Result<AppendResult> r = (*appender)->Append(**table, {&rows}, {});
  auto waited = std::chrono::steady_clock::now() - start;
  release.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(waited, std::chrono::milliseconds(500));  // it waited rather than failing
  EXPECT_EQ(catalog_->LoadTable(id_)->metadata.CurrentSnapshot()->summary.at("total-records"), "5");
  EXPECT_EQ(*catalog_->ListNamespaces(), (std::vector<std::string>{"demo", "locked"}));
}

TEST_F(SqlCatalogTest, SkipsViewRows) {
  ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
  auto backend = SqliteBackend::Open(db_);
  ASSERT_TRUE((*backend)->Execute("INSERT INTO iceberg_tables VALUES ('default', 'demo', 'a_view', "
                                  "'file:///nowhere/v.metadata.json', NULL, 'VIEW')", {}).ok());
  EXPECT_EQ(*catalog_->ListTables("demo"), (std::vector<TableIdentifier>{id_}));
  EXPECT_EQ(catalog_->LoadTable({"demo", "a_view"}).status().kind(), StatusKind::kNotFound);
  EXPECT_EQ(catalog_->DropTable({"demo", "a_view"}).kind(), StatusKind::kNotFound);
  EXPECT_EQ(Select(db_, "SELECT count(*) FROM iceberg_tables")[0][0], "2");
}

TEST_F(SqlCatalogTest, UsesADatabaseWithoutTheTypeColumnAsItIs) {
  TempDir dir;
  std::string db = dir.path() + "/old.db";
  {
    auto backend = SqliteBackend::Open(db);
    ASSERT_TRUE(backend.ok());
    ASSERT_TRUE((*backend)->Execute(
        "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) "
        "NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
        "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))",
        {}).ok());
  }
  auto c = SqlCatalog::Open({{"uri", "jdbc:sqlite:" + db}, {"warehouse", dir.path() + "/wh"}, {"name", "spark"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE((*c)->has_type_column());
  ASSERT_TRUE((*c)->CreateTable(id_, Schema()).ok());
  EXPECT_EQ((*c)->ListTables("demo")->size(), 1u);
  EXPECT_EQ(Select(db, "SELECT count(*) FROM pragma_table_info('iceberg_tables')")[0][0], "5");
  EXPECT_EQ(Select(db, "SELECT catalog_name FROM iceberg_tables")[0][0], "spark");
}

TEST_F(SqlCatalogTest, UsesTheNamespaceLocationProperty) {
  auto backend = SqliteBackend::Open(db_);
  ASSERT_TRUE((*backend)->Execute("INSERT INTO iceberg_namespace_properties VALUES "
                                  "('default', 'demo', 'location', ?)",
                                  {"file://" + dir_.path() + "/elsewhere/"}).ok());
  Result<TableState> t = catalog_->CreateTable(id_, Schema());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->metadata.location, "file://" + dir_.path() + "/elsewhere/unified_activity");
  // The namespace existed through its property row: no exists row was added.
  EXPECT_EQ(Select(db_, "SELECT count(*) FROM iceberg_namespace_properties")[0][0], "1");
}

TEST(SqlMetadataFileTest, NamesAndVersions) {
  EXPECT_EQ(SqlMetadataFileName(0, "u"), "00000-u.metadata.json");
  EXPECT_EQ(SqlMetadataFileName(123456, "u"), "123456-u.metadata.json");
  EXPECT_EQ(SqlMetadataVersion("s3://b/t/metadata/00042-6c97e413-d51b-4538-ac70-12fe2a85cb83.metadata.json"), 42);
  EXPECT_EQ(SqlMetadataVersion("file:///t/metadata/v3.metadata.json"), -1);
  EXPECT_EQ(SqlMetadataVersion("file:///t/metadata/x1-u.metadata.json"), -1);
  EXPECT_EQ(SqlMetadataVersion("file:///t/metadata/00001-u.avro"), -1);
}

Result<SqlUri> Parse(std::map<std::string, std::string> props) { return SqlUri::Parse(props); }

TEST(SqlUriTest, SqliteForms) {
  EXPECT_EQ(Parse({{"uri", "sqlite:////abs/catalog.db"}})->path, "/abs/catalog.db");
  EXPECT_EQ(Parse({{"uri", "sqlite:///relative.db"}})->path, "relative.db");
  EXPECT_EQ(Parse({{"uri", "sqlite+pysqlite:////abs/c.db"}})->path, "/abs/c.db");
  EXPECT_EQ(Parse({{"uri", "jdbc:sqlite:/abs/x.db"}})->path, "/abs/x.db");
  EXPECT_EQ(Parse({{"uri", "jdbc:sqlite:file:/abs/x.db"}})->path, "/abs/x.db");
  EXPECT_EQ(Parse({{"uri", "jdbc:sqlite:file:///abs/x.db"}})->path, "/abs/x.db");
  EXPECT_EQ(Parse({{"uri", "jdbc:sqlite:rel.db"}})->path, "rel.db");
  EXPECT_EQ(Parse({{"uri", "sqlite:////abs/a%20b.db"}})->path, "/abs/a b.db");
  EXPECT_EQ(Parse({{"uri", "sqlite:////abs/catalog.db"}})->kind, SqlUri::Kind::kSqlite);
  EXPECT_EQ(Parse({{"uri", "sqlite:////abs/catalog.db"}})->Describe(), "SQLite database /abs/catalog.db");
}

TEST(SqlUriTest, PostgresForms) {
  Result<SqlUri> u = Parse({{"uri", "postgresql://braid:s%40cret@db.example:5433/cat?sslmode=require"}});
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->kind, SqlUri::Kind::kPostgres);
  EXPECT_EQ(u->host, "db.example");
  EXPECT_EQ(u->port, "5433");
  EXPECT_EQ(u->database, "cat");
  EXPECT_EQ(u->user, "braid");
  EXPECT_EQ(u->password, "s@cret");
  EXPECT_EQ(u->options.at("sslmode"), "require");
  EXPECT_EQ(u->Describe(), "PostgreSQL database \"cat\" at db.example:5433");

  u = Parse({{"uri", "postgresql+psycopg2://u@[::1]/cat"}});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "");
  EXPECT_EQ(u->Describe(), "PostgreSQL database \"cat\" at [::1]:5432");

  u = Parse({{"uri", "jdbc:postgresql://h:6000/cat?user=a&password=b"}, {"jdbc.user", "ju"}});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "h");
  EXPECT_EQ(u->user, "ju");  // jdbc.user wins over the uri
  EXPECT_EQ(u->password, "b");
  u = Parse({{"uri", "jdbc:postgresql://h/cat"}, {"jdbc.user", "ju"}, {"jdbc.password", "jp"}});
  EXPECT_EQ(u->password, "jp");
  EXPECT_EQ(u->port, "");
  EXPECT_EQ(Parse({{"uri", "postgres://h/d"}})->database, "d");
  EXPECT_EQ(Parse({{"uri", "postgresql:///cat"}})->Describe(), "PostgreSQL database \"cat\" at the local socket");
  EXPECT_EQ(Parse({{"uri", "postgresql:///cat?host=/run/pg"}})->Describe(),
            "PostgreSQL database \"cat\" at the socket in /run/pg");
}

TEST(SqlUriTest, ErrorsAreOneLineAndHideThePassword) {
  auto error = [](std::map<std::string, std::string> props) {
    Result<SqlUri> r = SqlUri::Parse(props);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(error({}).find("needs a \"uri\""), std::string::npos);
  EXPECT_NE(error({{"uri", "sqlite:///:memory:"}}).find("in-memory"), std::string::npos);
  EXPECT_NE(error({{"uri", "sqlite://"}}).find("in-memory"), std::string::npos);
  EXPECT_NE(error({{"uri", "jdbc:sqlite::memory:"}}).find("in-memory"), std::string::npos);
  std::string mysql = error({{"uri", "mysql://root:hunter2@h/db"}});
  EXPECT_NE(mysql.find("\"mysql\""), std::string::npos);
  EXPECT_EQ(mysql.find("hunter2"), std::string::npos) << mysql;
  EXPECT_NE(mysql.find("root:***@h"), std::string::npos) << mysql;
  EXPECT_NE(error({{"uri", "jdbc:mysql://h/db"}}).find("JDBC driver"), std::string::npos);
  std::string bad_port = error({{"uri", "postgresql://u:hunter2@h:54x/db"}});
  EXPECT_NE(bad_port.find("port"), std::string::npos);
  EXPECT_EQ(bad_port.find("hunter2"), std::string::npos);
  std::string bad_param = error({{"uri", "jdbc:postgresql://h/db?password=hunter2&frob=1"}});
  EXPECT_NE(bad_param.find("frob"), std::string::npos);
  EXPECT_EQ(bad_param.find("hunter2"), std::string::npos) << bad_param;
  EXPECT_NE(error({{"uri", "catalog.db"}}).find("no scheme"), std::string::npos);
}

TEST(SqlCatalogOpenTest, ReadOnlyNeverCreatesTheSqliteFile) {
  TempDir dir;
  const std::map<std::string, std::string> props{
      {"type", "sql"}, {"uri", "sqlite:///" + dir.path() + "/c.db"}, {"warehouse", dir.path() + "/wh"}};
  Result<std::unique_ptr<Catalog>> read = OpenCatalog(props, CatalogAccess::kReadOnly);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().kind(), StatusKind::kNotFound);
  EXPECT_NE(read.status().message().find(dir.path() + "/c.db does not exist"), std::string::npos)
      << read.status().message();
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/c.db"));
  ASSERT_TRUE(OpenCatalog(props).ok());  // a writer creates it
  read = OpenCatalog(props, CatalogAccess::kReadOnly);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE((*read)->ListNamespaces()->empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/wh"));
}

TEST(SqlCatalogOpenTest, ReportsMissingPropertiesAndUnusableDatabases) {
  TempDir dir;
  auto open = [](std::map<std::string, std::string> props) { return OpenCatalog(props).status(); };
  Status no_wh = open({{"type", "sql"}, {"uri", "sqlite:///" + dir.path() + "/c.db"}});
  EXPECT_EQ(no_wh.kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(no_wh.message().find("\"warehouse\""), std::string::npos);
  Status no_dir = open({{"type", "sql"}, {"uri", "sqlite:///" + dir.path() + "/missing/c.db"},
                        {"warehouse", dir.path()}});
  EXPECT_EQ(no_dir.kind(), StatusKind::kIoError);
  EXPECT_NE(no_dir.message().find(dir.path() + "/missing/c.db"), std::string::npos) << no_dir.message();
  // Each spelling of the SQL catalog opens it.
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"type", "sql"}, {"type", "jdbc"}, {"catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog"}}) {
    std::map<std::string, std::string> props = {
        {key, value}, {"uri", "jdbc:sqlite:" + dir.path() + "/c.db"}, {"warehouse", dir.path()}};
    if (key == "catalog-impl") props["type"] = "file";  // what the CLI fills in when type is unset
    Result<std::unique_ptr<Catalog>> c = OpenCatalog(props);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_NE(dynamic_cast<SqlCatalog*>(c->get()), nullptr) << key;
  }
  // Unreachable PostgreSQL: one line with host:port and database, never the password.
  Status down = open({{"type", "sql"}, {"uri", "postgresql://braid:hunter2@127.0.0.1:1/cat"}, {"warehouse", dir.path()}});
  EXPECT_EQ(down.kind(), StatusKind::kUnavailable);
  EXPECT_NE(down.message().find("\"cat\" at 127.0.0.1:1"), std::string::npos) << down.message();
  EXPECT_EQ(down.message().find("hunter2"), std::string::npos) << down.message();
  EXPECT_EQ(down.message().find('\n'), std::string::npos) << down.message();
}

}  // namespace
}  // namespace braid
