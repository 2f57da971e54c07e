#pragma once
// Short byte runs read and compared inline: the decoder's keys and shape gaps, the join's key
// hash, checksums and timestamps load a few bytes at a time, where a call into memcmp per use
// cost more than the bytes.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace braid {

/// The sizeof(T) bytes at `p` (any alignment), in host order.
template <typename T>
T LoadWord(const char* p) {
  T w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

/// memcmp(a, b, n) == 0, by 8- or 4-byte words, the last one overlapping the one before.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (LoadWord<uint64_t>(a + i) != LoadWord<uint64_t>(b + i)) return false;
    }
    return LoadWord<uint64_t>(a + n - 8) == LoadWord<uint64_t>(b + n - 8);
  }
  if (n >= 4) {
    return LoadWord<uint32_t>(a) == LoadWord<uint32_t>(b) &&
           LoadWord<uint32_t>(a + n - 4) == LoadWord<uint32_t>(b + n - 4);
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

/// memcpy(dst, src, n), inline for up to 16 bytes (two overlapping words, or bytes below 4):
/// the decoder's keys and values and the join's output strings are mostly that short, and a
/// call into memcpy for each cost more than the bytes.
inline void CopyBytes(char* dst, const char* src, size_t n) {
  if (n >= 8 && n <= 16) {
    const uint64_t head = LoadWord<uint64_t>(src), tail = LoadWord<uint64_t>(src + n - 8);
    std::memcpy(dst, &head, 8);
    std::memcpy(dst + n - 8, &tail, 8);
  } else if (n >= 4 && n < 8) {
    const uint32_t head = LoadWord<uint32_t>(src), tail = LoadWord<uint32_t>(src + n - 4);
    std::memcpy(dst, &head, 4);
    std::memcpy(dst + n - 4, &tail, 4);
  } else if (n > 16) {
    std::memcpy(dst, src, n);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

/// A copy of `v` made word by word. Where a view's two words were just stored one at a time
/// (by a function that filled it in), the compiler's copy of both in one 16-byte load waits
/// until those stores reach the cache — a failed store-to-load forward, which profiles showed
/// as most of the time of the decoder's and the Kafka reader's per-record steps.
inline std::string_view WordCopy(std::string_view v) {
  const char* data = v.data();
  size_t size = v.size();
  asm("" : "+r"(data), "+r"(size));  // kept apart, in two registers
  return std::string_view(data, size);
}

/// a == b, inline (see SameBytes).
inline bool SameView(std::string_view a, std::string_view b) {
  return a.size() == b.size() && SameBytes(a.data(), b.data(), a.size());
}

/// a < b as std::string_view compares them (bytes unsigned, then sizes), by 8-byte words read
/// most significant byte first: a bound kept per value of a column did a call into memcmp each.
inline bool BytesLess(std::string_view a, std::string_view b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t x = __builtin_bswap64(LoadWord<uint64_t>(a.data() + i));
    const uint64_t y = __builtin_bswap64(LoadWord<uint64_t>(b.data() + i));
    if (x != y) return x < y;
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

}  // namespace braid
