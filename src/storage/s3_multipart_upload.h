#pragma once
// S3MultipartUpload: uploads one local file as an S3 multipart upload (initiate, parts in
// order, complete). Any failure aborts the upload so no parts are left billed on the store;
// the object appears only when Complete succeeds, so readers never see a partial file.

#include <cstdint>
#include <string>

#include "storage/s3_client.h"

namespace braid {

class S3MultipartUpload {
 public:
  /// Uploads `local_path` (of `size` bytes) to `bucket`/`key` in parts of `part_size` bytes
  /// (S3 needs 5 MiB..5 GiB per part but the last). Done only after the store's 2xx to Complete.
  /// IoError naming the file or the part on failure.
  static Status Upload(S3Client& client, const std::string& bucket, const std::string& key,
                       const std::string& local_path, uint64_t size, uint64_t part_size);
};

}  // namespace braid
