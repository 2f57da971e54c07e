#pragma once
// BoundedCall: runs a blocking call on a worker thread and waits for it at most a given time.
// For librdkafka's offset queries: a request to a broker that cannot be reached may not time
// out until the broker is back, and the caller must not wait that long. A call still running
// is left to finish on the worker; until it does, no next call starts. Whatever the call
// writes must outlive the caller's wait: pass it shared state, not the caller's locals.
//
// One worker serves every call of an object (started at the first), so frequent short calls
// cost no thread each. On destruction the worker ends once its call, if any, has returned.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace braid {

class BoundedCall {
 public:
  BoundedCall() = default;
  BoundedCall(const BoundedCall&) = delete;
  BoundedCall& operator=(const BoundedCall&) = delete;
  ~BoundedCall() {
    const std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stop = true;
    shared_->cv.notify_all();
  }

  /// Starts `call` unless the previous one is still running (then false at once), and waits up
  /// to `timeout` for it: true if it finished by then.
  bool Run(std::function<void()> call, std::chrono::milliseconds timeout) {
    return Start(std::move(call)) && WaitIdle(timeout);
  }

  /// Starts `call` unless the previous one is still running (then false), without waiting for
  /// it: WaitIdle(0) tells later whether it ended.
  bool Start(std::function<void()> call) {
    const std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->running) return false;
    shared_->running = true;
    shared_->call = std::move(call);
    if (!shared_->started) {
      shared_->started = true;
      std::thread(Work, shared_).detach();  // it holds the shared state, not this object
    }
    shared_->cv.notify_all();
    return true;
  }

  /// Waits up to `timeout` for a running call to finish: true if none is running.
  bool WaitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(shared_->mu);
    return shared_->cv.wait_for(lock, timeout, [this] { return !shared_->running; });
  }

 private:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;  // a call to run, a call ended, or stop
    std::function<void()> call;  // set while running and not yet taken by the worker
    bool running = false;
    bool started = false;
    bool stop = false;
  };

  static void Work(std::shared_ptr<Shared> shared) {
    std::unique_lock<std::mutex> lock(shared->mu);
    for (;;) {
      shared->cv.wait(lock, [&] { return shared->stop || shared->call; });
      if (!shared->call) return;  // stopped with nothing to run
      std::function<void()> call = std::move(shared->call);
      shared->call = nullptr;
      lock.unlock();
      call();
      call = nullptr;  // what it holds is released before the caller learns it ended
      lock.lock();
      shared->running = false;
      shared->cv.notify_all();
    }
  }

  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace braid
