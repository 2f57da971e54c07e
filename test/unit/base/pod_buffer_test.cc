// PodBuffer: RowBatch's column storage keeps every value through growth, copies, moves and
// clears, and compares by contents.

#include "base/pod_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace braid {
namespace {

TEST(PodBuffer, KeepsEveryValueThroughGrowthAgainstAVector) {
  std::mt19937_64 rng(9);
  PodBuffer<char> bytes;
  PodBuffer<int64_t> ints;
  std::string model_bytes;
  std::vector<int64_t> model_ints;
  for (int step = 0; step < 20000; ++step) {
    const std::string piece(rng() % 40, static_cast<char>('a' + step % 26));
    bytes.Append(piece.data(), piece.size());
    model_bytes += piece;
    const auto v = static_cast<int64_t>(rng());
    ints.push_back(v);
    model_ints.push_back(v);
    if (step % 5000 == 4999) {  // clear keeps the capacity, and appending goes on from zero
      const size_t capacity = bytes.capacity();
      bytes.clear();
      model_bytes.clear();
      EXPECT_EQ(bytes.capacity(), capacity);
    }
  }
  ASSERT_EQ(bytes.size(), model_bytes.size());
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), model_bytes);
  EXPECT_EQ(std::vector<int64_t>(ints.begin(), ints.end()), model_ints);
}

TEST(PodBuffer, CopiesMovesAndComparesByContents) {
  PodBuffer<uint32_t> a(3, 7);
  a.push_back(9);
  PodBuffer<uint32_t> b = a;  // a deep copy
  EXPECT_EQ(a, b);
  b[0] = 1;
  EXPECT_FALSE(a == b);
  EXPECT_EQ(a[0], 7u);
  PodBuffer<uint32_t> c = std::move(b);
  EXPECT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], 1u);
  EXPECT_EQ(c.back(), 9u);
  c = a;
  EXPECT_EQ(c, a);
  uint32_t* at = c.Extend(2);
  at[0] = 5;
  at[1] = 6;
  EXPECT_EQ(std::vector<uint32_t>(c.begin(), c.end()), (std::vector<uint32_t>{7, 7, 7, 9, 5, 6}));
  c.assign(1, 0);
  EXPECT_EQ(c, PodBuffer<uint32_t>(1, 0));
  EXPECT_EQ(PodBuffer<uint32_t>(), PodBuffer<uint32_t>(0, 4));
}

}  // namespace
}  // namespace braid
