#include "kafka/answer_buffers.h"

#include <gtest/gtest.h>

#include <cstring>

namespace braid {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

// A large buffer handed back serves the next answer it holds (the same memory, no fresh pages);
// the smallest kept buffer that holds an answer is the one taken; small answers are not kept.
TEST(AnswerBuffers, AHandedBackBufferServesTheNextAnswerItHolds) {
  AnswerBuffers buffers(16 * kMiB);
  const char* first = nullptr;
  {
    std::shared_ptr<char[]> a = buffers.Take(3 * kMiB + 1);
    first = a.get();
    std::memset(a.get(), 'x', 3 * kMiB + 1);  // all of it is writable
    EXPECT_EQ(buffers.held(), 0u);
  }
  EXPECT_GE(buffers.held(), 3 * kMiB + 1);
  EXPECT_EQ(buffers.Take(2 * kMiB).get(), first);  // taken again, and back when let go
  std::shared_ptr<char[]> big = buffers.Take(5 * kMiB);  // too big for the kept one: a new one
  EXPECT_NE(big.get(), first);
  std::shared_ptr<char[]> one = buffers.Take(kMiB);  // the kept 3 MiB buffer
  EXPECT_EQ(one.get(), first);
  big.reset();
  one.reset();
  EXPECT_EQ(buffers.Take(kMiB).get(), first);  // the smaller of the two kept ones
  std::shared_ptr<char[]> small = buffers.Take(100);
  const size_t held = buffers.held();
  small.reset();
  EXPECT_EQ(buffers.held(), held);  // not kept
}

// Beyond the limit, handed-back buffers are freed, not kept.
TEST(AnswerBuffers, KeepsNoMoreThanItsLimit) {
  AnswerBuffers buffers(4 * kMiB);
  {
    std::shared_ptr<char[]> a = buffers.Take(3 * kMiB);
    std::shared_ptr<char[]> b = buffers.Take(3 * kMiB);
  }
  EXPECT_EQ(buffers.held(), 3 * kMiB);
}

}  // namespace
}  // namespace braid
