#pragma once
// ManifestListWriter: writes a snapshot's manifest list (Avro, v2 manifest_file records) with
// the header keys snapshot-id, parent-snapshot-id ("null" when none), sequence-number and
// format-version "2".

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/manifest_file.h"

namespace braid {

class ManifestListWriter {
 public:
  /// The manifest list bytes for a snapshot; `manifests` are written in order, unchanged.
  static Result<std::string> Encode(SnapshotId snapshot_id, std::optional<SnapshotId> parent_id,
                                    int64_t sequence_number,
                                    const std::vector<ManifestFile>& manifests);

  /// Encodes and creates the manifest list at `location` (which must not exist).
  static Status Write(FileSystem& fs, const std::string& location, SnapshotId snapshot_id,
                      std::optional<SnapshotId> parent_id, int64_t sequence_number,
                      const std::vector<ManifestFile>& manifests);
};

}  // namespace braid
