// Fuzz target: Iceberg manifests (ManifestReader::Decode), v1 or v2, from any writer, listed
// with a sequence number and snapshot id as a manifest list would give them.
// Properties: inheritance is applied (every entry has a snapshot id; an ADDED entry has both
// sequence numbers); and when braid's ManifestWriter accepts the decoded files again (all
// ADDED, one unpartitioned spec), decoding its bytes gives the same files.

#include "fuzz_check.h"
#include "table/iceberg_schema.h"
#include "table/manifest_reader.h"
#include "table/manifest_writer.h"
#include "table/table_metadata.h"

namespace braid {
namespace {

bool Same(const DataFile& a, const DataFile& b) {
  return a.content == b.content && a.file_path == b.file_path &&
         a.file_format == b.file_format && a.record_count == b.record_count &&
         a.file_size_in_bytes == b.file_size_in_bytes && a.column_sizes == b.column_sizes &&
         a.value_counts == b.value_counts && a.null_value_counts == b.null_value_counts &&
         a.nan_value_counts == b.nan_value_counts && a.lower_bounds == b.lower_bounds &&
         a.upper_bounds == b.upper_bounds && a.split_offsets == b.split_offsets &&
         a.sort_order_id == b.sort_order_id;
}

}  // namespace
}  // namespace braid

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  ManifestFile listed;
  listed.manifest_path = "fuzz-manifest.avro";
  listed.added_snapshot_id = SnapshotId(77);
  listed.sequence_number = 5;
  Result<std::vector<ManifestEntry>> entries =
      ManifestReader::Decode(std::string(fuzz::AsView(data, size)), listed);
  if (!entries.ok()) return 0;
  std::vector<DataFile> files;
  for (const ManifestEntry& e : *entries) {
    BRAID_FUZZ_CHECK(e.snapshot_id.has_value());
    if (e.status == EntryStatus::kAdded) {
      BRAID_FUZZ_CHECK(e.sequence_number.has_value() && e.file_sequence_number.has_value());
    }
    files.push_back(e.data_file);
    files.back().spec_id = 0;
  }
  const IcebergSchema schema = IcebergSchema::FromRowSchema({{"a", ColumnType::kString, 1}});
  Result<std::string> encoded = ManifestWriter::Encode(schema, PartitionSpec{}, SnapshotId(78), files);
  if (!encoded.ok()) return 0;
  Result<std::vector<ManifestEntry>> again = ManifestReader::Decode(*encoded, listed);
  BRAID_FUZZ_CHECK(again.ok() && again->size() == files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    BRAID_FUZZ_CHECK((*again)[i].status == EntryStatus::kAdded);
    BRAID_FUZZ_CHECK((*again)[i].snapshot_id == SnapshotId(78));
    BRAID_FUZZ_CHECK(Same((*again)[i].data_file, files[i]));
  }
  return 0;
}
