#include "base/serial_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace braid {
namespace {

TEST(SerialWorker, RunsTasksInOrderOnOneThreadAndHandsBackTheirResults) {
  SerialWorker worker;
  std::vector<int> order;  // written by the worker only, read after the last future
  std::vector<std::future<std::thread::id>> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(worker.Submit([&order, i] {
      order.push_back(i);
      return std::this_thread::get_id();
    }));
  }
  std::vector<std::thread::id> seen;
  for (auto& f : ids) seen.push_back(f.get());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(order[i], i);
  for (const std::thread::id& id : seen) {
    EXPECT_EQ(id, seen.front());
    EXPECT_NE(id, std::this_thread::get_id());
  }
}

TEST(SerialWorker, AnExceptionReachesTheFutureAndTheNextTaskStillRuns) {
  SerialWorker worker;
  std::future<int> bad = worker.Submit([]() -> int { throw std::runtime_error("boom"); });
  std::future<int> good = worker.Submit([] { return 5; });
  EXPECT_THROW(bad.get(), std::runtime_error);
  EXPECT_EQ(good.get(), 5);
}

TEST(SerialWorker, DestructionRunsEveryTaskHandedOverFirst) {
  std::atomic<int> ran{0};
  {
    SerialWorker worker;
    for (int i = 0; i < 50; ++i) {
      (void)worker.Submit([&ran] {
        std::this_thread::yield();
        ++ran;
      });
    }
  }
  EXPECT_EQ(ran.load(), 50);
}

}  // namespace
}  // namespace braid
