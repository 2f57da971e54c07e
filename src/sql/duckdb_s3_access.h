#pragma once
// DuckDbS3Access: lets a DuckDB session read s3:// Parquet directly through DuckDB's httpfs
// extension, configured from braid's own S3Options: the pinned extension file is LOADed (never
// installed or downloaded) and one DuckDB S3 secret is created per bucket, scoped to it. The
// secret's values are never echoed: a failed statement's message has them redacted.
// Not thread-safe (like the session that owns it).

#include <set>
#include <string>

#include "base/result.h"
#include "storage/s3_options.h"
#include "table/duckdb_connection.h"

namespace braid {

class DuckDbS3Access {
 public:
  /// The httpfs extension file: $BRAID_DUCKDB_EXTENSION_DIR, else the one scripts/setup.sh
  /// fetched next to libduckdb, + "/httpfs.duckdb_extension".
  static std::string ExtensionPath();
  /// Whether that file exists.
  static bool Available();

  explicit DuckDbS3Access(DuckDbConnection& db) : db_(db) {}

  /// Loads httpfs (once) and creates the secret for `bucket` (once per bucket). IoError naming
  /// the extension file when it is missing or does not load.
  Status Configure(const std::string& bucket, const S3Options& options);

 private:
  DuckDbConnection& db_;
  bool loaded_ = false;
  std::set<std::string> buckets_;
};

}  // namespace braid
