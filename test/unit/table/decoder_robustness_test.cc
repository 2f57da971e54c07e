// Mutated inputs for every decoder of the table stage (Avro container files, manifests,
// manifest lists, metadata JSON): each must return a value or an error, never crash or hang.
// A seeded stand-in for fuzz targets (the toolchain here has no libFuzzer); run it under the
// sanitizer build to catch memory errors.

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "table/fixture.h"
#include "table/manifest_list_reader.h"
#include "table/manifest_list_writer.h"
#include "table/manifest_reader.h"
#include "table/manifest_writer.h"
#include "table/table_metadata.h"

namespace braid {
namespace {

// Flips, overwrites, deletes, duplicates or truncates a few bytes.
std::string Mutate(std::string s, std::mt19937& rng) {
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits && !s.empty(); ++i) {
    size_t at = rng() % s.size();
    switch (rng() % 5) {
      case 0: s[at] = static_cast<char>(s[at] ^ (1 << (rng() % 8))); break;
      case 1: s[at] = static_cast<char>(rng()); break;
      case 2: s.erase(at, 1 + rng() % 8); break;
      case 3: s.insert(at, s.substr(at, 1 + rng() % 16)); break;
      case 4: s.resize(at); break;
    }
  }
  return s;
}

TEST(DecoderRobustness, ManifestsAndManifestLists) {
  DataFile f;
  f.file_path = "file:///w/t/data/a.parquet";
  f.record_count = 3;
  f.file_size_in_bytes = 99;
  f.value_counts = {{1, 3}};
  f.lower_bounds = {{1, "a"}};
  f.split_offsets = {4};
  IcebergSchema schema = IcebergSchema::FromRowSchema({{"a", ColumnType::kString, 1}});
  ManifestFile m;
  m.manifest_path = "file:///w/t/metadata/m.avro";
  m.added_snapshot_id = SnapshotId(1);
  m.partitions = std::vector<PartitionFieldSummary>{{false, std::nullopt, "x", "y"}};
  const std::string manifests[] = {*ManifestWriter::Encode(schema, PartitionSpec{}, SnapshotId(1), {f, f}),
                                   Fixture("pyiceberg_manifest.avro")};
  const std::string lists[] = {*ManifestListWriter::Encode(SnapshotId(1), std::nullopt, 1, {m, m}),
                               Fixture("pyiceberg_manifest_list.avro")};
  std::mt19937 rng(20250116);
  int decoded = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::string& base = round % 2 ? manifests[round / 2 % 2] : lists[round / 2 % 2];
    std::string input = Mutate(base, rng);
    if (round % 2) {
      decoded += ManifestReader::Decode(input, m).ok();
    } else {
      decoded += ManifestListReader::Decode(input, "mutated").ok();
    }
  }
  // Some mutations hit bytes that do not matter (sync marker copies, string contents).
  EXPECT_GT(decoded, 0);
}

TEST(DecoderRobustness, MetadataJson) {
  const std::string inputs[] = {Fixture("pyiceberg_v2.metadata.json"), Fixture("v1_minimal.metadata.json"),
                                Fixture("v1_full.metadata.json")};
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string input = Mutate(inputs[round % 3], rng);
    Result<TableMetadata> m = ParseTableMetadata(input, "mutated.json");
    if (m.ok()) (void)SerializeTableMetadata(*m);
  }
}

}  // namespace
}  // namespace braid
