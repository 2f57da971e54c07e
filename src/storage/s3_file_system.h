#pragma once
// S3FileSystem: FileSystem over an S3-compatible object store (AWS S3, MinIO, S3Proxy,
// SeaweedFS) for "s3://bucket/key" locations ("s3a://" and "s3n://" read the same).
//
// Mapping: ReadFile/ReadRange = GET (Range), FileSize = HEAD, Exists = HEAD then a one-key list
// (a "directory" exists when objects sit under it), WriteFile = PUT (S3 replaces objects
// atomically), CreateFileExclusive = PUT with If-None-Match: * (412 -> AlreadyExists, 409 ->
// Conflict), FinishLocalWrite = PUT, or a multipart upload above options().multipart_threshold,
// List = ListObjectsV2 with delimiter '/' over every page (common prefixes are directories),
// DeleteFile = DELETE (missing is fine), DeleteRecursively = list the prefix and delete each
// object, CreateDirectories = nothing (object stores have no directories).
// Every request is signed (SigV4) and retried as S3Client says; a write is done only after the
// store's 2xx. Thread-safe. Credentials never appear in a Status.

#include <map>
#include <memory>
#include <mutex>

#include "storage/file_system.h"
#include "storage/s3_client.h"
#include "storage/s3_uri.h"
#include "storage/s3_xml.h"

namespace braid {

class S3FileSystem final : public FileSystem {
 public:
  /// An S3FileSystem configured from catalog properties and the environment (S3Options).
  static Result<std::shared_ptr<S3FileSystem>> Make(const std::map<std::string, std::string>& properties);

  /// Over an explicit client (tests inject the HTTP seam, sleep and clock through it).
  explicit S3FileSystem(std::shared_ptr<S3Client> client) : client_(std::move(client)) {}

  Result<std::string> ReadFile(const std::string& location) override;
  /// Reads `length` bytes from `offset` (fewer at the end of the object). NotFound if missing.
  Result<std::string> ReadRange(const std::string& location, uint64_t offset, uint64_t length);
  Result<uint64_t> FileSize(const std::string& location) override;
  Result<bool> Exists(const std::string& location) override;
  Status WriteFile(const std::string& location, std::string_view data) override;
  Status CreateFileExclusive(const std::string& location, std::string_view data) override;
  /// A fresh file under the system temp directory; FinishLocalWrite uploads and removes it.
  Result<std::string> LocalPathForWrite(const std::string& location) override;
  Status FinishLocalWrite(const std::string& local_path, const std::string& location) override;
  Status DeleteFile(const std::string& location) override;
  Result<std::vector<FileInfo>> List(const std::string& location) override;
  Status CreateDirectories(const std::string& location) override;
  Status DeleteRecursively(const std::string& location) override;
  /// Probes once per bucket: creates a unique object under `location` twice with If-None-Match
  /// and expects the second to fail with 412; deletes the probe. The answer is cached.
  Result<bool> SupportsExclusiveCreate(const std::string& location) override;

  /// The endpoint URL ("http://127.0.0.1:9000", or AWS's regional host).
  std::string StoreName() const override { return client_->options().EndpointName(); }

  S3Client& client() { return *client_; }

 private:
  /// Every object whose key starts with `prefix` (all pages), or with `delimiter` the first level.
  Result<S3ListPage> ListAll(const std::string& bucket, const std::string& prefix, bool delimited, int max_keys = 0);
  Status Put(const S3Uri& uri, std::string_view data);

  std::shared_ptr<S3Client> client_;
  std::mutex mu_;
  std::map<std::string, bool> exclusive_create_;  // by bucket; guarded by mu_
};

}  // namespace braid
