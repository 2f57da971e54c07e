#include "table/manifest_list_writer.h"

#include <fmt/format.h>

#include "table/avro_writer.h"
#include "table/manifest_schemas.h"

namespace braid {
namespace {

AvroDatum OptionalBytes(const std::optional<std::string>& v) {
  return v ? AvroDatum::Bytes(*v) : AvroDatum::Null();
}

AvroDatum Partitions(const std::optional<std::vector<PartitionFieldSummary>>& partitions) {
  if (!partitions) return AvroDatum::Null();
  std::vector<AvroDatum> items;
  for (const PartitionFieldSummary& p : *partitions) {
    items.push_back(AvroDatum::Record({
        AvroDatum::Bool(p.contains_null),
        p.contains_nan ? AvroDatum::Bool(*p.contains_nan) : AvroDatum::Null(),
        OptionalBytes(p.lower_bound),
        OptionalBytes(p.upper_bound),
    }));
  }
  return AvroDatum::Array(std::move(items));
}

}  // namespace

Result<std::string> ManifestListWriter::Encode(SnapshotId snapshot_id,
                                               std::optional<SnapshotId> parent_id,
                                               int64_t sequence_number,
                                               const std::vector<ManifestFile>& manifests) {
  BRAID_ASSIGN_OR_RETURN(
      AvroWriter writer,
      AvroWriter::Create(ManifestListSchemaJson(),
                         {{"snapshot-id", std::to_string(snapshot_id.value())},
                          {"parent-snapshot-id",
                           parent_id ? std::to_string(parent_id->value()) : std::string("null")},
                          {"sequence-number", std::to_string(sequence_number)},
                          {"format-version", "2"}}));
  for (const ManifestFile& m : manifests) {
    Status st = writer.Append(AvroDatum::Record({
        AvroDatum::Bytes(m.manifest_path),
        AvroDatum::Long(m.manifest_length),
        AvroDatum::Long(m.partition_spec_id),
        AvroDatum::Long(m.content),
        AvroDatum::Long(m.sequence_number),
        AvroDatum::Long(m.min_sequence_number),
        AvroDatum::Long(m.added_snapshot_id.value()),
        AvroDatum::Long(m.added_files_count),
        AvroDatum::Long(m.existing_files_count),
        AvroDatum::Long(m.deleted_files_count),
        AvroDatum::Long(m.added_rows_count),
        AvroDatum::Long(m.existing_rows_count),
        AvroDatum::Long(m.deleted_rows_count),
        Partitions(m.partitions),
    }));
    if (!st.ok()) return st.WithContext(fmt::format("manifest list entry for {}", m.manifest_path));
  }
  return writer.Finish();
}

Status ManifestListWriter::Write(FileSystem& fs, const std::string& location,
                                 SnapshotId snapshot_id, std::optional<SnapshotId> parent_id,
                                 int64_t sequence_number,
                                 const std::vector<ManifestFile>& manifests) {
  BRAID_ASSIGN_OR_RETURN(std::string bytes,
                         Encode(snapshot_id, parent_id, sequence_number, manifests));
  return fs.CreateFileExclusive(location, bytes);
}

}  // namespace braid
