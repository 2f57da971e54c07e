#pragma once
// S3Uri: a parsed "s3://bucket/key" location. "s3a://" and "s3n://" (Hadoop's names) mean the
// same; the scheme the user wrote is kept so locations braid returns read as they were given.

#include <string>
#include <string_view>

#include "base/result.h"

namespace braid {

struct S3Uri {
  std::string scheme;  // "s3", "s3a" or "s3n"
  std::string bucket;
  std::string key;  // no leading '/'; may be empty (the bucket's root)

  /// Parses `location`. InvalidArgument, naming it, for another scheme, a missing "//", or an
  /// empty bucket.
  static Result<S3Uri> Parse(std::string_view location);
  /// Whether `location` uses one of the S3 schemes (s3:, s3a:, s3n:), well formed or not.
  static bool HasS3Scheme(std::string_view location);

  /// "<scheme>://<bucket>/<key>".
  std::string ToString() const;
};

}  // namespace braid
