#include "base/worker_thread.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace braid {
namespace {

TEST(WorkerThread, RunsEachTaskOnItsOwnThreadAndWaitReturnsAfterIt) {
  WorkerThread worker;
  std::vector<int> done;
  std::thread::id ran_on;
  for (int i = 0; i < 100; ++i) {
    worker.Start([&, i] {
      ran_on = std::this_thread::get_id();
      done.push_back(i);
    });
    worker.Wait();
    ASSERT_EQ(done.size(), static_cast<size_t>(i + 1));  // Wait saw the task's writes
    EXPECT_NE(ran_on, std::this_thread::get_id());
  }
  worker.Wait();  // nothing running: returns at once
}

TEST(WorkerThread, OwnerWorksWhileTheTaskRuns) {
  WorkerThread worker;
  std::atomic<bool> owner_went_on{false};
  bool task_saw_owner = false;
  worker.Start([&] {
    for (int i = 0; i < 5000 && !owner_went_on; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    task_saw_owner = owner_went_on;
  });
  owner_went_on = true;  // Start did not wait for the task
  worker.Wait();
  EXPECT_TRUE(task_saw_owner);
}

TEST(WorkerThread, DestructorWaitsForTheRunningTask) {
  bool finished = false;
  {
    WorkerThread worker;
    worker.Start([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      finished = true;
    });
  }
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace braid
