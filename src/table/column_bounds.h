#pragma once
// Column bounds in Iceberg's single-value binary serialization (spec, appendix D), as stored in
// a manifest's lower_bounds / upper_bounds, and the truncate(16) metrics mode for strings.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace braid {

/// int: 4 bytes little-endian.
std::string EncodeIntBound(int32_t v);
/// long and timestamptz (microseconds since the epoch, UTC): 8 bytes little-endian.
std::string EncodeLongBound(int64_t v);
/// double: 8-byte little-endian IEEE 754. Never pass NaN (NaN is never a bound).
std::string EncodeDoubleBound(double v);

/// The lower bound Iceberg keeps for a string: its first `code_points` code points (UTF-8).
std::string TruncateLowerBound(std::string_view utf8, size_t code_points = 16);

/// The upper bound Iceberg keeps for a string: the string itself if it has at most
/// `code_points` code points, else its first `code_points` code points with the last one
/// incremented (dropping trailing code points that are already U+10FFFF, and skipping the
/// surrogate range). nullopt when no upper bound exists (every code point is U+10FFFF).
std::optional<std::string> TruncateUpperBound(std::string_view utf8, size_t code_points = 16);

/// Renders a bound for people ("'abc'", "42", "2025-01-16T10:20:30.123456Z") given its Iceberg
/// type name; bytes of other types or of a wrong length are shown as hex.
std::string RenderBound(std::string_view iceberg_type, std::string_view bytes);

}  // namespace braid
