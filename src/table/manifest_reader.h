#pragma once
// ManifestReader: reads the entries of a manifest written by any Iceberg writer (v1 or v2), by
// field id, applying the spec's inheritance: a null snapshot_id takes the manifest's
// added_snapshot_id, and an ADDED entry's null sequence numbers take the manifest's
// sequence_number (v1 manifests have none: 0).

#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/data_file.h"
#include "table/manifest_file.h"

namespace braid {

class ManifestReader {
 public:
  /// Decodes manifest bytes described by `manifest` (its path names the file in errors).
  static Result<std::vector<ManifestEntry>> Decode(std::string bytes, const ManifestFile& manifest);

  /// Reads and decodes `manifest.manifest_path`.
  static Result<std::vector<ManifestEntry>> Read(FileSystem& fs, const ManifestFile& manifest);
};

}  // namespace braid
