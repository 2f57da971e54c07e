#pragma once
// TempDir: a fresh directory under the system temp dir, removed with everything in it when
// the test ends. Shared by the storage, table, catalog and sql tests.

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace braid {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "braid-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  /// file:// URI of the directory.
  std::string uri() const { return "file://" + path_; }

 private:
  std::string path_;
};

}  // namespace braid
