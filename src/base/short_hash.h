#pragma once
// ShortHash: a 64-bit hash of a byte string, inline, for the short strings braid hashes once
// per record or per value — join keys, and the values a Parquet chunk's dictionary collects.
// The bytes are read as up to four overlapping words (a loop over 16-byte blocks for longer
// strings) and folded by 64×64-bit multiplication (wyhash's mixing step), so every input bit
// reaches every output bit. A call into absl's or the standard library's hash per value cost
// several times as much. Not keyed: for tables of a process's own, never stored.

#include <cstdint>
#include <string_view>

#include "base/short_bytes.h"

namespace braid {

/// The two halves of a 64×64-bit product folded together.
inline uint64_t FoldMultiply(uint64_t a, uint64_t b) {
  const unsigned __int128 m = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

inline constexpr uint64_t kHashMix[5] = {0xa0761d6478bd642full, 0xe7037ed1a0b428dbull,
                                         0x8ebc6af09c88c6e3ull, 0x589965cc75374cc3ull,
                                         0x1d8e4e27c47d124full};

inline uint64_t ShortHash(std::string_view s) {
  const size_t n = s.size();
  const char* p = s.data();
  uint64_t h;
  if (n >= 8 && n <= 16) {
    h = FoldMultiply(LoadWord<uint64_t>(p) ^ kHashMix[0], LoadWord<uint64_t>(p + n - 8) ^ kHashMix[1]);
  } else if (n > 16) {
    h = 0;
    size_t i = 0;
    for (; n - i > 32; i += 16) {  // every block but the last two words
      h = FoldMultiply(LoadWord<uint64_t>(p + i) ^ kHashMix[2] ^ h, LoadWord<uint64_t>(p + i + 8) ^ kHashMix[3]);
    }
    h = FoldMultiply(LoadWord<uint64_t>(p + i) ^ kHashMix[0] ^ h, LoadWord<uint64_t>(p + i + 8) ^ kHashMix[1]) ^
        FoldMultiply(LoadWord<uint64_t>(p + n - 16) ^ kHashMix[2], LoadWord<uint64_t>(p + n - 8) ^ kHashMix[3]);
  } else if (n >= 4) {
    h = FoldMultiply(LoadWord<uint32_t>(p) ^ kHashMix[0], LoadWord<uint32_t>(p + n - 4) ^ kHashMix[1]);
  } else {
    uint64_t w = 0;  // 0 to 3 bytes: first, middle and last (the size tells them apart below)
    if (n > 0) {
      w = uint64_t{static_cast<uint8_t>(p[0])} << 16 | uint64_t{static_cast<uint8_t>(p[n / 2])} << 8 |
          static_cast<uint8_t>(p[n - 1]);
    }
    h = FoldMultiply(w ^ kHashMix[0], kHashMix[1]);
  }
  return FoldMultiply(h ^ kHashMix[4], n ^ kHashMix[1]);
}

/// A hash of a 64-bit value (an integer, or a double's bits), in the same style.
inline uint64_t WordHash(uint64_t v) {
  return FoldMultiply(FoldMultiply(v ^ kHashMix[0], kHashMix[1]) ^ kHashMix[4], kHashMix[2]);
}

}  // namespace braid
