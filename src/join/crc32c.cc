#include "join/crc32c.h"

#include <array>
#include <cstring>

#include "base/short_bytes.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace braid {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // Castagnoli, bit-reversed

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

#if defined(__x86_64__)
[[gnu::target("sse4.2")]] uint32_t Crc32cSse42(std::string_view data) {
  const char* p = data.data();
  size_t n = data.size();
  uint64_t c = 0xFFFFFFFF;
  for (; n >= 8; p += 8, n -= 8) {
    c = _mm_crc32_u64(c, LoadWord<uint64_t>(p));
  }
  auto c32 = static_cast<uint32_t>(c);
  for (; n > 0; ++p, --n) c32 = _mm_crc32_u8(c32, static_cast<uint8_t>(*p));
  return c32 ^ 0xFFFFFFFF;
}

const bool kHasSse42 = [] {
  __builtin_cpu_init();  // may run before the library's own initialisation
  return __builtin_cpu_supports("sse4.2") != 0;
}();
#endif

}  // namespace

uint32_t Crc32cPortable(std::string_view data) {
  uint32_t c = 0xFFFFFFFF;
  for (char ch : data) c = kTable[(c ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFF;
}

uint32_t Crc32c(std::string_view data) {
#if defined(__x86_64__)
  if (kHasSse42) return Crc32cSse42(data);
#endif
  return Crc32cPortable(data);
}

}  // namespace braid
