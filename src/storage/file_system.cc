#include "storage/file_system.h"

#include <fmt/format.h>

#include "storage/local_file_system.h"
#include "storage/location.h"
#include "storage/s3_file_system.h"
#include "storage/s3_uri.h"

namespace braid {

Result<std::shared_ptr<FileSystem>> FileSystemFor(const std::string& location) {
  return FileSystemFor(location, {});
}

Result<std::shared_ptr<FileSystem>> FileSystemFor(
    const std::string& location, const std::map<std::string, std::string>& properties) {
  if (IsLocalLocation(location)) return std::shared_ptr<FileSystem>(LocalFileSystem::Instance());
  if (S3Uri::HasS3Scheme(location)) {
    BRAID_RETURN_IF_ERROR(S3Uri::Parse(location).status());
    BRAID_ASSIGN_OR_RETURN(std::shared_ptr<S3FileSystem> s3, S3FileSystem::Make(properties));
    return std::shared_ptr<FileSystem>(std::move(s3));
  }
  return Status::InvalidArgument(fmt::format(
      "location \"{}\": the storage scheme \"{}\" is not supported; use a local path, file:// or s3://",
      location, SchemeOf(location)));
}

}  // namespace braid
