#pragma once
// SerialWorker: one long-lived thread that runs the tasks handed to it, one at a time, in
// order. A thread started per task (std::async) begins with empty allocator caches each time:
// the memory the previous task freed goes back to the kernel and the next task faults it in
// again page by page. One thread keeps reusing it.

#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <utility>

namespace braid {

class SerialWorker {
 public:
  /// `name` (at most 15 characters) names the thread for top -H and profiles.
  explicit SerialWorker(const char* name = "braid-worker")
      : thread_([this, name] {
          pthread_setname_np(pthread_self(), name);
          Run();
        }) {}
  ~SerialWorker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();  // runs the tasks already handed over first
  }
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  /// Queues `task`; the future holds its result (or its exception) once it has run.
  template <typename F>
  auto Submit(F task) -> std::future<decltype(task())> {
    using R = decltype(task());
    auto packaged = std::make_shared<std::packaged_task<R()>>(std::move(task));
    std::future<R> result = packaged->get_future();
    {
      std::lock_guard lock(mu_);
      tasks_.emplace_back([packaged] { (*packaged)(); });
    }
    wake_.notify_one();
    return result;
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping, and nothing left to run
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace braid
