#include "sql/sql_session.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "catalog/file_catalog.h"
#include "sql/result_formatter.h"
#include "sql/table_info.h"
#include "storage/temp_dir.h"
#include "storage/local_file_system.h"
#include "table/manifest_list_writer.h"
#include "table/manifest_writer.h"
#include "table/table_appender.h"
#include "table/table_scan.h"

namespace braid {
namespace {

RowSchema Schema() {
  return {{"user_id", ColumnType::kString, 1}, {"purchase_amount", ColumnType::kDouble, 2},
          {"event_timestamp", ColumnType::kTimestampTz, 3}, {"n", ColumnType::kInt64, 4}};
}

RowBatch Rows(int n, int offset) {
  RowBatch b(Schema());
  for (int i = 0; i < n; ++i) {
    b.AppendString("user_" + std::to_string(offset + i));
    if (i % 2) b.AppendNull(); else b.AppendDouble(0.5 + offset + i);
    b.AppendTimestamp(Timestamp(1737022830123456LL + (offset + i) * 1000000LL));
    b.AppendInt(offset + i);
    b.EndRow();
  }
  return b;
}

class SqlSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = std::move(FileCatalog::Open(dir_.path()).value());
    ASSERT_TRUE(catalog_->CreateTable(id_, Schema()).ok());
    ASSERT_TRUE(catalog_->CreateTable({"demo", "empty"}, Schema()).ok());
    table_ = std::move(catalog_->OpenTable(id_).value());
    appender_ = std::move(TableAppender::Create().value());
  }

  SnapshotId Append(int n, int offset) {
    RowBatch rows = Rows(n, offset);
    Result<AppendResult> r = appender_->Append(*table_, {&rows}, CommitRequest{});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->snapshot_id : SnapshotId();
  }

  TempDir dir_;
  std::unique_ptr<FileCatalog> catalog_;
  std::unique_ptr<TableOperations> table_;
  std::unique_ptr<TableAppender> appender_;
  const TableIdentifier id_{"demo", "unified_activity"};
};

TEST_F(SqlSessionTest, QueriesTheCurrentSnapshot) {
  Append(4, 0);
  Append(3, 10);
  auto session = SqlSession::Open(*catalog_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ((*session)->tables().size(), 2u);
  Result<QueryResult> r = (*session)->Query(
      "SELECT user_id, purchase_amount, event_timestamp, n FROM demo.unified_activity ORDER BY n;");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 7u);
  ASSERT_EQ(r->columns.size(), 4u);
  EXPECT_EQ(r->columns[0].name, "user_id");
  EXPECT_EQ(r->columns[0].kind, ValueKind::kText);
  EXPECT_EQ(r->columns[1].kind, ValueKind::kNumber);
  EXPECT_EQ(r->columns[2].type, "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(r->columns[3].type, "BIGINT");
  EXPECT_EQ(r->rows[0][0], "user_0");
  EXPECT_EQ(r->rows[0][1], "0.5");
  EXPECT_EQ(r->rows[1][1], std::nullopt);  // NULL, not ""
  EXPECT_EQ(r->rows[0][2], "2025-01-16 10:20:30.123456+00");  // UTC whatever the host's zone
  EXPECT_EQ(r->rows[6][3], "12");
}

TEST_F(SqlSessionTest, EmptyTableHasTypedColumnsAndNoRows) {
  auto session = SqlSession::Open(*catalog_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  Result<QueryResult> r = (*session)->Query("SELECT * FROM demo.empty");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->rows.empty());
  ASSERT_EQ(r->columns.size(), 4u);
  EXPECT_EQ(r->columns[1].type, "DOUBLE");
  EXPECT_EQ(r->columns[2].type, "TIMESTAMP WITH TIME ZONE");
  Result<QueryResult> describe = (*session)->Query("DESCRIBE demo.unified_activity");
  ASSERT_TRUE(describe.ok()) << describe.status().ToString();
  EXPECT_EQ(describe->rows.size(), 4u);
  EXPECT_EQ(describe->rows[3][1], "BIGINT");
}

TEST_F(SqlSessionTest, ReadsAChosenSnapshot) {
  SnapshotId first = Append(4, 0);
  Append(3, 10);
  auto session = SqlSession::Open(*catalog_, {.snapshot = first});
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  Result<QueryResult> r = (*session)->Query("SELECT count(*) AS c FROM demo.unified_activity");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0][0], "4");
  EXPECT_EQ(SqlSession::Open(*catalog_, {.snapshot = SnapshotId(42)}).status().kind(), StatusKind::kNotFound);
}

TEST_F(SqlSessionTest, AnUnreadableTableFailsOnlyWhenQueried) {
  Append(2, 0);
  TableState state = *catalog_->LoadTable(id_);
  // Lose the manifest list: the table cannot be planned any more.
  ASSERT_TRUE(std::filesystem::remove(state.metadata.CurrentSnapshot()->manifest_list.substr(7)));
  auto session = SqlSession::Open(*catalog_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_TRUE((*session)->Query("SELECT * FROM demo.empty").ok());
  Result<QueryResult> r = (*session)->Query("SELECT * FROM demo.unified_activity");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("table demo.unified_activity cannot be read"), std::string::npos)
      << r.status().message();
}

// Adds to the current snapshot of `id` a delete manifest listing a v2 position delete file,
// an equality delete file and a v3 deletion vector, as Spark's merge-on-read writes them.
// With `point_at`, each position delete file names that one data file in its file_path bounds.
void AddDeleteFiles(FileCatalog& catalog, const TableIdentifier& id, const std::string& point_at = "") {
  TableState state = *catalog.LoadTable(id);
  const Snapshot& snap = *state.metadata.CurrentSnapshot();
  LocalFileSystem fs;
  std::vector<ManifestFile> manifests = *TableScan::Manifests(fs, snap);
  std::vector<DataFile> deletes(3);
  deletes[0].content = 1;
  deletes[1].content = 2;
  deletes[2].content = 1;
  deletes[2].file_format = "PUFFIN";
  for (size_t i = 0; i < deletes.size(); ++i) {
    deletes[i].file_path = fmt::format("{}/data/delete-{}.bin", state.metadata.location, i);
    deletes[i].record_count = 1;
    deletes[i].file_size_in_bytes = 100;
    if (!point_at.empty() && deletes[i].content == 1) {
      deletes[i].lower_bounds[2147483546] = point_at;
      deletes[i].upper_bounds[2147483546] = point_at;
    }
  }
  Result<ManifestFile> m = ManifestWriter::Write(fs, fmt::format("{}/metadata/deletes-{}.avro", state.metadata.location, snap.id.value()),
                                                 *state.metadata.CurrentSchema(), *state.metadata.DefaultSpec(),
                                                 snap.id, deletes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ManifestWriter::SetSequenceNumber(*m, snap.sequence_number);
  manifests.push_back(*m);
  ASSERT_TRUE(std::filesystem::remove(snap.manifest_list.substr(7)));  // file:// URI
  Status st = ManifestListWriter::Write(fs, snap.manifest_list, snap.id, snap.parent_id,
                                        snap.sequence_number, manifests);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST_F(SqlSessionTest, ATableWithDeleteFilesIsRefusedByEveryQuery) {
  Append(3, 0);
  Append(2, 10);  // the delete files come at this snapshot: newer than the first file
  AddDeleteFiles(*catalog_, id_);
  auto session = SqlSession::Open(*catalog_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  for (const char* q : {"SELECT * FROM demo.unified_activity",
                        "SELECT count(*) FROM demo.unified_activity",
                        "EXPLAIN SELECT count(*) FROM demo.unified_activity",
                        "explain analyze SELECT count(*) FROM demo.unified_activity",
                        "SELECT 1 WHERE EXISTS (SELECT 1 FROM DEMO.\"Unified_Activity\")",
                        "WITH c AS (SELECT * FROM demo.unified_activity) SELECT count(*) FROM c",
                        "SELECT (SELECT max(n) FROM memory.demo.unified_activity) AS m",
                        "SELECT 1 UNION ALL SELECT count(*) FROM demo.empty e JOIN demo.unified_activity u USING (n)"}) {
    Result<QueryResult> r = (*session)->Query(q);
    ASSERT_FALSE(r.ok()) << q << " answered " << r->rows.size() << " rows";
    const std::string& m = r.status().message();
    EXPECT_NE(m.find("table demo.unified_activity cannot be read"), std::string::npos) << m;
    EXPECT_NE(m.find("3 delete files (1 position delete file, 1 equality delete file, 1 deletion vector)"),
              std::string::npos) << m;
    EXPECT_NE(m.find("rewrite_data_files"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  // The other tables still answer.
  Result<QueryResult> other = (*session)->Query("SELECT count(*) FROM demo.empty");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->rows[0][0], "0");
  // `braid table files` refuses it the same way.
  TableState state = *catalog_->LoadTable(id_);
  LocalFileSystem fs;
  Result<QueryResult> files = TableInfo::Files(fs, state);
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("3 delete files"), std::string::npos) << files.status().message();
}

TEST_F(SqlSessionTest, DeleteFilesThatApplyToNoLiveDataFileAreSkipped) {
  // Same sequence number as the only data file: equality deletes do not apply to it (only to
  // older files), and the position deletes name a file that is no longer live, as after a
  // compaction rewrote it.
  Append(3, 0);
  AddDeleteFiles(*catalog_, id_, "file:///gone/rewritten.parquet");
  auto session = SqlSession::Open(*catalog_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  Result<QueryResult> r = (*session)->Query("SELECT count(*) FROM demo.unified_activity");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], "3");

  // Position deletes that name a live data file apply to it: refused.
  TableState state = *catalog_->LoadTable(id_);
  LocalFileSystem fs;
  std::vector<DataFile> live = *TableScan::LiveDataFiles(fs, state.metadata);
  ASSERT_EQ(live.size(), 1u);
  Append(1, 20);
  AddDeleteFiles(*catalog_, id_, live[0].file_path);
  session = SqlSession::Open(*catalog_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  r = (*session)->Query("SELECT count(*) FROM demo.unified_activity");
  ASSERT_FALSE(r.ok());
  // The new position delete file and deletion vector name a live file and the new equality
  // delete file is newer than the first data file: 3 apply. The earlier three still apply to
  // nothing and are not counted.
  EXPECT_NE(r.status().message().find("3 delete files"), std::string::npos) << r.status().message();
}

TEST(DeleteFileCounts, NamesEachKind) {
  DeleteFileCounts c;
  DataFile f;
  f.content = 1;
  c.Add(f);
  c.Add(f);
  EXPECT_EQ(c.Describe(), "2 delete files (2 position delete files)");
  f.content = 2;
  c.Add(f);
  f.content = 1;
  f.file_format = "puffin";
  c.Add(f);
  EXPECT_EQ(c.total(), 4);
  EXPECT_EQ(c.Describe(), "4 delete files (2 position delete files, 1 equality delete file, 1 deletion vector)");
}

TEST_F(SqlSessionTest, ReportsDuckDbErrorsAsStatus) {
  auto session = SqlSession::Open(*catalog_);
  Result<QueryResult> r = (*session)->Query("SELECT nope FROM demo.unified_activity");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(r.status().message().find("nope"), std::string::npos);
  EXPECT_FALSE((*session)->Query("SELEC 1").ok());
  EXPECT_FALSE((*session)->Query("SELECT 1; SELECT 2").ok());
}

TEST_F(SqlSessionTest, RendersNestedAndNonSelectResults) {
  auto session = SqlSession::OpenEmpty();
  ASSERT_TRUE(session.ok());
  Result<QueryResult> r = (*session)->Query(
      "SELECT [1, 2] AS l, {'a': 1} AS s, 1.50::DECIMAL(5,2) AS d, true AS b, 'x' AS t, 'x' AS t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], "[1, 2]");
  EXPECT_EQ(r->rows[0][1], "{'a': 1}");
  EXPECT_EQ(r->rows[0][2], "1.50");
  EXPECT_EQ(r->columns[2].kind, ValueKind::kNumber);
  EXPECT_EQ(r->columns[3].kind, ValueKind::kBoolean);
  EXPECT_EQ(r->columns[5].name, "t");  // duplicate names kept as the query wrote them
  Result<QueryResult> explain = (*session)->Query("EXPLAIN SELECT 1");
  ASSERT_TRUE(explain.ok()) << explain.status().ToString();
  EXPECT_FALSE(explain->rows.empty());
  // Read-only: statements other than SELECT/EXPLAIN are refused before DuckDB binds them.
  Result<QueryResult> create = (*session)->Query("CREATE TABLE x AS SELECT 1 AS a");
  ASSERT_FALSE(create.ok());
  EXPECT_NE(create.status().message().find("read-only: CREATE"), std::string::npos);
  EXPECT_FALSE((*session)->Query("SELECT a FROM x").ok());
  EXPECT_TRUE((*session)->Query("explain analyze SELECT 1").ok());
}

TEST_F(SqlSessionTest, DescribesSnapshotsAndFiles) {
  SnapshotId first = Append(4, 0);
  RowBatch more = Rows(2, 50);
  ASSERT_TRUE(appender_->Append(*table_, {&more}, CommitRequest{{{"braid.pipeline-id", "demo"}}}).ok());
  TableState state = *catalog_->LoadTable(id_);

  QueryResult describe = TableInfo::Describe(state);
  std::map<std::string, std::string> props;
  for (const auto& row : describe.rows) props[*row[0]] = *row[1];
  EXPECT_EQ(props["format-version"], "2");
  EXPECT_EQ(props["total-records"], "6");
  EXPECT_EQ(props["partition-spec"], "unpartitioned");
  EXPECT_EQ(props["column 3"], "event_timestamp timestamptz");
  EXPECT_EQ(props["metadata-file"], state.metadata_location);

  QueryResult snapshots = TableInfo::Snapshots(state);
  ASSERT_EQ(snapshots.rows.size(), 2u);
  EXPECT_EQ(snapshots.rows[0][0], std::to_string(first.value()));
  EXPECT_EQ(snapshots.rows[0][1], std::nullopt);
  EXPECT_EQ(snapshots.rows[1][1], std::to_string(first.value()));
  EXPECT_EQ(snapshots.rows[1][6], "2");
  EXPECT_EQ(snapshots.rows[1][8], "true");
  EXPECT_EQ(snapshots.rows[1][9], "{\"braid.pipeline-id\":\"demo\"}");

  Result<QueryResult> files = TableInfo::Files(*catalog_->FileSystemFor(state.metadata.location).value(), state);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->rows.size(), 2u);
  EXPECT_NE(files->rows[0][3]->find("user_id: 'user_"), std::string::npos) << *files->rows[0][3];
  EXPECT_NE(files->rows[0][3]->find("event_timestamp: 2025-01-16T10:2"), std::string::npos);
  Result<QueryResult> old = TableInfo::Files(*catalog_->FileSystemFor(state.metadata.location).value(), state, first);
  EXPECT_EQ(old->rows.size(), 1u);
}

QueryResult Sample() {
  QueryResult r;
  r.columns = {{"name", "VARCHAR", ValueKind::kText}, {"amount", "DOUBLE", ValueKind::kNumber},
               {"ok", "BOOLEAN", ValueKind::kBoolean}};
  r.rows = {{"plain", "1.5", "true"},
            {"comma, \"quoted\"", std::nullopt, "false"},
            {"", "nan", std::nullopt},
            {"über\nline", "-inf", "true"}};
  return r;
}

TEST(ResultFormatter, AlignsATextTable) {
  std::string table = ResultFormatter::Table(Sample());
  EXPECT_EQ(table,
            "+-----------------+--------+-------+\n"
            "| name            | amount | ok    |\n"
            "+-----------------+--------+-------+\n"
            "| plain           |    1.5 | true  |\n"
            "| comma, \"quoted\" |   NULL | false |\n"
            "|                 |    nan | NULL  |\n"
            "| über\\nline      |   -inf | true  |\n"
            "+-----------------+--------+-------+\n");
  EXPECT_EQ(ResultFormatter::Table(Sample(), 8).substr(0, 14), "+----------+--");
  QueryResult empty;
  empty.columns = {{"a", "INTEGER", ValueKind::kNumber}};
  EXPECT_EQ(ResultFormatter::Table(empty), "+---+\n| a |\n+---+\n");
}

TEST(ResultFormatter, WritesRfc4180Csv) {
  EXPECT_EQ(ResultFormatter::Csv(Sample()),
            "name,amount,ok\r\n"
            "plain,1.5,true\r\n"
            "\"comma, \"\"quoted\"\"\",,false\r\n"
            "\"\",nan,\r\n"
            "\"über\nline\",-inf,true\r\n");
}

TEST(ResultFormatter, WritesJsonWithTypedValues) {
  std::string json = ResultFormatter::Json(Sample());
  EXPECT_EQ(json,
            "[\n"
            "{\"name\":\"plain\",\"amount\":1.5,\"ok\":true},\n"
            "{\"name\":\"comma, \\\"quoted\\\"\",\"amount\":null,\"ok\":false},\n"
            "{\"name\":\"\",\"amount\":\"NaN\",\"ok\":null},\n"
            "{\"name\":\"über\\nline\",\"amount\":\"-Infinity\",\"ok\":true}\n"
            "]\n");
  EXPECT_TRUE(nlohmann::json::accept(json));
  QueryResult empty;
  EXPECT_EQ(ResultFormatter::Json(empty), "[]\n");
}

}  // namespace
}  // namespace braid
