// ChunkedVector: indexes like a vector, growing never moves an element, and chunks of a
// megabyte or more start on a page boundary and are kept off transparent huge pages.

#include "base/chunked_vector.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
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

// The VmFlags line of the mapping of /proc/self/smaps that holds `p` ("" if none does).
std::string VmFlagsOf(const void* p) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> from >> dash >> to && dash == '-') {
      inside = from <= at && at < to;
    } else if (inside && line.starts_with("VmFlags:")) {
      return line;
    }
  }
  return "";
}

TEST(ChunkedVector, LargeChunksArePageAlignedAndOffHugePages) {
  struct alignas(64) Slot {
    char bytes[320] = {};
  };
  constexpr size_t kPerChunk = (size_t{2} << 20) / sizeof(Slot);
  ChunkedVector<Slot, kPerChunk> v;
  for (size_t i = 0; i < 2 * kPerChunk + 1; ++i) v.emplace_back().bytes[0] = static_cast<char>(i);
  for (size_t chunk = 0; chunk < 3; ++chunk) {
    const Slot* first = &v[chunk * kPerChunk];
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 4096, 0u) << chunk;
    const std::string flags = VmFlagsOf(first);
    EXPECT_NE(flags.find(" nh"), std::string::npos) << "chunk " << chunk << ": " << flags;
  }
  EXPECT_EQ(v[kPerChunk + 1].bytes[0], static_cast<char>(kPerChunk + 1));
  // Small chunks keep their element's alignment.
  ChunkedVector<Slot, 4> small;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(&small.emplace_back()) % alignof(Slot), 0u);
}

}  // namespace
}  // namespace braid
