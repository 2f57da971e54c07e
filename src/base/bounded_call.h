#pragma once
// BoundedCall: runs a blocking call on a thread of its own and waits for it at most a given
// time. For librdkafka's offset queries: a request to a broker that cannot be reached may not
// time out until the broker is back, and the caller must not wait that long. A call still
// running is left to finish on its thread; until it does, no next call starts. Whatever the
// call writes must outlive the caller's wait: pass it shared state, not the caller's locals.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace braid {

class BoundedCall {
 public:
  /// Starts `call` unless the previous one is still running (then false at once), and waits up
  /// to `timeout` for it: true if it finished by then.
  bool Run(std::function<void()> call, std::chrono::milliseconds timeout) {
    {
      const std::lock_guard<std::mutex> lock(shared_->mu);
      if (shared_->running) return false;
      shared_->running = true;
    }
    std::thread([shared = shared_, call = std::move(call)] {
      call();
      const std::lock_guard<std::mutex> lock(shared->mu);
      shared->running = false;
      shared->cv.notify_all();
    }).detach();
    return WaitIdle(timeout);
  }

  /// Waits up to `timeout` for a running call to finish: true if none is running.
  bool WaitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(shared_->mu);
    return shared_->cv.wait_for(lock, timeout, [this] { return !shared_->running; });
  }

 private:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool running = false;
  };
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace braid
