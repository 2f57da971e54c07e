#include "storage/location.h"

#include <cctype>
#include <filesystem>

#include <fmt/format.h>

namespace braid {

std::string FileUri(std::string_view path) {
  std::string abs(path);
  if (abs.empty() || abs.front() != '/') abs = std::filesystem::absolute(abs).lexically_normal().string();
  return "file://" + abs;
}

std::string_view SchemeOf(std::string_view location) {
  // RFC 3986: a letter, then letters, digits, '+', '-' or '.', then ':'. One letter is a
  // Windows drive ("C:"), not a scheme.
  size_t colon = location.find(':');
  if (colon == std::string_view::npos || colon < 2 || !std::isalpha(static_cast<unsigned char>(location[0]))) {
    return {};
  }
  for (size_t i = 1; i < colon; ++i) {
    char c = location[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  }
  return location.substr(0, colon);
}

bool IsLocalLocation(std::string_view location) {
  // "s3:/x" or "s3a:bucket" are mistyped remote locations, never relative paths.
  std::string_view scheme = SchemeOf(location);
  return scheme.empty() || scheme == "file";
}

Result<std::string> LocalPath(std::string_view location) {
  if (!location.starts_with("file:")) {
    if (!IsLocalLocation(location)) {
      return Status::InvalidArgument(
          fmt::format("location \"{}\" is not a local file (only file: locations here)", location));
    }
    return std::string(location);
  }
  std::string_view rest = location.substr(5);
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    size_t slash = rest.find('/');
    std::string_view host = rest.substr(0, slash);
    if (!host.empty() && host != "localhost") {
      return Status::InvalidArgument(
          fmt::format("location \"{}\" names host \"{}\": only local files are supported", location,
                      host));
    }
    if (slash == std::string_view::npos) return std::string("/");
    rest.remove_prefix(slash);
  }
  if (rest.empty() || rest.front() != '/') {
    return Status::InvalidArgument(fmt::format("location \"{}\" is not an absolute path", location));
  }
  return std::string(rest);
}

std::string JoinLocation(std::string_view base, std::string_view name) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  return fmt::format("{}/{}", base, name);
}

std::string_view BaseName(std::string_view location) {
  size_t slash = location.rfind('/');
  return slash == std::string_view::npos ? location : location.substr(slash + 1);
}

std::string_view ParentLocation(std::string_view location) {
  size_t slash = location.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : location.substr(0, slash);
}

}  // namespace braid

namespace braid {

std::string CanonicalLocation(std::string_view location) {
  if (IsLocalLocation(location)) {
    Result<std::string> path = LocalPath(location);
    if (path.ok()) return "file://" + *path;
    return std::string(location);
  }
  std::string_view scheme = SchemeOf(location);
  if (scheme == "s3a" || scheme == "s3n") return "s3" + std::string(location.substr(scheme.size()));
  return std::string(location);
}

}  // namespace braid
