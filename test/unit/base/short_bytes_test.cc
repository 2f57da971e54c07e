#include "base/short_bytes.h"
#include "base/short_hash.h"

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace braid {
namespace {

// Random strings of 0 to 40 bytes over a small alphabet with high bytes in it, so that pairs
// share prefixes of every length, differ in signed-negative bytes, or are prefixes of each other.
std::string RandomBytes(std::mt19937_64& rng) {
  static const char kAlphabet[] = {'a', 'b', '\x7f', '\x80', '\xff', '\0'};
  std::string s(rng() % 41, 'a');
  for (char& c : s) c = kAlphabet[rng() % sizeof kAlphabet];
  return s;
}

TEST(BytesLess, OrdersAsStringViewDoes) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200000; ++i) {
    std::string a = RandomBytes(rng);
    std::string b = rng() % 4 == 0 ? a.substr(0, rng() % (a.size() + 1)) : RandomBytes(rng);
    if (rng() % 8 == 0) b = a;
    ASSERT_EQ(BytesLess(a, b), std::string_view(a) < std::string_view(b))
        << testing::PrintToString(a) << " vs " << testing::PrintToString(b);
    ASSERT_EQ(BytesLess(b, a), std::string_view(b) < std::string_view(a));
  }
}

// Every string of every length from 0 to 72 bytes, and each with one bit flipped anywhere,
// hashes apart: each byte of each length reaches the hash, and so does the length.
TEST(ShortHash, StringsThatDifferInOneBitOrOnlyInLengthHashApart) {
  std::set<uint64_t> seen;
  size_t strings = 0;
  for (size_t n = 0; n <= 72; ++n) {
    const std::string base(n, 'k');
    for (size_t at = 0; at < n; ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string s = base;
        s[at] = static_cast<char>(s[at] ^ (1 << bit));
        seen.insert(ShortHash(s));
        ++strings;
      }
    }
    seen.insert(ShortHash(base));
    ++strings;
  }
  EXPECT_EQ(seen.size(), strings);
}

// Every length up to 40, from every offset of a source: the bytes memcpy writes, and none of
// the guard bytes around them.
TEST(CopyBytes, WritesExactlyTheBytesMemcpyWrites) {
  std::mt19937_64 r(5);
  std::string src(64, '\0');
  for (char& c : src) c = static_cast<char>(r());
  for (size_t n = 0; n <= 40; ++n) {
    for (size_t from = 0; from + n <= src.size(); from += 7) {
      std::string got(n + 16, '#'), want(n + 16, '#');
      CopyBytes(got.data() + 8, src.data() + from, n);
      std::memcpy(want.data() + 8, src.data() + from, n);
      ASSERT_EQ(got, want) << "n " << n << " from " << from;
    }
  }
}

}  // namespace
}  // namespace braid
