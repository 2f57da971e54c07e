#include "pipeline/read_ahead.h"

#include <pthread.h>

#include <cassert>
#include <future>
#include <utility>

namespace braid {
namespace {

// A poll's longest wait for records: queued commands and a stop wait at most this long.
constexpr int kPollMs = 10;

}  // namespace

ReadAhead::ReadAhead(RecordSource& source, JoinEngine::RecordDecoder& decoder,
                     const std::vector<TopicPartition>& partitions, size_t depth)
    : source_(source),
      decoder_(decoder),
      depth_(depth),
      partitions_(partitions) {
  on_record_ = [this](const KafkaRecord& r) {
    filling_->AddRecord(static_cast<uint32_t>(lookup_.Find(r.topic, r.partition)), r, decoder_);
  };
  on_end_ = [this](const TopicPartition& tp, KafkaOffset end) {
    filling_->AddEnd(static_cast<uint32_t>(lookup_.Find(tp.topic, tp.partition)), end.value());
  };
}

ReadAhead::~ReadAhead() { Stop(); }

void ReadAhead::Start() {
  std::lock_guard lock(mu_);
  assert(!thread_.joinable() && "started once");
  running_ = true;
  // Named, so that top -H and profiles tell them apart.
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "braid-read");
    Run();
  });
}

void ReadAhead::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void ReadAhead::RequestStop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  reader_wakes_.notify_one();
  joiner_wakes_.notify_all();
}

std::vector<ReadAhead::Command> ReadAhead::TakeCommands() { return std::exchange(commands_, {}); }

void ReadAhead::Run() {
  thread_id_ = std::this_thread::get_id();
  std::unique_ptr<PolledBatch> batch;
  for (;;) {
    std::vector<Command> commands;
    {
      std::unique_lock lock(mu_);
      reader_wakes_.wait(lock, [this] {
        return stop_ || full_.size() < depth_ || !commands_.empty();
      });
      if (stop_) break;
      commands = TakeCommands();
      if (!batch && !free_.empty()) {
        batch = std::move(free_.back());
        free_.pop_back();
      }
    }
    for (Command& c : commands) c(source_);
    if (!commands.empty()) continue;  // the queue may have filled meanwhile: look again
    if (!batch) batch = std::make_unique<PolledBatch>();
    filling_ = batch.get();
    Result<size_t> n = source_.Poll(kPollMs, on_record_, on_end_);
    filling_ = nullptr;
    // A failed poll may still have handed over records: they are joined before the failure
    // is reported (Next hands out every batch polled before it says there are no more).
    {
      std::lock_guard lock(mu_);
      if (!batch->empty()) full_.push_back(std::move(batch));
      if (!n.ok()) failure_ = n.status();
    }
    joiner_wakes_.notify_all();
    if (!n.ok()) break;
  }
  // Commands queued until now are still done, here; later ones run on their caller's thread.
  std::vector<Command> commands;
  {
    std::lock_guard lock(mu_);
    running_ = false;
    commands = TakeCommands();
  }
  for (Command& c : commands) c(source_);
  thread_id_ = std::thread::id();  // a later thread may be given the same id
  joiner_wakes_.notify_all();       // the failure, or nothing more to wait for
}

std::unique_ptr<PolledBatch> ReadAhead::Next(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  // Once the reading thread has ended, every batch it read is in full_.
  joiner_wakes_.wait_for(lock, wait, [this] { return !full_.empty() || !running_; });
  if (full_.empty()) return nullptr;
  std::unique_ptr<PolledBatch> batch = std::move(full_.front());
  full_.pop_front();
  lock.unlock();
  reader_wakes_.notify_one();  // a free place
  return batch;
}

void ReadAhead::Recycle(std::unique_ptr<PolledBatch> batch) {
  batch->Clear();
  std::lock_guard lock(mu_);
  free_.push_back(std::move(batch));
}

Status ReadAhead::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void ReadAhead::HoldWarning(std::string warning) {
  std::lock_guard lock(mu_);
  warnings_.push_back(std::move(warning));
}

std::vector<std::string> ReadAhead::TakeWarnings() {
  std::lock_guard lock(mu_);
  return std::exchange(warnings_, {});
}

void ReadAhead::Post(Command f) {
  {
    std::lock_guard lock(mu_);
    if (running_) {
      commands_.push_back(std::move(f));
      f = nullptr;
    }
  }
  if (f) {
    f(source_);
  } else {
    reader_wakes_.notify_one();
  }
}

void ReadAhead::Call(Command f) {
  if (OnReadingThread()) {
    f(source_);
    return;
  }
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  Post([&f, &done](RecordSource& s) {
    f(s);
    done.set_value();
  });
  finished.wait();
}

}  // namespace braid
