#pragma once
// ManifestWriter: writes the manifest of one fast append: an Avro file of ADDED entries, with
// the header keys readers expect (schema, schema-id, partition-spec, partition-spec-id,
// format-version "2", content "data").

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
  /// The manifest bytes for `files`, all ADDED by `snapshot_id`, with null sequence numbers so
  /// that they inherit the sequence number the manifest list gives the manifest (which keeps
  /// the file valid if the commit is retried with another sequence number).
  static Result<std::string> Encode(const IcebergSchema& schema, const PartitionSpec& spec,
                                    SnapshotId snapshot_id, const std::vector<DataFile>& files);

  /// Encodes and creates the manifest at `location` (which must not exist). Returns its list
  /// entry: exact manifest_length, counts and added_snapshot_id; sequence numbers are left 0
  /// for the commit to fill in.
  static Result<ManifestFile> Write(FileSystem& fs, const std::string& location,
                                    const IcebergSchema& schema, const PartitionSpec& spec,
                                    SnapshotId snapshot_id, const std::vector<DataFile>& files);
};

}  // namespace braid
