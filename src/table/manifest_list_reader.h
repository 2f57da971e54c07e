#pragma once
// ManifestListReader: reads a manifest list written by any Iceberg writer (v1 or v2), by field
// id. v1 lists lack sequence numbers and content: they read as 0 (data).

#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/manifest_file.h"

namespace braid {

class ManifestListReader {
 public:
  /// Decodes manifest list bytes; `what` names the file for errors. Corruption when a required
  /// field (path, length, snapshot) is missing.
  static Result<std::vector<ManifestFile>> Decode(std::string bytes, const std::string& what);

  /// Reads and decodes the manifest list at `location`.
  static Result<std::vector<ManifestFile>> Read(FileSystem& fs, const std::string& location);
};

}  // namespace braid
