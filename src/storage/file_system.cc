#include "storage/file_system.h"

#include <fmt/format.h>

#include "storage/local_file_system.h"
#include "storage/location.h"

namespace braid {

Result<std::shared_ptr<FileSystem>> FileSystemFor(const std::string& location) {
  if (IsLocalLocation(location)) return std::shared_ptr<FileSystem>(LocalFileSystem::Instance());
  return Status::InvalidArgument(fmt::format(
      "location \"{}\": only local files (file:// or an absolute path) are supported so far",
      location));
}

Result<std::shared_ptr<FileSystem>> FileSystemFor(
    const std::string& location, const std::map<std::string, std::string>& /*properties*/) {
  return FileSystemFor(location);
}

}  // namespace braid
