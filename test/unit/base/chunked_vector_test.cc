// ChunkedVector: indexes like a vector, growing never moves an element, and chunks of half a
// huge page or more start on a huge page's boundary.

#include "base/chunked_vector.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace braid {
namespace {

TEST(ChunkedVector, GrowsAcrossChunksWithoutMovingElements) {
  ChunkedVector<std::string, 4> v;
  EXPECT_TRUE(v.empty());
  std::vector<const std::string*> where;
  for (int i = 0; i < 10; ++i) {
    std::string& s = v.emplace_back();
    EXPECT_TRUE(s.empty());  // default-constructed
    s = "value " + std::to_string(i);
    where.push_back(&s);
  }
  ASSERT_EQ(v.size(), 10u);
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(v[i], "value " + std::to_string(i));
    EXPECT_EQ(&v[i], where[i]) << "element " << i << " moved";
  }
  const ChunkedVector<std::string, 4>& c = v;
  EXPECT_EQ(c[9], "value 9");
}

TEST(ChunkedVector, LargeChunksStartOnAHugePageBoundary) {
  struct alignas(64) Slot {
    char bytes[448] = {};
  };
  constexpr size_t kHugePage = size_t{2} << 20;
  ChunkedVector<Slot, kHugePage / sizeof(Slot)> v;
  constexpr size_t kPerChunk = kHugePage / sizeof(Slot);
  for (size_t i = 0; i < 2 * kPerChunk + 1; ++i) v.emplace_back().bytes[0] = static_cast<char>(i);
  for (size_t chunk = 0; chunk < 3; ++chunk) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(&v[chunk * kPerChunk]) % kHugePage, 0u) << chunk;
  }
  EXPECT_EQ(v[kPerChunk + 1].bytes[0], static_cast<char>(kPerChunk + 1));
  // Small chunks keep their element's alignment.
  ChunkedVector<Slot, 4> small;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(&small.emplace_back()) % alignof(Slot), 0u);
}

}  // namespace
}  // namespace braid
