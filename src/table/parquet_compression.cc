#include "table/parquet_compression.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace braid {
namespace {

constexpr const char* kCodecProperty = "write.parquet.compression-codec";
constexpr const char* kLevelProperty = "write.parquet.compression-level";
constexpr std::array<std::string_view, 6> kCodecs = {"zstd", "snappy", "gzip", "brotli", "lz4_raw",
                                                     "uncompressed"};
constexpr int kMinZstdLevel = 1;
constexpr int kMaxZstdLevel = 22;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

Result<ParquetCompression> ParquetCompression::Of(const TableMetadata& metadata) {
  ParquetCompression c;
  if (auto it = metadata.properties.find(kCodecProperty); it != metadata.properties.end()) {
    c.codec = Lower(it->second);
    if (std::find(kCodecs.begin(), kCodecs.end(), c.codec) == kCodecs.end()) {
      return Status::InvalidArgument(fmt::format(
          "table property {} = \"{}\": braid writes Parquet with zstd, snappy, gzip, brotli, lz4_raw "
          "or uncompressed; set one of them",
          kCodecProperty, it->second));
    }
  }
  if (auto it = metadata.properties.find(kLevelProperty); it != metadata.properties.end()) {
    const std::string& v = it->second;
    if (c.codec != "zstd") {
      return Status::InvalidArgument(fmt::format(
          "table property {} = \"{}\": braid sets a compression level for zstd only, and the "
          "table's codec is {}; remove the level or set {} = zstd",
          kLevelProperty, v, c.codec, kCodecProperty));
    }
    int level = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), level);
    if (ec != std::errc() || end != v.data() + v.size() || level < kMinZstdLevel || level > kMaxZstdLevel) {
      return Status::InvalidArgument(fmt::format("table property {} = \"{}\": must be a whole number from {} to {}",
                                                 kLevelProperty, v, kMinZstdLevel, kMaxZstdLevel));
    }
    c.level = level;
  }
  return c;
}

std::string ParquetCompression::CopyOptions() const {
  return level ? fmt::format("COMPRESSION {}, COMPRESSION_LEVEL {}", codec, *level)
               : fmt::format("COMPRESSION {}", codec);
}

}  // namespace braid
