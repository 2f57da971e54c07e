// ChunkedVector: indexes like a vector, and growing never moves an element.

#include "base/chunked_vector.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace braid
