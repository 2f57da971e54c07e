#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "storage/local_file_system.h"
#include "storage/location.h"
#include "storage/temp_dir.h"
#include "table/fixture.h"
#include "table/avro_reader.h"
#include "table/avro_writer.h"
#include "table/column_bounds.h"
#include "table/manifest_list_reader.h"
#include "table/manifest_list_writer.h"
#include "table/manifest_reader.h"
#include "table/manifest_writer.h"

namespace braid {
namespace {

DataFile SampleFile(int k) {
  DataFile f;
  f.file_path = "file:///w/t/data/f" + std::to_string(k) + ".parquet";
  f.record_count = 100 + k;
  f.file_size_in_bytes = 4096 + k;
  f.column_sizes = {{1, 10}, {2, 20}};
  f.value_counts = {{1, 100 + k}, {2, 100 + k}};
  f.null_value_counts = {{1, 0}, {2, 3}};
  f.nan_value_counts = {{2, 0}};
  f.lower_bounds = {{1, "aaa"}, {2, EncodeDoubleBound(-1.5)}};
  f.upper_bounds = {{1, "zzz"}, {2, EncodeDoubleBound(2.5)}};
  f.split_offsets = {4};
  return f;
}

IcebergSchema TwoColumns() {
  return IcebergSchema::FromRowSchema({{"name", ColumnType::kString, 1}, {"amount", ColumnType::kDouble, 2}});
}

// Every field of every record in an Avro schema carries a field-id; arrays carry element-id
// or are Iceberg maps (logicalType map with k<id>_v<id> records).
void ExpectFieldIds(const nlohmann::json& type, const std::string& path) {
  if (type.is_array()) {
    for (const auto& branch : type) ExpectFieldIds(branch, path);
    return;
  }
  if (!type.is_object()) return;
  if (type["type"] == "record") {
    for (const auto& f : type["fields"]) {
      EXPECT_TRUE(f.contains("field-id")) << path << "." << f["name"];
      if (f["type"].is_array()) {
        EXPECT_EQ(f["type"][0], "null") << f["name"];
        EXPECT_TRUE(f.contains("default") && f["default"].is_null()) << f["name"];
      }
      ExpectFieldIds(f["type"], path + "." + f["name"].get<std::string>());
    }
  } else if (type["type"] == "array") {
    if (type.contains("logicalType")) {
      EXPECT_EQ(type["logicalType"], "map") << path;
      std::string name = type["items"]["name"];
      EXPECT_EQ(name[0], 'k') << path;
    } else {
      EXPECT_TRUE(type.contains("element-id")) << path;
    }
    ExpectFieldIds(type["items"], path + "[]");
  }
}

TEST(Manifest, WritesTheV2SchemaAndHeaderKeys) {
  Result<std::string> bytes = ManifestWriter::Encode(TwoColumns(), PartitionSpec{}, SnapshotId(77),
                                                     {SampleFile(1)});
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  Result<AvroReader> r = AvroReader::Open(*bytes, "m.avro");
  ASSERT_TRUE(r.ok());
  const auto& meta = r->metadata();
  EXPECT_EQ(meta.at("format-version"), "2");
  EXPECT_EQ(meta.at("content"), "data");
  EXPECT_EQ(meta.at("partition-spec"), "[]");
  EXPECT_EQ(meta.at("partition-spec-id"), "0");
  EXPECT_EQ(meta.at("schema-id"), "0");
  EXPECT_EQ(nlohmann::json::parse(meta.at("schema"))["fields"][1]["type"], "double");
  EXPECT_EQ(meta.at("avro.codec"), "null");
  nlohmann::json schema = nlohmann::json::parse(meta.at("avro.schema"));
  EXPECT_EQ(schema["name"], "manifest_entry");
  ExpectFieldIds(schema, "manifest_entry");
  const nlohmann::json& data_file = schema["fields"][4]["type"];
  EXPECT_EQ(data_file["name"], "r2");
  std::vector<int> ids;
  for (const auto& f : data_file["fields"]) ids.push_back(f["field-id"]);
  EXPECT_EQ(ids, (std::vector<int>{134, 100, 101, 102, 103, 104, 108, 109, 110, 137, 125, 128, 132, 140}));
  EXPECT_EQ(data_file["fields"][3]["type"], nlohmann::json::parse(R"({"type":"record","name":"r102","fields":[]})"));
  EXPECT_EQ(data_file["fields"][10]["type"][1]["items"]["name"], "k126_v127");
  EXPECT_EQ(data_file["fields"][10]["type"][1]["items"]["fields"][1]["type"], "bytes");
}

TEST(Manifest, RoundTripsAndInheritsSequenceNumbers) {
  TempDir dir;
  LocalFileSystem fs;
  std::string location = JoinLocation(dir.uri(), "m0.avro");
  Result<ManifestFile> m = ManifestWriter::Write(fs, location, TwoColumns(), PartitionSpec{},
                                                 SnapshotId(77), {SampleFile(1), SampleFile(2)});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->manifest_length, static_cast<int64_t>(*fs.FileSize(location)));
  EXPECT_EQ(m->added_files_count, 2);
  EXPECT_EQ(m->added_rows_count, 203);
  EXPECT_EQ(m->added_snapshot_id, SnapshotId(77));
  // A second write to the same name must not replace the file.
  EXPECT_EQ(ManifestWriter::Write(fs, location, TwoColumns(), PartitionSpec{}, SnapshotId(78), std::vector<DataFile>{}).status().kind(),
            StatusKind::kAlreadyExists);

  m->sequence_number = 5;
  m->min_sequence_number = 5;
  Result<std::vector<ManifestEntry>> entries = ManifestReader::Read(fs, *m);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  const ManifestEntry& e = (*entries)[1];
  EXPECT_EQ(e.status, EntryStatus::kAdded);
  EXPECT_EQ(e.snapshot_id, SnapshotId(77));
  EXPECT_EQ(e.sequence_number, 5);  // inherited: written as null
  EXPECT_EQ(e.file_sequence_number, 5);
  const DataFile& f = e.data_file;
  DataFile want = SampleFile(2);
  EXPECT_EQ(f.file_path, want.file_path);
  EXPECT_EQ(f.file_format, "PARQUET");
  EXPECT_EQ(f.record_count, want.record_count);
  EXPECT_EQ(f.file_size_in_bytes, want.file_size_in_bytes);
  EXPECT_EQ(f.column_sizes, want.column_sizes);
  EXPECT_EQ(f.value_counts, want.value_counts);
  EXPECT_EQ(f.null_value_counts, want.null_value_counts);
  EXPECT_EQ(f.nan_value_counts, want.nan_value_counts);
  EXPECT_EQ(f.lower_bounds, want.lower_bounds);
  EXPECT_EQ(f.upper_bounds, want.upper_bounds);
  EXPECT_EQ(f.split_offsets, want.split_offsets);
  EXPECT_FALSE(f.sort_order_id.has_value());
}

TEST(ManifestList, WritesHeaderKeysAndCarriesEntriesUnchanged) {
  ManifestFile a;
  a.manifest_path = "file:///w/t/metadata/a-m0.avro";
  a.manifest_length = 1234;
  a.sequence_number = a.min_sequence_number = 2;
  a.added_snapshot_id = SnapshotId(9);
  a.added_files_count = 1;
  a.added_rows_count = 10;
  a.partitions = std::vector<PartitionFieldSummary>{{true, false, std::string("lo"), std::nullopt}};
  ManifestFile b = a;
  b.manifest_path = "file:///w/t/metadata/b-m0.avro";
  b.sequence_number = b.min_sequence_number = 1;
  b.added_snapshot_id = SnapshotId(8);
  b.partitions.reset();
  b.existing_files_count = 3;
  b.deleted_rows_count = 4;

  Result<std::string> bytes = ManifestListWriter::Encode(SnapshotId(9), SnapshotId(8), 2, {a, b});
  ASSERT_TRUE(bytes.ok());
  Result<AvroReader> r = AvroReader::Open(*bytes, "list.avro");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->metadata().at("snapshot-id"), "9");
  EXPECT_EQ(r->metadata().at("parent-snapshot-id"), "8");
  EXPECT_EQ(r->metadata().at("sequence-number"), "2");
  EXPECT_EQ(r->metadata().at("format-version"), "2");
  nlohmann::json schema = nlohmann::json::parse(r->metadata().at("avro.schema"));
  EXPECT_EQ(schema["name"], "manifest_file");
  ExpectFieldIds(schema, "manifest_file");
  std::vector<int> ids;
  for (const auto& f : schema["fields"]) ids.push_back(f["field-id"]);
  EXPECT_EQ(ids, (std::vector<int>{500, 501, 502, 517, 515, 516, 503, 504, 505, 506, 512, 513, 514, 507}));

  Result<std::vector<ManifestFile>> back = ManifestListReader::Decode(*bytes, "list.avro");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].manifest_path, a.manifest_path);
  EXPECT_EQ((*back)[0].manifest_length, 1234);
  ASSERT_TRUE((*back)[0].partitions.has_value());
  EXPECT_EQ((*back)[0].partitions->at(0).lower_bound, "lo");
  EXPECT_EQ((*back)[0].partitions->at(0).contains_nan, false);
  EXPECT_FALSE((*back)[0].partitions->at(0).upper_bound.has_value());
  EXPECT_EQ((*back)[1].sequence_number, 1);
  EXPECT_EQ((*back)[1].existing_files_count, 3);
  EXPECT_EQ((*back)[1].deleted_rows_count, 4);
  EXPECT_FALSE((*back)[1].partitions.has_value());

  Result<std::string> first = ManifestListWriter::Encode(SnapshotId(1), std::nullopt, 1, {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(AvroReader::Open(*first, "l")->metadata().at("parent-snapshot-id"), "null");
}

// Format v1 makes a manifest's file counts optional: a list that leaves them out says nothing
// about the entries, and the manifest must not pass for one of DELETED entries only (a commit
// would drop its live files).
TEST(Manifest, ListWithoutFileCountsLeavesThemUnknown) {
  const std::string schema = R"({"type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string", "field-id": 500},
    {"name": "manifest_length", "type": "long", "field-id": 501},
    {"name": "partition_spec_id", "type": "int", "field-id": 502},
    {"name": "added_snapshot_id", "type": "long", "field-id": 503},
    {"name": "added_files_count", "type": ["null", "int"], "field-id": 504},
    {"name": "existing_files_count", "type": ["null", "int"], "field-id": 505}]})";
  Result<AvroWriter> w = AvroWriter::Create(schema, {{"format-version", "1"}});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto record = [](std::string path, AvroDatum added, AvroDatum existing) {
    return AvroDatum::Record({AvroDatum::Bytes(std::move(path)), AvroDatum::Long(100), AvroDatum::Long(0),
                              AvroDatum::Long(7), std::move(added), std::move(existing)});
  };
  ASSERT_TRUE(w->Append(record("no-counts.avro", AvroDatum::Null(), AvroDatum::Null())).ok());
  ASSERT_TRUE(w->Append(record("one-count.avro", AvroDatum::Long(0), AvroDatum::Null())).ok());
  ASSERT_TRUE(w->Append(record("counted.avro", AvroDatum::Long(0), AvroDatum::Long(0))).ok());
  Result<std::vector<ManifestFile>> list = ManifestListReader::Decode(w->Finish(), "v1 list");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_FALSE((*list)[0].file_counts_known);
  EXPECT_FALSE(OnlyDeletedEntries((*list)[0]));
  EXPECT_FALSE((*list)[1].file_counts_known);
  EXPECT_FALSE(OnlyDeletedEntries((*list)[1]));
  EXPECT_TRUE((*list)[2].file_counts_known);
  EXPECT_TRUE(OnlyDeletedEntries((*list)[2]));
}

TEST(Manifest, ReadsPyicebergDeflateFiles) {
  Result<std::vector<ManifestFile>> list =
      ManifestListReader::Decode(Fixture("pyiceberg_manifest_list.avro"), "pyiceberg list");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  const ManifestFile& newest = (*list)[0];
  EXPECT_EQ(newest.sequence_number, 3);
  EXPECT_EQ(newest.added_snapshot_id, SnapshotId(1431895272958582237LL));
  EXPECT_EQ(newest.manifest_length, 4748);
  EXPECT_EQ((*list)[2].sequence_number, 1);

  Result<std::vector<ManifestEntry>> entries =
      ManifestReader::Decode(Fixture("pyiceberg_manifest.avro"), newest);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 1u);
  const ManifestEntry& e = (*entries)[0];
  EXPECT_EQ(e.status, EntryStatus::kAdded);
  EXPECT_EQ(e.sequence_number, 3);  // null in the file, inherited from the list
  EXPECT_EQ(e.data_file.record_count, 2);
  EXPECT_EQ(e.data_file.file_size_in_bytes, 3171);
  EXPECT_EQ(e.data_file.lower_bounds.at(2), "a2");
  EXPECT_EQ(e.data_file.value_counts.at(9), 3);
  EXPECT_EQ(e.data_file.split_offsets, std::vector<int64_t>{4});
  EXPECT_TRUE(e.data_file.file_path.ends_with(".parquet"));
}

}  // namespace
}  // namespace braid
