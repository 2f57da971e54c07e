#include "base/bounded_call.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

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

TEST(BoundedCall, CallsRunOnOneWorkerThreadNotOnTheCallers) {
  BoundedCall call;
  auto first = std::make_shared<std::thread::id>();
  auto second = std::make_shared<std::thread::id>();
  ASSERT_TRUE(call.Run([first] { *first = std::this_thread::get_id(); }, milliseconds(5000)));
  ASSERT_TRUE(call.Run([second] { *second = std::this_thread::get_id(); }, milliseconds(5000)));
  EXPECT_NE(*first, std::this_thread::get_id());
  EXPECT_EQ(*first, *second);
}

TEST(BoundedCall, DestroyingItDoesNotWaitForAHungCall) {
  auto release = std::make_shared<std::promise<void>>();
  std::shared_future<void> released = release->get_future().share();
  auto ended = std::make_shared<std::promise<void>>();
  std::future<void> ended_future = ended->get_future();
  {
    BoundedCall call;
    EXPECT_FALSE(call.Run([released, ended] { released.wait(); ended->set_value(); }, milliseconds(20)));
  }  // returns at once although the call still hangs
  EXPECT_EQ(ended_future.wait_for(milliseconds(0)), std::future_status::timeout);
  release->set_value();
  EXPECT_EQ(ended_future.wait_for(milliseconds(5000)), std::future_status::ready);
}

}  // namespace
}  // namespace braid
