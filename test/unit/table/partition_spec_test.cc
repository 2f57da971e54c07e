#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "table/avro_reader.h"
#include "table/manifest_reader.h"
#include "table/manifest_writer.h"
#include "table/partition_spec.h"
#include "table/partition_splitter.h"
#include "table/table_metadata.h"

namespace braid {
namespace {

constexpr int64_t kSecond = 1000 * 1000;
constexpr int64_t kDay = 86400 * kSecond;
// 2017-11-16T22:31:08Z, the spec's timestamp test value, in microseconds.
constexpr int64_t kSpecTimestamp = 1510871468 * kSecond;

std::string LongBytes(int64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  return s;
}

RowSchema Columns() {
  return {{"user_id", ColumnType::kString, 1}, {"n", ColumnType::kInt64, 2},
          {"at", ColumnType::kTimestampTz, 3}, {"amount", ColumnType::kDouble, 4}};
}

// One-row batch of Columns().
RowBatch Row(std::string_view user, int64_t n, int64_t at_micros) {
  RowBatch b(Columns());
  b.AppendString(user);
  b.AppendInt(n);
  b.AppendInt(at_micros);
  b.AppendDouble(1.5);
  b.EndRow();
  return b;
}

AvroDatum Apply(std::string_view transform, size_t column, const RowBatch& b) {
  return PartitionTransform::FromString(transform).Apply(b.schema()[column].type, b.column(column), 0);
}

// The hash test vectors of the Iceberg spec (Appendix B).
TEST(PartitionTransform, Murmur3MatchesTheSpecsBucketHashVectors) {
  EXPECT_EQ(Murmur3Hash32(LongBytes(34)), 2017239379);  // int and long 34: hashed as a long
  EXPECT_EQ(Murmur3Hash32(LongBytes(17486)), -653330422);  // date 2017-11-16: days, as a long
  EXPECT_EQ(Murmur3Hash32(LongBytes(kSpecTimestamp)), -2047944441);  // timestamptz, micros
  EXPECT_EQ(Murmur3Hash32("iceberg"), 1210000089);
  EXPECT_EQ(Murmur3Hash32(std::string("\0\1\2\3", 4)), -188683207);
  EXPECT_EQ(Murmur3Hash32(""), 0);
}

TEST(PartitionTransform, BucketsByTheSpecsHashOfEachType) {
  RowBatch b = Row("iceberg", 34, kSpecTimestamp);
  EXPECT_EQ(Apply("bucket[16]", 0, b).long_value, (1210000089 & 0x7fffffff) % 16);
  EXPECT_EQ(Apply("bucket[100]", 1, b).long_value, 2017239379 % 100);
  EXPECT_EQ(Apply("bucket[7]", 2, b).long_value, (-2047944441 & 0x7fffffff) % 7);
  RowBatch int32(RowSchema{{"i", ColumnType::kInt32, 1}});
  int32.AppendInt(34);
  int32.EndRow();
  EXPECT_EQ(Apply("bucket[100]", 0, int32).long_value, 2017239379 % 100);  // int agrees with long
}

TEST(PartitionTransform, TimeTransformsFloorBeforeTheEpoch) {
  RowBatch b = Row("u", 0, kSpecTimestamp);
  EXPECT_EQ(Apply("day", 2, b).long_value, 17486);
  EXPECT_EQ(Apply("hour", 2, b).long_value, 17486 * 24 + 22);
  EXPECT_EQ(Apply("month", 2, b).long_value, (2017 - 1970) * 12 + 10);
  EXPECT_EQ(Apply("year", 2, b).long_value, 2017 - 1970);
  RowBatch before = Row("u", 0, -1);  // 1969-12-31T23:59:59.999999Z
  EXPECT_EQ(Apply("day", 2, before).long_value, -1);
  EXPECT_EQ(Apply("hour", 2, before).long_value, -1);
  EXPECT_EQ(Apply("month", 2, before).long_value, -1);
  EXPECT_EQ(Apply("year", 2, before).long_value, -1);
  EXPECT_EQ(Apply("day", 2, Row("u", 0, -kDay)).long_value, -1);
}

TEST(PartitionTransform, TruncateIdentityAndNulls) {
  RowBatch b = Row("\xc3\xa9t\xc3\xa9-ok", -7, 0);  // "été-ok": truncate counts code points
  EXPECT_EQ(Apply("truncate[3]", 0, b).bytes, "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(Apply("truncate[10]", 1, b).long_value, -10);
  EXPECT_EQ(Apply("identity", 0, b).bytes, "\xc3\xa9t\xc3\xa9-ok");
  EXPECT_EQ(Apply("identity", 3, b).double_value, 1.5);
  RowBatch n(Columns());
  n.AppendNull();
  n.AppendNull();
  n.AppendNull();
  n.AppendNull();
  n.EndRow();
  EXPECT_TRUE(Apply("bucket[4]", 0, n).is_null());
  EXPECT_TRUE(Apply("day", 2, n).is_null());
}

TEST(PartitionTransform, KnowsWhichTypesItAppliesTo) {
  EXPECT_FALSE(PartitionTransform::Day().AppliesTo(ColumnType::kString));
  EXPECT_TRUE(PartitionTransform::Day().AppliesTo(ColumnType::kTimestampTz));
  EXPECT_FALSE(PartitionTransform::Bucket(4).AppliesTo(ColumnType::kDouble));
  EXPECT_TRUE(PartitionTransform::Bucket(4).AppliesTo(ColumnType::kTimestampTz));
  EXPECT_FALSE(PartitionTransform::FromString("truncate[2]").AppliesTo(ColumnType::kTimestampTz));
  EXPECT_FALSE(PartitionTransform::FromString("void").is_known());
  EXPECT_FALSE(PartitionTransform::FromString("bucket[0]").is_known());
  EXPECT_EQ(PartitionTransform::FromString("bucket[16]").parameter(), 16);
}

TEST(PartitionFieldRequest, ParsesTheDeclaredForms) {
  auto day = PartitionFieldRequest::Parse("day(event_timestamp)");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->column, "event_timestamp");
  EXPECT_EQ(day->transform.kind(), PartitionTransform::Kind::kDay);
  auto bucket = PartitionFieldRequest::Parse(" bucket( 16 , user_id ) ");
  ASSERT_TRUE(bucket.ok()) << bucket.status().ToString();
  EXPECT_EQ(bucket->column, "user_id");
  EXPECT_EQ(bucket->transform.ToString(), "bucket[16]");
  auto identity = PartitionFieldRequest::Parse("page");
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->transform.kind(), PartitionTransform::Kind::kIdentity);

  for (const char* bad : {"bucket(0, user_id)", "bucket(-3, user_id)", "bucket(x, user_id)", "bucket(user_id)",
                          "bucket(99999999999, user_id)", "week(at)", "day()", "day(at", "a b"}) {
    auto r = PartitionFieldRequest::Parse(bad);
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument) << bad;
  }
  EXPECT_NE(PartitionFieldRequest::Parse("bucket(0, u)").status().message().find("bucket count"), std::string::npos);
}

TEST(PartitionSpec, BindsByColumnNameAndRefusesWrongColumnsAndTypes) {
  auto spec = PartitionSpec::Bind({*PartitionFieldRequest::Parse("day(at)"),
                                   *PartitionFieldRequest::Parse("bucket(16, user_id)")},
                                  Columns());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->fields.size(), 2u);
  EXPECT_EQ(spec->fields[0], (PartitionField{3, 1000, "at_day", PartitionTransform::Day()}));
  EXPECT_EQ(spec->fields[1], (PartitionField{1, 1001, "user_id_bucket", PartitionTransform::Bucket(16)}));
  EXPECT_EQ(spec->Describe(IcebergSchema::FromRowSchema(Columns())), "day(at), bucket(16, user_id)");

  auto unknown = PartitionSpec::Bind({*PartitionFieldRequest::Parse("day(nope)")}, Columns());
  EXPECT_NE(unknown.status().message().find("\"nope\" is not an output column"), std::string::npos);
  auto on_string = PartitionSpec::Bind({*PartitionFieldRequest::Parse("day(user_id)")}, Columns());
  EXPECT_NE(on_string.status().message().find("column \"user_id\" is string"), std::string::npos)
      << on_string.status().message();
  auto twice = PartitionSpec::Bind({*PartitionFieldRequest::Parse("day(at)"), *PartitionFieldRequest::Parse("day(at)")},
                                   Columns());
  EXPECT_EQ(twice.status().kind(), StatusKind::kInvalidArgument);
}

TEST(PartitionSpec, RoundTripsThroughTableMetadata) {
  PartitionSpec spec = *PartitionSpec::Bind({*PartitionFieldRequest::Parse("day(at)"),
                                             *PartitionFieldRequest::Parse("bucket(16, user_id)")},
                                            Columns());
  TableMetadata m = TableMetadata::NewTable("file:///w/t", Columns(), {}, 1, spec);
  nlohmann::json j = nlohmann::json::parse(SerializeTableMetadata(m));
  EXPECT_EQ(j["last-partition-id"], 1001);
  EXPECT_EQ(j["default-spec-id"], 0);
  EXPECT_EQ(j["partition-specs"], nlohmann::json::parse(R"([{"spec-id":0,"fields":[
      {"name":"at_day","transform":"day","source-id":3,"field-id":1000},
      {"name":"user_id_bucket","transform":"bucket[16]","source-id":1,"field-id":1001}]}])"));
  Result<TableMetadata> back = ParseTableMetadata(j.dump(), "t");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->DefaultSpec()->fields, spec.fields);
  EXPECT_EQ(back->last_partition_id, 1001);
  EXPECT_TRUE(back->DefaultSpec()->SameLayout(spec));
  EXPECT_FALSE(back->DefaultSpec()->SameLayout(PartitionSpec{}));

  // A spec another engine wrote with a transform braid does not compute still reads back.
  j["partition-specs"][0]["fields"][1]["transform"] = "void";
  back = ParseTableMetadata(j.dump(), "t");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->DefaultSpec()->fields[1].transform.ToString(), "void");
  EXPECT_EQ(nlohmann::json::parse(SerializeTableMetadata(*back))["partition-specs"][0]["fields"][1]["transform"], "void");
}

TEST(PartitionSpec, ManifestsCarryThePartitionTupleTypedByTheSpec) {
  IcebergSchema schema = IcebergSchema::FromRowSchema(Columns());
  PartitionSpec spec = *PartitionSpec::Bind({*PartitionFieldRequest::Parse("day(at)"),
                                             *PartitionFieldRequest::Parse("user_id")},
                                            Columns());
  std::vector<DataFile> files(3);
  for (int i = 0; i < 3; ++i) {
    files[i].file_path = "file:///w/t/data/f" + std::to_string(i) + ".parquet";
    files[i].record_count = 1;
    files[i].file_size_in_bytes = 10;
  }
  files[0].partition = {AvroDatum::Long(17486), AvroDatum::Bytes("bob")};
  files[1].partition = {AvroDatum::Long(17480), AvroDatum::Null()};
  files[2].partition = {AvroDatum::Long(17490), AvroDatum::Bytes("alice")};
  Result<std::string> bytes = ManifestWriter::Encode(schema, spec, SnapshotId(5), files);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();

  Result<AvroReader> reader = AvroReader::Open(*bytes, "m");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(nlohmann::json::parse(reader->metadata().at("partition-spec")), spec.FieldsJson());
  EXPECT_EQ(reader->metadata().at("partition-spec-id"), "0");
  nlohmann::json avro = nlohmann::json::parse(reader->metadata().at("avro.schema"));
  nlohmann::json partition = avro["fields"][4]["type"]["fields"][3];
  EXPECT_EQ(partition["field-id"], 102);
  EXPECT_EQ(partition["type"]["fields"], nlohmann::json::parse(R"([
      {"name":"at_day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000},
      {"name":"user_id","type":["null","string"],"default":null,"field-id":1001}])"));

  ManifestFile mf;
  mf.manifest_path = "m";
  Result<std::vector<ManifestEntry>> entries = ManifestReader::Decode(*bytes, mf);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].data_file.partition[0].long_value, 17486);
  EXPECT_EQ((*entries)[0].data_file.partition[1].bytes, "bob");
  EXPECT_TRUE((*entries)[1].data_file.partition[1].is_null());

  std::vector<PartitionFieldSummary> s =
      ManifestWriter::SummarizePartitions({"date", "string"}, ManifestWriter::AddedEntries(SnapshotId(5), files));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_FALSE(s[0].contains_null);
  EXPECT_EQ(s[0].lower_bound, std::string("\x48\x44\0\0", 4));  // 17480 = 0x4448 as 4 bytes little-endian
  EXPECT_EQ(s[0].upper_bound, std::string("\x52\x44\0\0", 4));  // 17490 = 0x4452
  EXPECT_FALSE(s[0].contains_nan.has_value());
  EXPECT_TRUE(s[1].contains_null);
  EXPECT_EQ(s[1].lower_bound, "alice");
  EXPECT_EQ(s[1].upper_bound, "bob");

  files[0].partition.pop_back();  // a tuple that does not fit the spec is refused
  EXPECT_EQ(ManifestWriter::Encode(schema, spec, SnapshotId(5), files).status().kind(), StatusKind::kInvalidArgument);
}

TEST(PartitionSplitter, GroupsRowsByTupleInFirstSeenOrder) {
  PartitionSpec spec = *PartitionSpec::Bind({*PartitionFieldRequest::Parse("day(at)"),
                                             *PartitionFieldRequest::Parse("bucket(2, user_id)")},
                                            Columns());
  RowBatch b(Columns());
  const char* users[] = {"a", "b", "a", "c", "a"};
  const int64_t days[] = {3, 3, 4, 3, 3};
  for (int i = 0; i < 5; ++i) {
    b.AppendString(users[i]);
    b.AppendInt(i);
    b.AppendInt(days[i] * kDay + i);
    b.AppendNull();
    b.EndRow();
  }
  auto splitter = PartitionSplitter::Create(spec, Columns());
  ASSERT_TRUE(splitter.ok());
  std::vector<PartitionedRows> parts = splitter->Split(b, int64_t{1} << 30);
  size_t rows = 0;
  for (const PartitionedRows& p : parts) {
    rows += p.rows.num_rows();
    for (size_t r = 0; r < p.rows.num_rows(); ++r) {
      // Every row of a group has the group's tuple.
      EXPECT_EQ(p.rows.column(2).ints[r] / kDay, p.partition[0].long_value);
      EXPECT_EQ(PartitionTransform::Bucket(2).Apply(ColumnType::kString, p.rows.column(0), r).long_value,
                p.partition[1].long_value);
    }
  }
  EXPECT_EQ(rows, 5u);
  EXPECT_EQ(parts.front().partition[0].long_value, 3);  // the first row's tuple comes first
  EXPECT_EQ(PartitionKey(parts.front().partition), PartitionKey({AvroDatum::Long(3), parts.front().partition[1]}));

  auto bad = PartitionSplitter::Create(spec, {{"user_id", ColumnType::kString, 1}});
  EXPECT_EQ(bad.status().kind(), StatusKind::kInvalidArgument);  // the source column is missing
}

}  // namespace
}  // namespace braid
