#include "storage/s3_uri.h"

#include <fmt/format.h>

namespace braid {

bool S3Uri::HasS3Scheme(std::string_view location) {
  return location.starts_with("s3:") || location.starts_with("s3a:") || location.starts_with("s3n:");
}

Result<S3Uri> S3Uri::Parse(std::string_view location) {
  size_t colon = location.find(':');
  if (!HasS3Scheme(location) || location.substr(colon, 3) != "://") {
    return Status::InvalidArgument(fmt::format(
        "location \"{}\" is not an S3 location: write s3://bucket/path", location));
  }
  S3Uri uri;
  uri.scheme = std::string(location.substr(0, colon));
  std::string_view rest = location.substr(colon + 3);
  size_t slash = rest.find('/');
  uri.bucket = std::string(rest.substr(0, slash));
  if (uri.bucket.empty()) {
    return Status::InvalidArgument(fmt::format(
        "location \"{}\" names no bucket: write s3://bucket/path", location));
  }
  if (slash != std::string_view::npos) {
    std::string_view key = rest.substr(slash);
    while (!key.empty() && key.front() == '/') key.remove_prefix(1);
    uri.key = std::string(key);
  }
  return uri;
}

std::string S3Uri::ToString() const { return fmt::format("{}://{}/{}", scheme, bucket, key); }

}  // namespace braid
