#pragma once
// ReadAhead: the pipeline's reading thread. It polls the record source into batches and
// decodes each batch as it is polled, up to `depth` batches ahead of the joining thread, which
// takes them in order (Next) and hands them back emptied (Recycle).
//
// Decoding had a thread of its own while the join was slower: polling and decoding on one
// thread then kept that thread busy while the joining thread idled (1 M seed actions: the
// reading thread at one core, the joining one at 0.4). Since the join got faster, that fourth
// busy thread on two cores cost more than it gave: a batch decoded on the core that has just
// read it finds its records in that core's cache, not in the other's (2 M seed actions,
// farm-bench A/B in both orders: 0.98 and 0.95 of the CPU, 0.99 and 0.95 of the wall time).
//
// Reading and joining ran in lock-step before: each poll waited for the join of the batch
// before and each join for the poll, so every batch cost the slower of the two (2 M seed
// actions: the joining thread waited 1.4 s for the reader in a 3.9 s run, though the reader
// was busy for only 2.2 s in all).
//
// While it runs, the source is used by the reading thread alone (RecordSource is not
// thread-safe): what the joining thread asks of it — a pause, a group-offset commit, end
// offsets — is queued (Post, Call) and done between two polls, in order. Before Start and
// after Stop, Post and Call run at once on the calling thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "join/join_engine.h"
#include "kafka/record_source.h"
#include "pipeline/polled_batch.h"

namespace braid {

class ReadAhead {
 public:
  /// `source` and `decoder` must outlive this. `partitions` is the assignment
  /// (PolledBatch::Item::part indexes it), copied: the reading thread looks up every record's
  /// partition in it, and a vector shared with the joining thread may sit on a cache line that
  /// thread writes per record. Records of a partition not in `partitions` are a bug of the
  /// source.
  ReadAhead(RecordSource& source, JoinEngine::RecordDecoder& decoder,
            const std::vector<TopicPartition>& partitions, size_t depth = 4);
  /// Stop().
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  /// Starts the reading thread (once).
  void Start();
  /// Ends the thread after the current poll; batches not taken are dropped. Commands still
  /// queued are done first.
  void Stop();
  /// As Stop, without waiting for the thread to end (a poll waits up to 10 ms for records):
  /// Post and Call go to it until it has ended, then run at once on their caller's thread.
  void RequestStop();

  /// The next batch in reading order, waiting up to `wait` for one; nullptr if none came. Once
  /// a poll failed, the batches read before it are still handed out, then nullptr (failure()).
  std::unique_ptr<PolledBatch> Next(std::chrono::milliseconds wait);
  /// Gives a batch back for reuse (its buffers keep their capacity).
  void Recycle(std::unique_ptr<PolledBatch> batch);
  /// The poll failure that ended the reading, if any.
  Status failure() const;

  /// Does `f` with the source between two polls, after what was posted before (at once when
  /// the thread does not run).
  void Post(std::function<void(RecordSource&)> f);
  /// Post, and waits until `f` has been done.
  void Call(std::function<void(RecordSource&)> f);
  /// Whether the calling thread is the reading thread (the source's warnings come from it).
  bool OnReadingThread() const { return std::this_thread::get_id() == thread_id_.load(); }
  /// Keeps a warning the source gave on the reading thread, for the joining thread to report
  /// (TakeWarnings).
  void HoldWarning(std::string warning);
  std::vector<std::string> TakeWarnings();

 private:
  using Command = std::function<void(RecordSource&)>;
  void Run();
  // Takes the queued commands (call with mu_ held).
  std::vector<Command> TakeCommands();

  RecordSource& source_;
  JoinEngine::RecordDecoder& decoder_;
  const size_t depth_;
  const std::vector<TopicPartition> partitions_;
  PartitionLookup lookup_{partitions_};  // the reading thread's
  PolledBatch* filling_ = nullptr;  // the batch being polled into (reading thread)
  RecordSource::RecordHandler on_record_;
  RecordSource::EndHandler on_end_;

  mutable std::mutex mu_;
  // One per waiting thread, so that each change wakes only the thread it concerns.
  std::condition_variable reader_wakes_;  // a free place, a command, a stop
  std::condition_variable joiner_wakes_;  // a batch read and decoded, the reading ended
  std::deque<std::unique_ptr<PolledBatch>> full_;  // read and decoded, not yet taken
  std::vector<std::unique_ptr<PolledBatch>> free_;
  std::vector<Command> commands_;
  std::vector<std::string> warnings_;
  bool running_ = false;  // the thread takes commands
  bool stop_ = false;
  Status failure_;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};  // set by the reading thread as it starts
};

}  // namespace braid
