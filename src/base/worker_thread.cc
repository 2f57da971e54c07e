#include "base/worker_thread.h"

#include <cassert>
#include <utility>

namespace braid {

WorkerThread::WorkerThread() : thread_([this] { Run(); }) {}

WorkerThread::~WorkerThread() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !busy_; });
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WorkerThread::Start(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    assert(!busy_ && "Wait() for the running task first");
    task_ = std::move(task);
    busy_ = true;
  }
  cv_.notify_all();
}

void WorkerThread::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !busy_; });
}

void WorkerThread::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return busy_ || quit_; });
    if (quit_ && !busy_) return;
    std::function<void()> task = std::move(task_);
    lock.unlock();
    task();
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace braid
