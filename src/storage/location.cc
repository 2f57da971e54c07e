#include "storage/location.h"

#include <filesystem>

#include <fmt/format.h>

namespace braid {

std::string FileUri(std::string_view path) {
  std::string abs(path);
  if (abs.empty() || abs.front() != '/') abs = std::filesystem::absolute(abs).lexically_normal().string();
  return "file://" + abs;
}

bool IsLocalLocation(std::string_view location) {
  if (location.starts_with("file:")) return true;
  // A scheme is letters followed by "://"; anything else is a path.
  size_t colon = location.find("://");
  return colon == std::string_view::npos;
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
