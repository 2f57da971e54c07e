#pragma once
// WorkerThread: one long-lived thread that runs one task at a time for its owner, who starts a
// task, does its own work meanwhile, then waits for the task. A thread per task would cost a
// thread start for every batch of records.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace braid {

class WorkerThread {
 public:
  WorkerThread();
  /// Waits for the running task, if any, then ends the thread.
  ~WorkerThread();
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  /// Runs `task` on the thread. At most one task at a time: Wait() before the next Start().
  void Start(std::function<void()> task);
  /// Returns once the started task has finished (at once if none is running).
  void Wait();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> task_;
  bool busy_ = false;
  bool quit_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace braid
