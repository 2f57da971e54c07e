#include "table/data_file_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <thread>

#include "storage/temp_dir.h"
#include "table/column_bounds.h"
#include "table/iceberg_schema.h"
#include "table/parquet_stats.h"

namespace braid {
namespace {

RowSchema MixedSchema() {
  return {{"name", ColumnType::kString, 1},      {"amount", ColumnType::kDouble, 2},
          {"at", ColumnType::kTimestampTz, 3},   {"count", ColumnType::kInt64, 4},
          {"small", ColumnType::kInt32, 5},      {"never", ColumnType::kString, 6},
          {"odd \"name\"", ColumnType::kString, 7}};
}

// Rows with NULLs, NaN, multi-byte and long strings, negative and far timestamps.
RowBatch MixedBatch(int rows) {
  RowBatch b(MixedSchema());
  for (int i = 0; i < rows; ++i) {
    if (i % 7 == 3) b.AppendNull(); else b.AppendString(i % 5 == 0 ? "ünïcödé-" + std::to_string(i) + std::string(30, 'x') : "user_" + std::to_string(i));
    if (i % 11 == 0) b.AppendDouble(std::nan("")); else if (i % 4 == 1) b.AppendNull(); else b.AppendDouble(i * 0.1 - 3.7);
    if (i % 9 == 4) b.AppendNull(); else b.AppendTimestamp(Timestamp(1737022830123456LL + (i - rows / 2) * 1000003LL));
    b.AppendInt(static_cast<int64_t>(i) * 1000000007LL - 5);
    b.AppendInt(i % 3 == 0 ? -i : i);
    b.AppendNull();
    b.AppendString(i % 2 ? "b" : "a");
    b.EndRow();
  }
  return b;
}

struct Expected {
  int64_t nulls = 0, nans = 0;
  std::optional<std::string> lower, upper;
};

Expected Compute(const RowBatch& b, size_t c) {
  Expected e;
  const ColumnData& col = b.column(c);
  const ColumnType type = b.schema()[c].type;
  std::optional<std::string> min_s, max_s;
  std::optional<double> min_d, max_d;
  std::optional<int64_t> min_i, max_i;
  for (size_t r = 0; r < b.num_rows(); ++r) {
    if (!col.valid[r]) { ++e.nulls; continue; }
    switch (type) {
      case ColumnType::kString: {
        std::string s(col.string_at(r));
        if (!min_s || s < *min_s) min_s = s;
        if (!max_s || s > *max_s) max_s = s;
        break;
      }
      case ColumnType::kDouble: {
        double d = col.doubles[r];
        if (std::isnan(d)) { ++e.nans; break; }
        if (!min_d || d < *min_d) min_d = d;
        if (!max_d || d > *max_d) max_d = d;
        break;
      }
      default:
        if (!min_i || col.ints[r] < *min_i) min_i = col.ints[r];
        if (!max_i || col.ints[r] > *max_i) max_i = col.ints[r];
    }
  }
  if (min_s) { e.lower = TruncateLowerBound(*min_s); e.upper = TruncateUpperBound(*max_s); }
  if (min_d) { e.lower = EncodeDoubleBound(*min_d); e.upper = EncodeDoubleBound(*max_d); }
  if (min_i && type == ColumnType::kBoolean) { e.lower = std::string(1, static_cast<char>(*min_i)); e.upper = std::string(1, static_cast<char>(*max_i)); }
  else if (min_i && type == ColumnType::kInt32) { e.lower = EncodeIntBound(static_cast<int32_t>(*min_i)); e.upper = EncodeIntBound(static_cast<int32_t>(*max_i)); }
  else if (min_i) { e.lower = EncodeLongBound(*min_i); e.upper = EncodeLongBound(*max_i); }
  return e;
}

// The rows of `sql`, every value as text.
std::vector<std::vector<std::string>> Rows(DuckDbConnection& db, const std::string& sql) {
  Result<DuckDbResult> r = db.Query("SELECT COLUMNS(*)::VARCHAR FROM (" + sql + ")");
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << sql;
  std::vector<std::vector<std::string>> out;
  if (!r.ok()) return out;
  while (DuckDbChunk chunk{duckdb_fetch_chunk(*r->get())}) {
    for (size_t i = 0; i < chunk.size(); ++i) {
      std::vector<std::string> row;
      for (size_t c = 0; c < r->column_count(); ++c) row.emplace_back(VarcharAt(chunk.column(c), i).value_or("NULL"));
      out.push_back(std::move(row));
    }
  }
  return out;
}

void CheckFile(const RowBatch& batch, const DataFile& f, const std::string& path) {
  EXPECT_EQ(f.record_count, static_cast<int64_t>(batch.num_rows()));
  EXPECT_EQ(f.file_size_in_bytes, static_cast<int64_t>(std::filesystem::file_size(path)));
  EXPECT_EQ(f.file_format, "PARQUET");
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const ColumnSpec& spec = batch.schema()[c];
    SCOPED_TRACE(spec.name);
    Expected e = Compute(batch, c);
    EXPECT_EQ(f.value_counts.at(spec.field_id), static_cast<int64_t>(batch.num_rows()));
    EXPECT_EQ(f.null_value_counts.at(spec.field_id), e.nulls);
    EXPECT_GT(f.column_sizes.at(spec.field_id), 0);
    if (spec.type == ColumnType::kDouble) EXPECT_EQ(f.nan_value_counts.at(spec.field_id), e.nans);
    else EXPECT_FALSE(f.nan_value_counts.count(spec.field_id));
    if (e.lower) {
      EXPECT_EQ(f.lower_bounds.at(spec.field_id), *e.lower);
      EXPECT_EQ(f.upper_bounds.at(spec.field_id), *e.upper);
    } else {
      EXPECT_FALSE(f.lower_bounds.count(spec.field_id));
      EXPECT_FALSE(f.upper_bounds.count(spec.field_id));
    }
  }
  ASSERT_FALSE(f.split_offsets.empty());
  EXPECT_EQ(f.split_offsets[0], 4);  // right after the "PAR1" magic
  EXPECT_TRUE(std::is_sorted(f.split_offsets.begin(), f.split_offsets.end()));
}

TEST(DataFileWriter, WritesFieldIdsAndUtcTimestamps) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  RowBatch batch = MixedBatch(100);
  std::string path = dir.path() + "/a.parquet";
  Result<DataFile> f = (*writer)->Write(batch, path, "file://" + path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->file_path, "file://" + path);

  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  auto schema = Rows(**db, "SELECT name, field_id::VARCHAR, type, coalesce(logical_type, converted_type, '') "
                           "FROM parquet_schema('" + path + "') WHERE field_id IS NOT NULL ORDER BY field_id");
  ASSERT_EQ(schema.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(schema[i][0], MixedSchema()[i].name);
    EXPECT_EQ(schema[i][1], std::to_string(MixedSchema()[i].field_id));
  }
  EXPECT_EQ(schema[0][3], "UTF8");
  EXPECT_EQ(schema[2][2], "INT64");
  EXPECT_NE(schema[2][3].find("isAdjustedToUTC=1"), std::string::npos) << schema[2][3];
  EXPECT_NE(schema[2][3].find("MICROS"), std::string::npos) << schema[2][3];
  EXPECT_EQ(schema[4][2], "INT32");
  auto compression = Rows(**db, "SELECT DISTINCT compression FROM parquet_metadata('" + path + "')");
  ASSERT_EQ(compression.size(), 1u);
  EXPECT_EQ(compression[0][0], "ZSTD");
  auto types = Rows(**db, "SELECT typeof(\"at\") FROM '" + path + "' LIMIT 1");
  EXPECT_EQ(types[0][0], "TIMESTAMP WITH TIME ZONE");
}

TEST(DataFileWriter, MetricsMatchTheData) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  ASSERT_TRUE(writer.ok());
  RowBatch batch = MixedBatch(5000);
  std::string path = dir.path() + "/b.parquet";
  Result<DataFile> f = (*writer)->Write(batch, path, "file://" + path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  CheckFile(batch, *f, path);

  // The file holds exactly the batch's rows.
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  auto sums = Rows(**db, "SELECT count(*), count(name), sum(count)::VARCHAR, count(\"at\"), min(\"at\")::VARCHAR, "
                         "sum(CASE WHEN isnan(amount) THEN 1 ELSE 0 END) FROM '" + path + "'");
  int64_t sum = 0;
  for (size_t r = 0; r < batch.num_rows(); ++r) sum += batch.column(3).ints[r];
  EXPECT_EQ(sums[0][0], "5000");
  EXPECT_EQ(sums[0][1], std::to_string(5000 - Compute(batch, 0).nulls));
  EXPECT_EQ(sums[0][2], std::to_string(sum));
  EXPECT_EQ(sums[0][5], std::to_string(Compute(batch, 1).nans));
}

// A writer that cuts row groups of 2,048 rows, on `threads` DuckDB threads.
Result<std::unique_ptr<DataFileWriter>> SmallRowGroupWriter(int threads) {
  DataFileWriterOptions options;
  options.row_group_size = 2048;
  options.threads = threads;
  return DataFileWriter::Create(options);
}

TEST(DataFileWriter, AggregatesStatisticsOverRowGroups) {
  TempDir dir;
  auto writer = SmallRowGroupWriter(2);
  ASSERT_TRUE(writer.ok());
  RowBatch batch = MixedBatch(20000);
  std::string path = dir.path() + "/c.parquet";
  Result<DataFile> f = (*writer)->Write(batch, path, "file://" + path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto db = DuckDbConnection::Open();
  auto groups = Rows(**db, "SELECT count(DISTINCT row_group_id)::VARCHAR FROM parquet_metadata('" + path + "')");
  EXPECT_GT(std::stoi(groups[0][0]), 1);
  EXPECT_EQ(f->split_offsets.size(), static_cast<size_t>(std::stoi(groups[0][0])));
  CheckFile(batch, *f, path);

  // The writer is reusable.
  RowBatch again = MixedBatch(10);
  Result<DataFile> g = (*writer)->Write(again, dir.path() + "/d.parquet", "file://" + dir.path() + "/d.parquet");
  ASSERT_TRUE(g.ok());
  CheckFile(again, *g, dir.path() + "/d.parquet");
}

TEST(DataFileWriter, ExtremeValuesKeepExactBounds) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  RowSchema schema = {{"d", ColumnType::kDouble, 1}, {"s", ColumnType::kString, 2}, {"t", ColumnType::kTimestampTz, 3}};
  RowBatch b(schema);
  const double doubles[] = {0.1, 0.30000000000000004, -1e-300, 1.7976931348623157e308, 5e-324, -0.0};
  const int64_t times[] = {-62135596800000000LL, 253402300799999999LL, 0, -1, 1, 2};
  const char* strings[] = {"", "\xf4\x8f\xbf\xbf", "a", "zzzzzzzzzzzzzzzzzzzzzzzzzzzz", "Z", "\x7f"};
  for (int i = 0; i < 6; ++i) {
    b.AppendDouble(doubles[i]);
    b.AppendString(strings[i]);
    b.AppendTimestamp(Timestamp(times[i]));
    b.EndRow();
  }
  std::string path = dir.path() + "/e.parquet";
  Result<DataFile> f = (*writer)->Write(b, path, "file://" + path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->lower_bounds.at(1), EncodeDoubleBound(-1e-300));
  EXPECT_EQ(f->upper_bounds.at(1), EncodeDoubleBound(1.7976931348623157e308));
  EXPECT_EQ(f->lower_bounds.at(2), "");
  EXPECT_EQ(f->upper_bounds.at(2), "\xf4\x8f\xbf\xbf");
  EXPECT_EQ(f->lower_bounds.at(3), EncodeLongBound(-62135596800000000LL));  // 0001-01-01
  EXPECT_EQ(f->upper_bounds.at(3), EncodeLongBound(253402300799999999LL));  // 9999-12-31
}

TEST(DataFileWriter, WritesBooleanColumns) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  RowBatch b(RowSchema{{"flag", ColumnType::kBoolean, 1}, {"only_true", ColumnType::kBoolean, 2}});
  for (int i = 0; i < 5; ++i) {
    if (i == 2) b.AppendNull(); else b.AppendInt(i % 2);
    b.AppendInt(1);
    b.EndRow();
  }
  std::string path = dir.path() + "/b.parquet";
  Result<DataFile> f = (*writer)->Write(b, path, "file://" + path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->null_value_counts.at(1), 1);
  EXPECT_EQ(f->value_counts.at(1), 5);
  // Bounds are Iceberg's one byte (braid's own writer takes them; DuckDB's gives none).
  EXPECT_EQ(f->lower_bounds.at(1), std::string(1, '\0'));
  EXPECT_EQ(f->upper_bounds.at(1), std::string(1, '\1'));
  EXPECT_EQ(f->lower_bounds.at(2), std::string(1, '\1'));
  EXPECT_EQ(f->upper_bounds.at(2), std::string(1, '\1'));
  // As DuckDB's text reads, too.
  DataFile g;
  ParquetColumnStats stats;
  stats.min = "false";
  stats.max = "true";
  AddColumnMetrics(b.schema()[0], stats, 0, &g);
  EXPECT_EQ(g.lower_bounds.at(1), std::string(1, '\0'));
  EXPECT_EQ(g.upper_bounds.at(1), std::string(1, '\1'));
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  auto rows = Rows(**db, "SELECT typeof(flag), flag, only_true FROM '" + path + "'");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"BOOLEAN", "false", "true"}));
  EXPECT_EQ(rows[1][1], "true");
  EXPECT_EQ(rows[2][1], "NULL");
  EXPECT_EQ(IcebergSchema::FromRowSchema(b.schema()).ToJson()["fields"][0]["type"], "boolean");
  EXPECT_EQ((*IcebergSchema::FromRowSchema(b.schema()).ToRowSchema())[0].type, ColumnType::kBoolean);
}

// Writes `batch` with `w` as `<dir>/<name>.parquet` compressed with `codec` and checks the
// DataFile against the batch; returns the file's path.
std::string WriteChecked(DataFileWriter& w, const RowBatch& batch, const std::string& dir,
                         const std::string& name, const char* codec) {
  const std::string path = dir + "/" + name + ".parquet";
  Result<DataFile> f = w.Write(batch, path, "file://" + path, ParquetCompression{codec, std::nullopt});
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  if (f.ok()) CheckFile(batch, *f, path);
  return path;
}

// Every codec braid takes is the one the file carries, and the rows read back unchanged.
TEST(DataFileWriter, CompressesAsTheTableSays) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  RowBatch batch = MixedBatch(500);
  const std::string expected = "SELECT * FROM '" + dir.path() + "/zstd.parquet' ORDER BY ALL";
  for (auto [codec, name] : {std::pair{"zstd", "ZSTD"}, {"snappy", "SNAPPY"}, {"gzip", "GZIP"},
                             {"brotli", "BROTLI"}, {"lz4_raw", "LZ4_RAW"}, {"uncompressed", "UNCOMPRESSED"}}) {
    SCOPED_TRACE(codec);
    const std::string path = WriteChecked(**writer, batch, dir.path(), codec, codec);
    auto compression = Rows(**db, "SELECT DISTINCT compression FROM parquet_metadata('" + path + "')");
    ASSERT_EQ(compression.size(), 1u);
    EXPECT_EQ(compression[0][0], name);
    EXPECT_EQ(Rows(**db, "SELECT * FROM '" + path + "' ORDER BY ALL"), Rows(**db, expected));
  }
}

// DuckDB is opened by the first file that needs it, once for a writer and its siblings: files
// braid's own writer writes (zstd, uncompressed) and a change of threads leave it closed.
TEST(DataFileWriter, OpensDuckDbOnlyForAFileThatNeedsIt) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  Result<std::unique_ptr<DataFileWriter>> sibling = (*writer)->Sibling();
  ASSERT_TRUE(sibling.ok()) << sibling.status().ToString();
  const RowBatch batch = MixedBatch(300);
  auto write = [&](DataFileWriter& w, const char* codec) { WriteChecked(w, batch, dir.path(), codec, codec); };
  write(**writer, "zstd");
  write(**sibling, "uncompressed");
  ASSERT_TRUE((*writer)->SetThreads(0).ok());
  EXPECT_FALSE((*writer)->DuckDbOpened());
  EXPECT_FALSE((*sibling)->DuckDbOpened());
  write(**sibling, "snappy");
  EXPECT_TRUE((*sibling)->DuckDbOpened());
  EXPECT_TRUE((*writer)->DuckDbOpened());  // the same database
  write(**writer, "gzip");
  ASSERT_TRUE((*writer)->SetThreads(1).ok());
  write(**writer, "brotli");
}

// Pages of every size in one file — large ones written straight from their buffer, small
// ones gathered — and files one after another on one thread (which keeps its page buffers):
// each of braid's files holds the rows of the file DuckDB writes from the same batch.
TEST(DataFileWriter, LargeAndSmallPagesOfSuccessiveFilesReadBackAsDuckDbsFile) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  int n = 0;
  for (int rows : {60000, 700, 130000}) {
    SCOPED_TRACE(rows);
    const RowBatch batch = MixedBatch(rows);
    auto write = [&](const char* codec) {
      const std::string name = "f" + std::to_string(n++) + codec;
      return "SELECT * FROM '" + WriteChecked(**writer, batch, dir.path(), name, codec) + "' ORDER BY ALL";
    };
    const std::string reference = write("snappy");  // DuckDB's writer
    const auto want = Rows(**db, reference);
    ASSERT_EQ(want.size(), static_cast<size_t>(rows));
    EXPECT_EQ(Rows(**db, write("uncompressed")), want);
    EXPECT_EQ(Rows(**db, write("zstd")), want);
  }
}

// The zstd level reaches the writer: the highest level packs these rows tighter than the
// lowest, and both hold the same rows.
TEST(DataFileWriter, WritesZstdAtTheTablesLevel) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  RowBatch batch = MixedBatch(20000);
  std::map<int, int64_t> sizes;
  for (int level : {1, 22}) {
    const std::string path = dir.path() + "/l" + std::to_string(level) + ".parquet";
    Result<DataFile> f = (*writer)->Write(batch, path, "file://" + path, ParquetCompression{"zstd", level});
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    CheckFile(batch, *f, path);
    sizes[level] = f->file_size_in_bytes;
  }
  EXPECT_LT(sizes[22], sizes[1]);
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Rows(**db, "SELECT * FROM '" + dir.path() + "/l1.parquet' ORDER BY ALL"),
            Rows(**db, "SELECT * FROM '" + dir.path() + "/l22.parquet' ORDER BY ALL"));
}

// Strings of every length around DuckDB's 12 inline bytes (the scan writes those in place),
// multi-byte ones across the boundary, the empty string and NULLs, each value many times: the
// file holds exactly these values, equal ones compare equal (dictionary and DISTINCT), and
// the bounds are right.
TEST(DataFileWriter, StringsOfEveryLengthReadBackExactly) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  ASSERT_TRUE(writer.ok());
  std::vector<std::string> values;
  for (size_t n = 0; n <= 40; ++n) values.push_back(std::string(n, static_cast<char>('a' + n % 26)));
  values.push_back("\xc3\xa9t\xc3\xa9-\xe2\x82\xac-123");  // 12 bytes, 9 characters
  values.push_back("\xc3\xa9t\xc3\xa9-\xe2\x82\xac-1234");  // 13 bytes
  values.push_back("user_12345");
  values.push_back("session_123456");
  RowBatch batch(RowSchema{{"s", ColumnType::kString, 1}});
  std::vector<std::string> want;
  for (int i = 0; i < 3000; ++i) {
    if (i % 17 == 5) {
      batch.AppendNull();
    } else {
      want.push_back(values[(i * 7) % values.size()]);
      batch.AppendString(want.back());
    }
    batch.EndRow();
  }
  const std::string path = dir.path() + "/s.parquet";
  Result<DataFile> f = (*writer)->Write(batch, path, "file://" + path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  CheckFile(batch, *f, path);
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  std::vector<std::string> got;
  for (auto& row : Rows(**db, "SELECT s FROM '" + path + "' WHERE s IS NOT NULL")) got.push_back(row[0]);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  auto distinct = Rows(**db, "SELECT count(DISTINCT s)::VARCHAR, count(*) FILTER (WHERE s = 'user_12345')::VARCHAR, "
                             "count(*) FILTER (WHERE s = '')::VARCHAR FROM '" + path + "'");
  EXPECT_EQ(distinct[0][0], std::to_string(values.size()));
  EXPECT_EQ(distinct[0][1], std::to_string(std::count(want.begin(), want.end(), "user_12345")));
  EXPECT_EQ(distinct[0][2], std::to_string(std::count(want.begin(), want.end(), "")));
}

// A string column keeps its dictionary up to kDictionaryValues distinct values in a row group,
// and is stored plain beyond; the values read back the same either way.
TEST(DataFileWriter, DictionaryEncodesStringsOfFewDistinctValuesOnly) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  ASSERT_TRUE(writer.ok());
  constexpr int kLimit = DataFileWriter::kDictionaryValues;
  RowBatch batch({{"few", ColumnType::kString, 1}, {"many", ColumnType::kString, 2}});
  for (int i = 0; i < 20 * kLimit; ++i) {
    batch.AppendString("f" + std::to_string(i % kLimit));
    batch.AppendString("m" + std::to_string(i % (kLimit + 1)));
    batch.EndRow();
  }
  const std::string path = dir.path() + "/dict.parquet";
  ASSERT_TRUE((*writer)->Write(batch, path, "file://" + path).ok());
  auto db = DuckDbConnection::Open();
  auto encodings = Rows(**db, "SELECT path_in_schema, encodings FROM parquet_metadata('" + path +
                                  "') WHERE row_group_id = 0 ORDER BY column_id");
  ASSERT_EQ(encodings.size(), 2u);
  EXPECT_NE(encodings[0][1].find("DICTIONARY"), std::string::npos) << encodings[0][1];
  EXPECT_EQ(encodings[1][1].find("DICTIONARY"), std::string::npos) << encodings[1][1];
  auto distinct = Rows(**db, "SELECT count(DISTINCT few), count(DISTINCT many), count(*) FROM '" + path + "'");
  EXPECT_EQ(distinct[0], (std::vector<std::string>{std::to_string(kLimit), std::to_string(kLimit + 1),
                                                   std::to_string(20 * kLimit)}));
}

// A pipeline's last stage is written with every core, the others with one: each setting
// writes every row, whatever the one before.
TEST(DataFileWriter, WritesEveryRowWhateverItsThreads) {
  TempDir dir;
  auto writer = SmallRowGroupWriter(1);
  ASSERT_TRUE(writer.ok());
  RowBatch batch = MixedBatch(20000);
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  int n = 0;
  for (int threads : {1, 2, 0, 1, 0}) {
    SCOPED_TRACE(threads);
    ASSERT_TRUE((*writer)->SetThreads(threads).ok());
    const std::string path = dir.path() + "/t" + std::to_string(n++) + ".parquet";
    Result<DataFile> f = (*writer)->Write(batch, path, "file://" + path);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    CheckFile(batch, *f, path);
    // Every row once: the fourth column holds a value of its own per row.
    auto rows = Rows(**db, "SELECT count(*)::VARCHAR, count(DISTINCT " + batch.schema()[3].name +
                               ")::VARCHAR FROM '" + path + "'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "20000");
    EXPECT_EQ(rows[0][1], "20000");
  }
}

// Two threads write at the same time, one with the writer, one with its sibling (another
// connection to the same DuckDB database): each file holds its own batch's rows, and the
// sibling keeps writing once the first writer is gone.
TEST(DataFileWriter, ASiblingWritesBesideItsWriterOnAnotherThread) {
  TempDir dir;
  auto writer = SmallRowGroupWriter(1);
  ASSERT_TRUE(writer.ok());
  Result<std::unique_ptr<DataFileWriter>> sibling = (*writer)->Sibling();
  ASSERT_TRUE(sibling.ok()) << sibling.status().ToString();
  const RowBatch first = MixedBatch(30000);
  const RowBatch second = MixedBatch(17001);
  auto write_three = [&dir](DataFileWriter& w, const RowBatch& batch, const std::string& name,
                            std::vector<std::pair<Result<DataFile>, std::string>>* out) {
    for (int i = 0; i < 3; ++i) {
      const std::string path = dir.path() + "/" + name + std::to_string(i) + ".parquet";
      out->emplace_back(w.Write(batch, path, "file://" + path), path);
    }
  };
  std::vector<std::pair<Result<DataFile>, std::string>> by_writer, by_sibling;
  std::thread beside([&] { write_three(**sibling, second, "s", &by_sibling); });
  write_three(**writer, first, "w", &by_writer);
  beside.join();
  writer->reset();
  write_three(**sibling, second, "after", &by_sibling);
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  for (auto* files : {&by_writer, &by_sibling}) {
    const RowBatch& batch = files == &by_writer ? first : second;
    for (const auto& [f, path] : *files) {
      SCOPED_TRACE(path);
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      CheckFile(batch, *f, path);
      auto rows = Rows(**db, "SELECT count(*)::VARCHAR, count(DISTINCT " + batch.schema()[3].name +
                                 ")::VARCHAR FROM '" + path + "'");
      ASSERT_EQ(rows.size(), 1u);
      EXPECT_EQ(rows[0][0], std::to_string(batch.num_rows()));
      EXPECT_EQ(rows[0][1], std::to_string(batch.num_rows()));
    }
  }
  EXPECT_EQ(by_sibling.size(), 6u);
}

// braid writes zstd and uncompressed files itself (ParquetFileWriter) and the other codecs
// through DuckDB: over random batches — runs of NULLs and of equal values around the RLE run
// length, dictionaries just under, at and over the limit, every type, NaN, -0, infinities,
// times before 1970, row groups cut short — both files hold the same rows and both DataFiles
// the same metrics.
TEST(DataFileWriter, WritesTheRowsAndMetricsDuckDbWrites) {
  TempDir dir;
  DataFileWriterOptions options;
  options.threads = 1;
  options.row_group_size = 1000;
  auto writer = DataFileWriter::Create(options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  const RowSchema schema = {{"s", ColumnType::kString, 1},   {"d", ColumnType::kDouble, 2},
                            {"t", ColumnType::kTimestampTz, 3}, {"l", ColumnType::kInt64, 4},
                            {"i", ColumnType::kInt32, 5},      {"b", ColumnType::kBoolean, 6},
                            {"few", ColumnType::kString, 7}};
  const double specials[] = {std::nan(""), -0.0, 0.0, std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(), 1.5};
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    const int rows = 1 + static_cast<int>(rng() % 3500);
    // Distinct values per column: under, at or over the dictionary limit, or a handful.
    const uint32_t distinct[] = {1, 7, 1023, 1024, 1025, 5000};
    const uint32_t many = distinct[rng() % 6];
    const uint32_t null_every = rng() % 4 == 0 ? 0 : 2 + rng() % 9;  // 0: no NULLs
    RowBatch b(schema);
    int run = 0;
    bool null_run = false;
    uint32_t value = 0;
    for (int r = 0; r < rows; ++r) {
      if (run-- <= 0) {  // runs of 1 to 20 rows: the same value, or NULLs
        run = static_cast<int>(rng() % 20);
        null_run = null_every && rng() % null_every == 0;
        value = rng() % many;
      }
      auto cell = [&](auto append) {
        if (null_run && rng() % 2) b.AppendNull(); else append();
      };
      cell([&] { b.AppendString(value % 3 ? "v" + std::to_string(value) : "ü" + std::string(value % 40, 'x')); });
      cell([&] { b.AppendDouble(value % 5 == 0 ? specials[value % 6] : value * 0.25 - 100); });
      cell([&] { b.AppendTimestamp(Timestamp(int64_t{value} * 999'999'937LL - 50'000'000'000'000LL)); });
      cell([&] { b.AppendInt(int64_t{value} * 1'000'000'007LL - 3'000'000'000LL); });
      cell([&] { b.AppendInt(static_cast<int32_t>(value) - 600); });
      cell([&] { b.AppendInt(value % 2); });
      cell([&] { b.AppendString(value % 4 == 0 ? "" : "few" + std::to_string(value % 4)); });
      b.EndRow();
    }
    const std::string ours = dir.path() + "/ours" + std::to_string(seed) + ".parquet";
    const std::string duck = dir.path() + "/duck" + std::to_string(seed) + ".parquet";
    Result<DataFile> a = (*writer)->Write(b, ours, "file://" + ours);
    Result<DataFile> d = (*writer)->Write(b, duck, "file://" + duck, ParquetCompression{"snappy", std::nullopt});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    CheckFile(b, *a, ours);
    EXPECT_EQ(Rows(**db, "SELECT * FROM '" + ours + "' ORDER BY ALL"),
              Rows(**db, "SELECT * FROM '" + duck + "' ORDER BY ALL"));
    EXPECT_EQ(Rows(**db, "SELECT count(*) FROM '" + ours + "'")[0][0], std::to_string(rows));
    EXPECT_EQ(a->record_count, d->record_count);
    EXPECT_EQ(a->value_counts, d->value_counts);
    EXPECT_EQ(a->null_value_counts, d->null_value_counts);
    EXPECT_EQ(a->nan_value_counts, d->nan_value_counts);
    // DuckDB gives no bounds for booleans; braid's own writer does (CheckFile checked them).
    EXPECT_FALSE(d->lower_bounds.count(6));
    a->lower_bounds.erase(6);
    a->upper_bounds.erase(6);
    EXPECT_EQ(a->lower_bounds, d->lower_bounds);
    EXPECT_EQ(a->upper_bounds, d->upper_bounds);
    EXPECT_EQ(a->split_offsets.size(), static_cast<size_t>((rows + 999) / 1000));
    // Read with statistics-based skipping, each column's footer bounds must admit its rows.
    EXPECT_EQ(Rows(**db, "SELECT count(*) FROM '" + ours + "' WHERE s >= 'v' OR l < 0 OR i > -601"),
              Rows(**db, "SELECT count(*) FROM '" + duck + "' WHERE s >= 'v' OR l < 0 OR i > -601"));
  }
}

// BRAID_PARQUET_WRITER=duckdb sends every file through DuckDB's writer (its created_by), with
// the same rows; by default zstd files are braid's own; another value is refused by name.
TEST(DataFileWriter, BraidParquetWriterChoosesTheWriter) {
  struct Unset {
    ~Unset() { unsetenv("BRAID_PARQUET_WRITER"); }
  } unset;
  TempDir dir;
  auto db = DuckDbConnection::Open();
  ASSERT_TRUE(db.ok());
  auto created_by = [&](const std::string& path) {
    return Rows(**db, "SELECT created_by FROM parquet_file_metadata('" + path + "')").at(0).at(0);
  };
  RowBatch batch = MixedBatch(50);
  const std::string ours = dir.path() + "/ours.parquet", duck = dir.path() + "/duck.parquet";
  auto by_default = DataFileWriter::Create();
  ASSERT_TRUE(by_default.ok());
  ASSERT_TRUE((*by_default)->Write(batch, ours, "file://" + ours).ok());
  EXPECT_EQ(created_by(ours), "braid");
  setenv("BRAID_PARQUET_WRITER", "duckdb", 1);
  auto duckdb_only = DataFileWriter::Create();
  ASSERT_TRUE(duckdb_only.ok());
  Result<DataFile> f = (*duckdb_only)->Write(batch, duck, "file://" + duck);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  CheckFile(batch, *f, duck);
  EXPECT_NE(created_by(duck).find("DuckDB"), std::string::npos) << created_by(duck);
  EXPECT_EQ(Rows(**db, "SELECT * FROM '" + ours + "' ORDER BY ALL"),
            Rows(**db, "SELECT * FROM '" + duck + "' ORDER BY ALL"));
  setenv("BRAID_PARQUET_WRITER", "arrow", 1);
  auto refused = DataFileWriter::Create();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("BRAID_PARQUET_WRITER is \"arrow\""), std::string::npos)
      << refused.status().message();
}

TEST(DataFileWriter, RefusesAnEmptyBatch) {
  TempDir dir;
  auto writer = DataFileWriter::Create();
  RowBatch empty(MixedSchema());
  EXPECT_EQ((*writer)->Write(empty, dir.path() + "/x.parquet", "file:///x").status().kind(),
            StatusKind::kInvalidArgument);
  Result<DataFile> bad = (*writer)->Write(MixedBatch(3), "/nonexistent-dir/x.parquet", "file:///nonexistent-dir/x.parquet");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/nonexistent-dir/x.parquet"), std::string::npos);
}

}  // namespace
}  // namespace braid
