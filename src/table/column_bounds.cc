#include "table/column_bounds.h"

#include <bit>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "base/time_format.h"
#include "base/types.h"

namespace braid {
namespace {

template <typename T>
std::string LittleEndian(T v) {
  static_assert(std::endian::native == std::endian::little, "braid assumes a little-endian host");
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}

// Splits UTF-8 into code points. A byte that does not start a valid sequence counts as one
// code point of its own so that malformed input never reads past the end.
std::vector<uint32_t> CodePoints(std::string_view s, size_t limit) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size() && out.size() < limit) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.push_back(cp);
    i += len;
  }
  return out;
}

size_t PrefixBytes(std::string_view s, size_t code_points) {
  size_t i = 0;
  for (size_t n = 0; n < code_points && i < s.size(); ++n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
    i += (i + len > s.size()) ? 1 : len;
  }
  return i;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

template <typename T>
bool ReadLittleEndian(std::string_view bytes, T* v) {
  if (bytes.size() != sizeof(T)) return false;
  std::memcpy(v, bytes.data(), sizeof(T));
  return true;
}

}  // namespace

std::string EncodeIntBound(int32_t v) { return LittleEndian(v); }
std::string EncodeLongBound(int64_t v) { return LittleEndian(v); }
std::string EncodeDoubleBound(double v) { return LittleEndian(v); }

std::string TruncateLowerBound(std::string_view utf8, size_t code_points) {
  return std::string(utf8.substr(0, PrefixBytes(utf8, code_points)));
}

std::optional<std::string> TruncateUpperBound(std::string_view utf8, size_t code_points) {
  size_t prefix = PrefixBytes(utf8, code_points);
  if (prefix == utf8.size()) return std::string(utf8);
  std::vector<uint32_t> cps = CodePoints(utf8, code_points);
  while (!cps.empty()) {
    uint32_t next = cps.back() + 1;
    if (next == 0xd800) next = 0xe000;  // surrogates are not characters
    if (next <= 0x10ffff) {
      cps.back() = next;
      std::string out;
      for (uint32_t cp : cps) AppendUtf8(cp, &out);
      return out;
    }
    cps.pop_back();
  }
  return std::nullopt;
}

std::string RenderBound(std::string_view iceberg_type, std::string_view bytes) {
  if (iceberg_type == "string") return fmt::format("'{}'", bytes);
  if (iceberg_type == "int" || iceberg_type == "date") {
    int32_t v;
    if (ReadLittleEndian(bytes, &v)) return fmt::format("{}", v);
  } else if (iceberg_type == "long") {
    int64_t v;
    if (ReadLittleEndian(bytes, &v)) return fmt::format("{}", v);
  } else if (iceberg_type == "timestamptz" || iceberg_type == "timestamp") {
    int64_t v;
    if (ReadLittleEndian(bytes, &v)) return FormatTimestamp(Timestamp(v));
  } else if (iceberg_type == "double") {
    double v;
    if (ReadLittleEndian(bytes, &v)) return fmt::format("{}", v);
  } else if (iceberg_type == "float") {
    float v;
    if (ReadLittleEndian(bytes, &v)) return fmt::format("{}", v);
  } else if (iceberg_type == "boolean" && bytes.size() == 1) {
    return bytes[0] ? "true" : "false";
  }
  std::string hex = "0x";
  for (unsigned char c : bytes) hex += fmt::format("{:02x}", c);
  return hex;
}

}  // namespace braid
