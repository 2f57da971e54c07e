#pragma once
// FileSystem: the seam between braid and the place table files live. Locations are absolute
// URIs as Iceberg metadata stores them ("file:///warehouse/t/data/x.parquet",
// "s3://bucket/t/data/x.parquet"); a plain absolute path is accepted as a local location.
//
// Implementations are thread-safe: one instance may serve several tables and threads.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace braid {

/// One entry of a directory listing.
struct FileInfo {
  std::string name;  // the last path component, not the full location
  bool is_directory = false;
  uint64_t size = 0;
  int64_t modified_ms = 0;  // last modification, milliseconds since the epoch (files only)
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// Reads the whole file. NotFound if it does not exist, IoError on other failures.
  virtual Result<std::string> ReadFile(const std::string& location) = 0;

  /// The size of the file in bytes. NotFound if it does not exist.
  virtual Result<uint64_t> FileSize(const std::string& location) = 0;

  /// Whether a file or directory exists at `location`.
  virtual Result<bool> Exists(const std::string& location) = 0;

  /// Writes `data` durably, replacing any file at `location` atomically: a reader sees the old
  /// content or the new, never a mix, and after success the new content survives a crash.
  virtual Status WriteFile(const std::string& location, std::string_view data) = 0;

  /// Creates `location` holding `data` durably only if nothing is there, atomically (no reader
  /// sees partial content). Fails with AlreadyExists if the file exists, which is how the file
  /// catalog detects a lost commit race.
  virtual Status CreateFileExclusive(const std::string& location, std::string_view data) = 0;

  /// A local path where a library that only writes local files (DuckDB's Parquet writer) should
  /// write the file meant for `location`. Hand it to FinishLocalWrite afterwards.
  virtual Result<std::string> LocalPathForWrite(const std::string& location) = 0;

  /// Makes the file written at `local_path` durable at `location` (local: fsync of the file
  /// and its directory; an object store: upload). `local_path` must come from
  /// LocalPathForWrite(location).
  virtual Status FinishLocalWrite(const std::string& local_path, const std::string& location) = 0;

  /// Deletes one file; deleting a missing file succeeds.
  virtual Status DeleteFile(const std::string& location) = 0;

  /// The entries directly under a directory, sorted by name. NotFound if it does not exist.
  virtual Result<std::vector<FileInfo>> List(const std::string& location) = 0;

  /// Creates a directory and its parents; no-op where directories do not exist (object stores).
  virtual Status CreateDirectories(const std::string& location) = 0;

  /// Deletes a directory and everything under it; a missing directory succeeds.
  virtual Status DeleteRecursively(const std::string& location) = 0;

  /// Whether CreateFileExclusive really is atomic create-if-absent for files under the
  /// directory `location` (local: always; S3: only where the store honours If-None-Match, found
  /// by a probe that writes and deletes one object there). Fails only when the probe cannot run.
  virtual Result<bool> SupportsExclusiveCreate(const std::string& location) = 0;

  /// What error messages call this store ("the local file system", an S3 endpoint URL).
  virtual std::string StoreName() const { return "this file system"; }
};

/// The file system serving `location` with settings from the environment only: "file:" URIs and
/// absolute paths are local, s3:// (s3a://, s3n://) is S3. InvalidArgument naming the scheme for
/// any other.
Result<std::shared_ptr<FileSystem>> FileSystemFor(const std::string& location);

/// The file system serving `location`, configured by catalog properties under Iceberg's names
/// (s3.endpoint, s3.region, s3.access-key-id, ...; the environment fills what they omit: see
/// S3Options). InvalidArgument naming the scheme for one braid does not support ("gs://",
/// "hdfs://", a malformed "s3:/x"): never a local fallback.
Result<std::shared_ptr<FileSystem>> FileSystemFor(
    const std::string& location, const std::map<std::string, std::string>& properties);

}  // namespace braid
