#include "table/manifest_writer.h"

#include <cmath>

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

AvroDatum OptionalLong(const std::optional<int64_t>& v) {
  return v ? AvroDatum::Long(*v) : AvroDatum::Null();
}

AvroDatum Entry(const ManifestEntry& e) {
  const DataFile& f = e.data_file;
  std::vector<AvroDatum> offsets;
  for (int64_t o : f.split_offsets) offsets.push_back(AvroDatum::Long(o));
  AvroDatum data_file = AvroDatum::Record({
      AvroDatum::Long(f.content),
      AvroDatum::Bytes(f.file_path),
      AvroDatum::Bytes(f.file_format),
      AvroDatum::Record(f.partition),  // empty when unpartitioned
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
  const bool added = e.status == EntryStatus::kAdded;
  return AvroDatum::Record({
      AvroDatum::Long(static_cast<int>(e.status)),
      e.snapshot_id ? AvroDatum::Long(e.snapshot_id->value()) : AvroDatum::Null(),
      // ADDED entries inherit both sequence numbers from the manifest list; the others keep
      // the ones they were first written with.
      added ? AvroDatum::Null() : OptionalLong(e.sequence_number),
      added ? AvroDatum::Null() : OptionalLong(e.file_sequence_number),
      std::move(data_file),
  });
}

// Orders two non-null partition values of one field (same kind: both from one transform).
bool Less(const AvroDatum& a, const AvroDatum& b) {
  switch (a.kind) {
    case AvroDatum::Kind::kLong: return a.long_value < b.long_value;
    case AvroDatum::Kind::kDouble: return a.double_value < b.double_value;
    default: return a.bytes < b.bytes;  // UTF-8 byte order is code point order
  }
}

}  // namespace

std::vector<PartitionFieldSummary> ManifestWriter::SummarizePartitions(
    const std::vector<std::string>& types, const std::vector<ManifestEntry>& entries) {
  std::vector<PartitionFieldSummary> out(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    const AvroDatum* lower = nullptr;
    const AvroDatum* upper = nullptr;
    bool has_nan = false;
    for (const ManifestEntry& e : entries) {
      if (i >= e.data_file.partition.size()) continue;
      const AvroDatum& v = e.data_file.partition[i];
      if (v.is_null()) {
        out[i].contains_null = true;
      } else if (v.kind == AvroDatum::Kind::kDouble && std::isnan(v.double_value)) {
        has_nan = true;  // NaN is never a bound
      } else {
        if (lower == nullptr || Less(v, *lower)) lower = &v;
        if (upper == nullptr || Less(*upper, v)) upper = &v;
      }
    }
    if (types[i] == "double" || types[i] == "float") out[i].contains_nan = has_nan;
    if (lower != nullptr) out[i].lower_bound = PartitionValueBytes(*lower, types[i]);
    if (upper != nullptr) out[i].upper_bound = PartitionValueBytes(*upper, types[i]);
  }
  return out;
}

std::vector<ManifestEntry> ManifestWriter::AddedEntries(SnapshotId snapshot_id,
                                                        const std::vector<DataFile>& files) {
  std::vector<ManifestEntry> entries;
  entries.reserve(files.size());
  for (const DataFile& f : files) entries.push_back({EntryStatus::kAdded, snapshot_id, {}, {}, f});
  return entries;
}

Result<std::string> ManifestWriter::Encode(const IcebergSchema& schema, const PartitionSpec& spec,
                                           const std::vector<ManifestEntry>& entries) {
  BRAID_ASSIGN_OR_RETURN(nlohmann::ordered_json partition_fields, PartitionAvroFields(spec, schema));
  BRAID_ASSIGN_OR_RETURN(
      AvroWriter writer,
      AvroWriter::Create(ManifestEntrySchemaJson(partition_fields),
                         {{"schema", schema.ToJson().dump()},
                          {"schema-id", std::to_string(schema.schema_id)},
                          {"partition-spec", spec.FieldsJson().dump()},
                          {"partition-spec-id", std::to_string(spec.spec_id)},
                          {"format-version", "2"},
                          {"content", "data"}}));
  for (const ManifestEntry& e : entries) {
    if (e.status != EntryStatus::kAdded && (!e.snapshot_id || !e.sequence_number || !e.file_sequence_number)) {
      return Status::InvalidArgument(fmt::format(
          "manifest entry for {}: an EXISTING or DELETED entry needs its snapshot id and sequence numbers",
          e.data_file.file_path));
    }
    if (e.data_file.partition.size() != spec.fields.size()) {
      return Status::InvalidArgument(fmt::format(
          "manifest entry for {}: its partition tuple has {} values, partition spec {} has {} fields",
          e.data_file.file_path, e.data_file.partition.size(), spec.spec_id, spec.fields.size()));
    }
    Status st = writer.Append(Entry(e));
    if (!st.ok()) return st.WithContext(fmt::format("manifest entry for {}", e.data_file.file_path));
  }
  return writer.Finish();
}

Result<ManifestFile> ManifestWriter::Write(FileSystem& fs, const std::string& location,
                                           const IcebergSchema& schema, const PartitionSpec& spec,
                                           SnapshotId snapshot_id,
                                           const std::vector<ManifestEntry>& entries) {
  BRAID_ASSIGN_OR_RETURN(std::string bytes, Encode(schema, spec, entries));
  BRAID_RETURN_IF_ERROR(fs.CreateFileExclusive(location, bytes));
  ManifestFile m;
  m.manifest_path = location;
  m.manifest_length = static_cast<int64_t>(bytes.size());
  m.partition_spec_id = spec.spec_id;
  m.content = 0;
  m.added_snapshot_id = snapshot_id;
  for (const ManifestEntry& e : entries) {
    const int64_t rows = e.data_file.record_count;
    switch (e.status) {
      case EntryStatus::kAdded: ++m.added_files_count; m.added_rows_count += rows; break;
      case EntryStatus::kExisting: ++m.existing_files_count; m.existing_rows_count += rows; break;
      case EntryStatus::kDeleted: ++m.deleted_files_count; m.deleted_rows_count += rows; break;
    }
    if (e.status == EntryStatus::kExisting && e.sequence_number &&
        (m.min_sequence_number == 0 || *e.sequence_number < m.min_sequence_number)) {
      m.min_sequence_number = *e.sequence_number;
    }
  }
  m.partitions = SummarizePartitions(PartitionResultTypes(spec, schema), entries);
  return m;
}

void ManifestWriter::SetSequenceNumber(ManifestFile& manifest, int64_t sequence_number) {
  manifest.sequence_number = sequence_number;
  const bool inherits = manifest.added_files_count > 0 || manifest.min_sequence_number == 0;
  if (inherits && (manifest.min_sequence_number == 0 || sequence_number < manifest.min_sequence_number)) {
    manifest.min_sequence_number = sequence_number;
  }
}

}  // namespace braid
