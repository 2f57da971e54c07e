#pragma once
// LocalFileSystem: FileSystem over POSIX files. Every write is fsynced together with its
// directory before it is reported done, so a committed table survives a power loss.

#include "storage/file_system.h"

namespace braid {

class LocalFileSystem final : public FileSystem {
 public:
  /// The process-wide instance (stateless, thread-safe).
  static std::shared_ptr<LocalFileSystem> Instance();

  Result<std::string> ReadFile(const std::string& location) override;
  Result<uint64_t> FileSize(const std::string& location) override;
  Result<bool> Exists(const std::string& location) override;
  Status WriteFile(const std::string& location, std::string_view data) override;
  Status CreateFileExclusive(const std::string& location, std::string_view data) override;
  Result<std::string> LocalPathForWrite(const std::string& location) override;
  Status FinishLocalWrite(const std::string& local_path, const std::string& location) override;
  Status DeleteFile(const std::string& location) override;
  Result<std::vector<FileInfo>> List(const std::string& location) override;
  Status CreateDirectories(const std::string& location) override;
  Status DeleteRecursively(const std::string& location) override;
  /// Always true: O_EXCL and link() make create-if-absent atomic.
  Result<bool> SupportsExclusiveCreate(const std::string&) override { return true; }
  std::string StoreName() const override { return "the local file system"; }
};

}  // namespace braid
