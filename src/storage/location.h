#pragma once
// Locations: the absolute URIs Iceberg metadata uses for every file, and their local paths.
// Paths are kept as written (no percent-encoding), as Java's and pyiceberg's local file IO do.

#include <string>
#include <string_view>

#include "base/result.h"

namespace braid {

/// "file:///abs/path" for an absolute local path; relative paths are made absolute against the
/// current directory first.
std::string FileUri(std::string_view path);

/// The URI scheme of `location` ("s3" for "s3://b/k" and for a mistyped "s3:/k", "file"), or ""
/// for a plain path.
std::string_view SchemeOf(std::string_view location);

/// Whether `location` names a local file: "file:" URI or a plain path (no scheme).
bool IsLocalLocation(std::string_view location);

/// The local path of a local location: "file:///a/b" and "file:/a/b" (Java's form) give "/a/b",
/// "file://localhost/a/b" gives "/a/b", a plain path is returned as is. InvalidArgument for other
/// schemes or hosts.
Result<std::string> LocalPath(std::string_view location);

/// One spelling per file, for comparing locations written by different engines: local
/// locations as "file://" + path, s3a:// and s3n:// as s3://; others unchanged.
std::string CanonicalLocation(std::string_view location);

/// `base` + "/" + `name`, without doubling the slash.
std::string JoinLocation(std::string_view base, std::string_view name);

/// The last path component of a location ("v3.metadata.json").
std::string_view BaseName(std::string_view location);

/// The location without its last component ("file:///w/t/metadata").
std::string_view ParentLocation(std::string_view location);

}  // namespace braid
