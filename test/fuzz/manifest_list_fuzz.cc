// Fuzz target: Iceberg manifest lists (ManifestListReader::Decode), v1 or v2, from any writer.
// Property of a list that decodes: ManifestListWriter writes its entries "unchanged", so
// decoding what it writes gives the same entries.

#include "fuzz_check.h"
#include "table/manifest_list_reader.h"
#include "table/manifest_list_writer.h"

namespace braid {
namespace {

bool Same(const PartitionFieldSummary& a, const PartitionFieldSummary& b) {
  return a.contains_null == b.contains_null && a.contains_nan == b.contains_nan &&
         a.lower_bound == b.lower_bound && a.upper_bound == b.upper_bound;
}

bool Same(const ManifestFile& a, const ManifestFile& b) {
  if (a.manifest_path != b.manifest_path || a.manifest_length != b.manifest_length ||
      a.partition_spec_id != b.partition_spec_id || a.content != b.content ||
      a.sequence_number != b.sequence_number || a.min_sequence_number != b.min_sequence_number ||
      a.added_snapshot_id != b.added_snapshot_id || a.added_files_count != b.added_files_count ||
      a.existing_files_count != b.existing_files_count ||
      a.deleted_files_count != b.deleted_files_count || a.added_rows_count != b.added_rows_count ||
      a.existing_rows_count != b.existing_rows_count ||
      a.deleted_rows_count != b.deleted_rows_count ||
      a.partitions.has_value() != b.partitions.has_value()) {
    return false;
  }
  if (!a.partitions) return true;
  if (a.partitions->size() != b.partitions->size()) return false;
  for (size_t i = 0; i < a.partitions->size(); ++i) {
    if (!Same((*a.partitions)[i], (*b.partitions)[i])) return false;
  }
  return true;
}

}  // namespace
}  // namespace braid

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  Result<std::vector<ManifestFile>> list =
      ManifestListReader::Decode(std::string(fuzz::AsView(data, size)), "fuzz-list.avro");
  if (!list.ok()) return 0;
  const SnapshotId snapshot = list->empty() ? SnapshotId(1) : list->front().added_snapshot_id;
  Result<std::string> encoded = ManifestListWriter::Encode(snapshot, std::nullopt, 1, *list);
  BRAID_FUZZ_CHECK(encoded.ok());
  Result<std::vector<ManifestFile>> again = ManifestListReader::Decode(*encoded, "rewritten.avro");
  BRAID_FUZZ_CHECK(again.ok() && again->size() == list->size());
  for (size_t i = 0; i < list->size(); ++i) BRAID_FUZZ_CHECK(Same((*list)[i], (*again)[i]));
  return 0;
}
