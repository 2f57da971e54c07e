#include "table/manifest_list_reader.h"

#include <fmt/format.h>

#include "table/avro_reader.h"
#include "table/avro_record_view.h"

namespace braid {

Result<std::vector<ManifestFile>> ManifestListReader::Decode(std::string bytes,
                                                             const std::string& what) {
  BRAID_ASSIGN_OR_RETURN(AvroReader reader, AvroReader::Open(std::move(bytes), what));
  BRAID_ASSIGN_OR_RETURN(std::vector<AvroDatum> records, reader.ReadAll());
  std::vector<ManifestFile> out;
  for (const AvroDatum& record : records) {
    AvroRecordView r(reader.schema(), record);
    ManifestFile m;
    std::optional<std::string> path = r.Bytes(500);
    std::optional<int64_t> length = r.Long(501);
    std::optional<int64_t> snapshot = r.Long(503);
    if (!path || !length || !snapshot) {
      return Status::Corruption(fmt::format(
          "{}: manifest list entry lacks manifest_path, manifest_length or added_snapshot_id", what));
    }
    m.manifest_path = *path;
    m.manifest_length = *length;
    m.added_snapshot_id = SnapshotId(*snapshot);
    m.partition_spec_id = static_cast<int>(r.Long(502).value_or(0));
    m.content = static_cast<int>(r.Long(517).value_or(0));
    m.sequence_number = r.Long(515).value_or(0);
    m.min_sequence_number = r.Long(516).value_or(0);
    const std::optional<int64_t> added = r.Long(504), existing = r.Long(505);
    m.file_counts_known = added.has_value() && existing.has_value();
    m.added_files_count = static_cast<int32_t>(added.value_or(0));
    m.existing_files_count = static_cast<int32_t>(existing.value_or(0));
    m.deleted_files_count = static_cast<int32_t>(r.Long(506).value_or(0));
    m.added_rows_count = r.Long(512).value_or(0);
    m.existing_rows_count = r.Long(513).value_or(0);
    m.deleted_rows_count = r.Long(514).value_or(0);
    if (std::optional<AvroRecordView> parts = r.Field(507)) {
      const AvroNode* item = parts->ItemSchema();
      m.partitions.emplace();
      for (const AvroDatum& p : parts->datum().items) {
        if (item == nullptr) break;
        AvroRecordView s(*item, p);
        m.partitions->push_back({s.Bool(509).value_or(false), s.Bool(518), s.Bytes(510), s.Bytes(511)});
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<ManifestFile>> ManifestListReader::Read(FileSystem& fs,
                                                           const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string bytes, fs.ReadFile(location));
  return Decode(std::move(bytes), location);
}

}  // namespace braid
