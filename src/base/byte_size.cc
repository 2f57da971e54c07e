#include "base/byte_size.h"

#include <charconv>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace braid {

Result<size_t> ParseByteSize(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format(
        "\"{}\" is not a byte size: write a positive number with an optional unit, e.g. 256MiB, "
        "512MB, 1GiB",
        text));
  };
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n == 0) return bad();
  std::string_view unit(ptr, static_cast<size_t>(text.data() + text.size() - ptr));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  static constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"", 1},          {"B", 1},
      {"k", 1ull << 10}, {"K", 1ull << 10}, {"KiB", 1ull << 10}, {"KB", 1000},
      {"M", 1ull << 20}, {"MiB", 1ull << 20}, {"MB", 1000000},
      {"G", 1ull << 30}, {"GiB", 1ull << 30}, {"GB", 1000000000}};
  for (const auto& [name, factor] : kUnits) {
    if (unit != name) continue;
    if (n > std::numeric_limits<size_t>::max() / factor) return bad();
    return static_cast<size_t>(n * factor);
  }
  return bad();
}

}  // namespace braid
