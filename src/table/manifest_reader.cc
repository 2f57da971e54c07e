#include "table/manifest_reader.h"

#include <charconv>

#include <fmt/format.h>

#include "table/avro_reader.h"
#include "table/avro_record_view.h"

namespace braid {
namespace {

// Iceberg writes int-keyed maps as arrays of key/value records; an Avro map with string keys
// is read too.
template <typename T, typename Get>
std::map<int, T> IntMap(const AvroRecordView& file, int field_id, Get get) {
  std::map<int, T> out;
  std::optional<AvroRecordView> f = file.Field(field_id);
  if (!f) return out;
  const AvroDatum& d = f->datum();
  if (d.kind == AvroDatum::Kind::kMap) {
    for (size_t i = 0; i < d.items.size(); ++i) {
      int key = 0;
      const std::string& k = d.keys[i];
      if (std::from_chars(k.data(), k.data() + k.size(), key).ec == std::errc()) {
        if (std::optional<T> v = get(d.items[i])) out[key] = *v;
      }
    }
    return out;
  }
  for (const AvroDatum& kv : d.items) {
    if (kv.kind != AvroDatum::Kind::kRecord || kv.items.size() < 2) continue;
    if (kv.items[0].kind != AvroDatum::Kind::kLong) continue;
    if (std::optional<T> v = get(kv.items[1])) out[static_cast<int>(kv.items[0].long_value)] = *v;
  }
  return out;
}

std::optional<int64_t> AsLong(const AvroDatum& d) {
  if (d.kind != AvroDatum::Kind::kLong) return std::nullopt;
  return d.long_value;
}

std::optional<std::string> AsBytes(const AvroDatum& d) {
  if (d.kind != AvroDatum::Kind::kBytes) return std::nullopt;
  return d.bytes;
}

}  // namespace

Result<std::vector<ManifestEntry>> ManifestReader::Decode(std::string bytes,
                                                          const ManifestFile& manifest) {
  const std::string& what = manifest.manifest_path;
  BRAID_ASSIGN_OR_RETURN(AvroReader reader, AvroReader::Open(std::move(bytes), what));
  BRAID_ASSIGN_OR_RETURN(std::vector<AvroDatum> records, reader.ReadAll());
  int spec_id = manifest.partition_spec_id;
  auto spec_key = reader.metadata().find("partition-spec-id");
  if (spec_key != reader.metadata().end()) {
    std::from_chars(spec_key->second.data(), spec_key->second.data() + spec_key->second.size(), spec_id);
  }
  std::vector<ManifestEntry> out;
  out.reserve(records.size());
  for (const AvroDatum& record : records) {
    AvroRecordView r(reader.schema(), record);
    std::optional<int64_t> status = r.Long(0);
    std::optional<AvroRecordView> file = r.Field(2);
    if (!status || *status < 0 || *status > 2 || !file) {
      return Status::Corruption(fmt::format("{}: manifest entry lacks a valid status or data_file", what));
    }
    ManifestEntry e;
    e.status = static_cast<EntryStatus>(*status);
    std::optional<int64_t> snapshot = r.Long(1);
    e.snapshot_id = SnapshotId(snapshot.value_or(manifest.added_snapshot_id.value()));
    bool inherit = e.status == EntryStatus::kAdded;
    std::optional<int64_t> seq = r.Long(3);
    std::optional<int64_t> file_seq = r.Long(4);
    if (!seq && inherit) seq = manifest.sequence_number;
    if (!file_seq && inherit) file_seq = manifest.sequence_number;
    e.sequence_number = seq;
    e.file_sequence_number = file_seq;

    DataFile& f = e.data_file;
    std::optional<std::string> path = file->Bytes(100);
    std::optional<int64_t> count = file->Long(103);
    std::optional<int64_t> size = file->Long(104);
    if (!path || !count || !size) {
      return Status::Corruption(fmt::format(
          "{}: data_file lacks file_path, record_count or file_size_in_bytes", what));
    }
    f.file_path = *path;
    f.record_count = *count;
    f.file_size_in_bytes = *size;
    f.content = static_cast<int>(file->Long(134).value_or(0));
    f.file_format = file->Bytes(101).value_or("PARQUET");
    f.column_sizes = IntMap<int64_t>(*file, 108, AsLong);
    f.value_counts = IntMap<int64_t>(*file, 109, AsLong);
    f.null_value_counts = IntMap<int64_t>(*file, 110, AsLong);
    f.nan_value_counts = IntMap<int64_t>(*file, 137, AsLong);
    f.lower_bounds = IntMap<std::string>(*file, 125, AsBytes);
    f.upper_bounds = IntMap<std::string>(*file, 128, AsBytes);
    if (std::optional<AvroRecordView> offsets = file->Field(132)) {
      for (const AvroDatum& o : offsets->datum().items) {
        if (o.kind == AvroDatum::Kind::kLong) f.split_offsets.push_back(o.long_value);
      }
    }
    if (std::optional<int64_t> order = file->Long(140)) f.sort_order_id = static_cast<int>(*order);
    f.spec_id = spec_id;
    if (std::optional<AvroRecordView> partition = file->Field(102)) f.partition = partition->datum().items;
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<ManifestEntry>> ManifestReader::Read(FileSystem& fs, const ManifestFile& manifest) {
  BRAID_ASSIGN_OR_RETURN(std::string bytes, fs.ReadFile(manifest.manifest_path));
  return Decode(std::move(bytes), manifest);
}

}  // namespace braid
