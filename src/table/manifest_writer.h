#pragma once
// ManifestWriter: writes a data manifest: an Avro file of ADDED, EXISTING or DELETED entries, with
// the header keys readers expect (schema, schema-id, partition-spec, partition-spec-id,
// format-version "2", content "data"), and each entry's partition tuple typed by the spec.

#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/data_file.h"
#include "table/iceberg_schema.h"
#include "table/manifest_file.h"
#include "table/table_metadata.h"

namespace braid {

class ManifestWriter {
 public:
  /// `files` as ADDED entries of `snapshot_id` with null sequence numbers, so that they inherit
  /// the sequence number the manifest list gives the manifest (which keeps the file valid if
  /// the commit is retried with another sequence number).
  static std::vector<ManifestEntry> AddedEntries(SnapshotId snapshot_id, const std::vector<DataFile>& files);

  /// The manifest bytes for `entries`, in order. ADDED entries are written with null sequence
  /// numbers (inherited); EXISTING and DELETED ones keep their snapshot id and both sequence
  /// numbers, which they must have (InvalidArgument otherwise).
  static Result<std::string> Encode(const IcebergSchema& schema, const PartitionSpec& spec,
                                    const std::vector<ManifestEntry>& entries);

  /// Encodes and creates the manifest at `location` (which must not exist), written by
  /// `snapshot_id`. Returns its list entry: exact manifest_length, the counts of each status
  /// and added_snapshot_id; sequence_number is left 0 for the commit to set with
  /// SetSequenceNumber, min_sequence_number holds the EXISTING entries' minimum (0 if none).
  static Result<ManifestFile> Write(FileSystem& fs, const std::string& location,
                                    const IcebergSchema& schema, const PartitionSpec& spec,
                                    SnapshotId snapshot_id, const std::vector<ManifestEntry>& entries);

  /// The manifest of one fast append: `files`, all ADDED by `snapshot_id`.
  static Result<std::string> Encode(const IcebergSchema& schema, const PartitionSpec& spec,
                                    SnapshotId snapshot_id, const std::vector<DataFile>& files) {
    return Encode(schema, spec, AddedEntries(snapshot_id, files));
  }
  static Result<ManifestFile> Write(FileSystem& fs, const std::string& location,
                                    const IcebergSchema& schema, const PartitionSpec& spec,
                                    SnapshotId snapshot_id, const std::vector<DataFile>& files) {
    return Write(fs, location, schema, spec, snapshot_id, AddedEntries(snapshot_id, files));
  }

  /// The manifest list's summary of each partition field over `entries` (field 507): whether
  /// a null (and for floating types a NaN) occurs, and the lowest and highest values in
  /// single-value serialization by `types` (the fields' result types).
  static std::vector<PartitionFieldSummary> SummarizePartitions(const std::vector<std::string>& types,
                                                                const std::vector<ManifestEntry>& entries);

  /// Gives a manifest Write returned the commit's sequence number, and the minimum sequence
  /// number that follows from it (its ADDED entries inherit it).
  static void SetSequenceNumber(ManifestFile& manifest, int64_t sequence_number);
};

}  // namespace braid
