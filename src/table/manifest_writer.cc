#include "table/manifest_writer.h"

#include <fmt/format.h>

#include "table/avro_writer.h"
#include "table/manifest_schemas.h"

namespace braid {
namespace {

AvroDatum IntLongMap(const std::map<int, int64_t>& m) {
  if (m.empty()) return AvroDatum::Null();
  std::vector<AvroDatum> items;
  for (const auto& [k, v] : m) items.push_back(AvroDatum::Record({AvroDatum::Long(k), AvroDatum::Long(v)}));
  return AvroDatum::Array(std::move(items));
}

AvroDatum IntBytesMap(const std::map<int, std::string>& m) {
  if (m.empty()) return AvroDatum::Null();
  std::vector<AvroDatum> items;
  for (const auto& [k, v] : m) items.push_back(AvroDatum::Record({AvroDatum::Long(k), AvroDatum::Bytes(v)}));
  return AvroDatum::Array(std::move(items));
}

AvroDatum Entry(SnapshotId snapshot_id, const DataFile& f) {
  std::vector<AvroDatum> offsets;
  for (int64_t o : f.split_offsets) offsets.push_back(AvroDatum::Long(o));
  AvroDatum data_file = AvroDatum::Record({
      AvroDatum::Long(f.content),
      AvroDatum::Bytes(f.file_path),
      AvroDatum::Bytes(f.file_format),
      AvroDatum::Record({}),  // unpartitioned: the empty partition tuple
      AvroDatum::Long(f.record_count),
      AvroDatum::Long(f.file_size_in_bytes),
      IntLongMap(f.column_sizes),
      IntLongMap(f.value_counts),
      IntLongMap(f.null_value_counts),
      IntLongMap(f.nan_value_counts),
      IntBytesMap(f.lower_bounds),
      IntBytesMap(f.upper_bounds),
      offsets.empty() ? AvroDatum::Null() : AvroDatum::Array(std::move(offsets)),
      f.sort_order_id ? AvroDatum::Long(*f.sort_order_id) : AvroDatum::Null(),
  });
  return AvroDatum::Record({
      AvroDatum::Long(static_cast<int>(EntryStatus::kAdded)),
      AvroDatum::Long(snapshot_id.value()),
      AvroDatum::Null(),  // sequence_number: inherited
      AvroDatum::Null(),  // file_sequence_number: inherited
      std::move(data_file),
  });
}

}  // namespace

Result<std::string> ManifestWriter::Encode(const IcebergSchema& schema, const PartitionSpec& spec,
                                           SnapshotId snapshot_id,
                                           const std::vector<DataFile>& files) {
  if (!spec.fields.empty()) {
    return Status::InvalidArgument(fmt::format(
        "partition spec {} has fields: braid writes unpartitioned tables only", spec.spec_id));
  }
  BRAID_ASSIGN_OR_RETURN(
      AvroWriter writer,
      AvroWriter::Create(ManifestEntrySchemaJson(nlohmann::ordered_json::array()),
                         {{"schema", schema.ToJson().dump()},
                          {"schema-id", std::to_string(schema.schema_id)},
                          {"partition-spec", spec.fields.dump()},
                          {"partition-spec-id", std::to_string(spec.spec_id)},
                          {"format-version", "2"},
                          {"content", "data"}}));
  for (const DataFile& f : files) {
    Status st = writer.Append(Entry(snapshot_id, f));
    if (!st.ok()) return st.WithContext(fmt::format("manifest entry for {}", f.file_path));
  }
  return writer.Finish();
}

Result<ManifestFile> ManifestWriter::Write(FileSystem& fs, const std::string& location,
                                           const IcebergSchema& schema, const PartitionSpec& spec,
                                           SnapshotId snapshot_id,
                                           const std::vector<DataFile>& files) {
  BRAID_ASSIGN_OR_RETURN(std::string bytes, Encode(schema, spec, snapshot_id, files));
  BRAID_RETURN_IF_ERROR(fs.CreateFileExclusive(location, bytes));
  ManifestFile m;
  m.manifest_path = location;
  m.manifest_length = static_cast<int64_t>(bytes.size());
  m.partition_spec_id = spec.spec_id;
  m.content = 0;
  m.added_snapshot_id = snapshot_id;
  m.added_files_count = static_cast<int32_t>(files.size());
  for (const DataFile& f : files) m.added_rows_count += f.record_count;
  m.partitions = std::vector<PartitionFieldSummary>{};  // no partition fields to summarize
  return m;
}

}  // namespace braid
