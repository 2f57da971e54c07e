#include "base/bounded_call.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace braid {
namespace {

using std::chrono::milliseconds;

TEST(BoundedCall, AQuickCallFinishesWithinItsWait) {
  BoundedCall call;
  auto value = std::make_shared<std::atomic<int>>(0);
  EXPECT_TRUE(call.Run([value] { *value = 7; }, milliseconds(5000)));
  EXPECT_EQ(*value, 7);
}

TEST(BoundedCall, AHungCallReturnsAtTheTimeoutAndBlocksTheNextUntilItEnds) {
  BoundedCall call;
  auto release = std::make_shared<std::promise<void>>();
  std::shared_future<void> released = release->get_future().share();
  auto done = std::make_shared<std::atomic<bool>>(false);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(call.Run([released, done] { released.wait(); *done = true; }, milliseconds(50)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(50));
  EXPECT_FALSE(*done);
  // While it hangs, no second call starts.
  auto second = std::make_shared<std::atomic<bool>>(false);
  EXPECT_FALSE(call.Run([second] { *second = true; }, milliseconds(10)));
  EXPECT_FALSE(call.WaitIdle(milliseconds(10)));
  release->set_value();
  EXPECT_TRUE(call.WaitIdle(milliseconds(5000)));
  EXPECT_TRUE(*done);
  EXPECT_FALSE(*second);
  EXPECT_TRUE(call.Run([second] { *second = true; }, milliseconds(5000)));
  EXPECT_TRUE(*second);
}

}  // namespace
}  // namespace braid
