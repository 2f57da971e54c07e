// PipelineRunner against a scripted Kafka source and a file catalog in a temp directory:
// transaction markers, a second writer, offsets lost to retention and a broker outage, each
// deterministic (no broker, no sleeps beyond the runner's own ticks).

#include "pipeline/pipeline_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "catalog/file_catalog.h"
#include "event/rejects.h"
#include "join/join_engine.h"
#include "pipeline/pipeline_record.h"
#include "table/table_appender.h"

namespace braid {
namespace {

struct Entry {
  int64_t offset;
  std::string value;
};

// One partition's log: records at their offsets, a log start and an end that may lie past the
// last record (transaction markers are never delivered).
struct Log {
  std::vector<Entry> entries;
  int64_t start = 0;
  int64_t end = 0;
};

// A scripted RecordSource: one partition per topic; `before_poll` runs before each Poll.
class FakeSource final : public RecordSource {
 public:
  std::map<TopicPartition, Log> logs;
  bool reachable = true;
  int polls = 0;
  size_t per_poll = 1000;  // records each partition delivers per Poll at most
  std::function<void(FakeSource&)> before_poll;

  Result<std::vector<PartitionId>> ListPartitions(const std::string& topic, int) override {
    std::vector<PartitionId> out;
    for (const auto& [tp, log] : logs) {
      if (tp.topic == topic) out.push_back(tp.partition);
    }
    if (out.empty()) return Status::NotFound("no topic " + topic);
    return out;
  }
  Result<std::pair<KafkaOffset, KafkaOffset>> QueryOffsets(const TopicPartition& tp, int) override {
    const Log& l = logs.at(tp);
    return std::make_pair(KafkaOffset(l.start), KafkaOffset(l.end));
  }
  Result<std::map<TopicPartition, KafkaOffset>> EndOffsets(const std::vector<TopicPartition>& tps,
                                                           int) override {
    if (!reachable) return Status::Unavailable("cannot read end offsets from fake:9092: timed out");
    std::map<TopicPartition, KafkaOffset> out;
    for (const TopicPartition& tp : tps) out[tp] = KafkaOffset(logs.at(tp).end);
    return out;
  }
  Status Assign(const std::vector<StartPosition>& positions) override {
    // A new assignment (a new run's consumer) starts unpaused at the given positions.
    position_.clear();
    paused_.clear();
    polls = 0;
    for (const StartPosition& p : positions) {
      position_[p.tp] = p.offset ? p.offset->value() : logs.at(p.tp).start;
      eof_sent_[p.tp] = false;
    }
    return Status::Ok();
  }
  Result<size_t> Poll(int, const RecordHandler& on_record, const EndHandler& on_end) override {
    if (++polls > 2000) return Status::Internal("the run never finished (2000 polls)");
    if (before_poll) before_poll(*this);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a fetch round trip
    size_t n = 0;
    for (auto& [tp, pos] : position_) {
      if (paused_.count(tp)) continue;
      const Log& l = logs.at(tp);
      size_t delivered = 0;
      for (const Entry& e : l.entries) {
        if (e.offset < pos) continue;
        if (delivered++ == per_poll) break;
        KafkaRecord r;
        r.topic = tp.topic;
        r.partition = tp.partition;
        r.offset = KafkaOffset(e.offset);
        r.value = e.value;
        r.broker_time = Timestamp(0);
        on_record(r);
        pos = e.offset + 1;
        eof_sent_[tp] = false;
        ++n;
      }
      const bool more = std::any_of(l.entries.begin(), l.entries.end(),
                                    [pos = pos](const Entry& e) { return e.offset >= pos; });
      if (!more && !eof_sent_[tp] && on_end) {
        pos = std::max(pos, l.end);
        on_end(tp, KafkaOffset(l.end));
        eof_sent_[tp] = true;
      }
    }
    return n;
  }
  Status Pause(const TopicPartition& tp) override {
    paused_.insert(tp);
    return Status::Ok();
  }
  Status Resume(const TopicPartition& tp) override {
    paused_.erase(tp);
    return Status::Ok();
  }
  void CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>&) override {}

  void Append(const std::string& topic, std::string value) {
    Log& l = logs[TopicPartition{topic, PartitionId(0)}];
    l.entries.push_back(Entry{l.end, std::move(value)});
    ++l.end;
  }

 private:
  std::map<TopicPartition, int64_t> position_;
  std::map<TopicPartition, bool> eof_sent_;
  std::set<TopicPartition> paused_;
};

std::string Ts(int seconds) {
  return fmt::format("2025-01-16T10:{:02}:{:02}", seconds / 60, seconds % 60);
}
std::string Action(int s) {
  return fmt::format(R"({{"user_id":"u1","session_id":"s1","action":"view","page_url":"/","timestamp":"{}"}})", Ts(s));
}
std::string Purchase(int s) {
  return fmt::format(R"({{"user_id":"u1","session_id":"s1","product_id":"p","amount":2.5,"timestamp":"{}"}})", Ts(s));
}
std::string Session(int s) {
  return fmt::format(R"({{"session_id":"s1","user_id":"u1","device":"mobile","timestamp":"{}"}})", Ts(s));
}

// A table whose Refresh, on any thread but the one that made it (the committing thread's), waits
// while the gate is closed: a stage job held before it writes.
class GatedTable final : public TableOperations {
 public:
  explicit GatedTable(std::unique_ptr<TableOperations> table)
      : table_(std::move(table)), owner_(std::this_thread::get_id()) {}
  const TableIdentifier& id() const override { return table_->id(); }
  Result<TableState> Refresh() override {
    if (std::this_thread::get_id() != owner_) {
      std::unique_lock<std::mutex> lock(mu_);
      if (closed_) {
        ++held_;
        cv_.notify_all();
        cv_.wait(lock, [this] { return !closed_; });
      }
    }
    return table_->Refresh();
  }
  Result<TableState> Commit(const TableState& base, const TableMetadata& updated) override {
    return table_->Commit(base, updated);
  }
  FileSystem& io() override { return table_->io(); }

  void Close() {
    const std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  void Open() {
    const std::lock_guard<std::mutex> lock(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  // Waits up to `timeout` for a Refresh to be held at the gate.
  bool WaitHeld(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return held_ > 0; });
  }

 private:
  std::unique_ptr<TableOperations> table_;
  const std::thread::id owner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  int held_ = 0;
};

class PipelineRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("braid-runner-test-{:x}", std::random_device()());
    catalog_ = FileCatalog::Open(dir_.string(), "test").value();
    spec_ = SeedPipeline({"actions", "purchases", "sessions"});
    auto engine = JoinEngine::Create(spec_);
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE(catalog_->CreateTable(rows_id_, (*engine)->output_schema()).ok());
    ASSERT_TRUE(catalog_->CreateTable(rejects_id_, RejectsSchema()).ok());
    for (const char* t : {"actions", "purchases", "sessions"}) {
      source_.logs[TopicPartition{t, PartitionId(0)}];
    }
    source_.polls = 0;
    source_.per_poll = 1000;
    source_.reachable = true;
    source_.before_poll = nullptr;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<PipelineProgress> RunOnce(RunMode mode, OnDataLoss loss = OnDataLoss::kFail,
                                   std::optional<Duration> duration = std::nullopt) {
    auto rows = catalog_->OpenTable(rows_id_);
    auto rejects = catalog_->OpenTable(rejects_id_);
    PipelineOptions opt;
    opt.pipeline_id = "p";
    opt.mode = mode;
    opt.on_data_loss = loss;
    opt.duration = duration;
    opt.commit_interval = Duration::Seconds(1);
    opt.max_buffer_bytes = max_buffer_bytes_;
    opt.source_factory = [this](const KafkaConfig&, const std::string&)
        -> Result<std::unique_ptr<RecordSource>> {
      return std::unique_ptr<RecordSource>(new Borrowed(source_));
    };
    std::unique_ptr<TableOperations> rows_table = std::move(*rows);
    if (gate_rows_) {
      auto gated = std::make_unique<GatedTable>(std::move(rows_table));
      gate_ = gated.get();
      rows_table = std::move(gated);
    }
    PipelineRunner runner(spec_, KafkaConfig{}, *rows_table, **rejects, opt);
    return runner.Run();
  }

  // A continuous run of one second over one action, session and purchase: it reads them, sees
  // its partitions caught up and saves them so, not yet idle.
  void RunContinuouslyOverOneEventEach() {
    source_.Append("actions", Action(10));
    source_.Append("sessions", Session(10));
    source_.Append("purchases", Purchase(12));
    auto first = RunOnce(RunMode::kContinuous, OnDataLoss::kFail, Duration::Seconds(1));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
  }

  // A session a minute and an action a second, each action in its minute's session, from 0 s.
  void AppendMinutesOfSessionsAndActions(int minutes) {
    for (int m = 0; m < minutes; ++m) {
      source_.Append("sessions", fmt::format(
          R"({{"session_id":"s{}","user_id":"u","device":"mobile","timestamp":"{}"}})", m, Ts(m * 60)));
    }
    for (int s = 0; s < minutes * 60; ++s) {
      source_.Append("actions", fmt::format(
          R"({{"user_id":"u","session_id":"s{}","action":"view","page_url":"/","timestamp":"{}"}})",
          s / 60, Ts(s)));
    }
  }

  std::optional<PipelineRecord> Record() {
    return PipelineRecord::Find(catalog_->LoadTable(rows_id_)->metadata, "p");
  }

  // Hands the fixture's source to a runner without giving it away.
  class Borrowed final : public RecordSource {
   public:
    explicit Borrowed(FakeSource& s) : s_(s) {}
    Result<std::vector<PartitionId>> ListPartitions(const std::string& t, int ms) override {
      return s_.ListPartitions(t, ms);
    }
    Result<std::pair<KafkaOffset, KafkaOffset>> QueryOffsets(const TopicPartition& tp, int ms) override {
      return s_.QueryOffsets(tp, ms);
    }
    Result<std::map<TopicPartition, KafkaOffset>> EndOffsets(const std::vector<TopicPartition>& tps,
                                                             int ms) override {
      return s_.EndOffsets(tps, ms);
    }
    Status Assign(const std::vector<StartPosition>& p) override { return s_.Assign(p); }
    Result<size_t> Poll(int ms, const RecordHandler& r, const EndHandler& e) override {
      return s_.Poll(ms, r, e);
    }
    Status Pause(const TopicPartition& tp) override { return s_.Pause(tp); }
    Status Resume(const TopicPartition& tp) override { return s_.Resume(tp); }
    void CommitForMonitoring(const std::map<TopicPartition, KafkaOffset>& o) override {
      s_.CommitForMonitoring(o);
    }

   private:
    FakeSource& s_;
  };

  std::filesystem::path dir_;
  std::unique_ptr<FileCatalog> catalog_;
  JoinSpec spec_;
  TableIdentifier rows_id_{"demo", "unified_activity"};
  TableIdentifier rejects_id_{"demo", "unified_activity_rejects"};
  FakeSource source_;
  size_t max_buffer_bytes_ = size_t{256} << 20;
  bool gate_rows_ = false;       // RunOnce's rows table is a GatedTable, at gate_
  std::atomic<GatedTable*> gate_{nullptr};
};

TEST_F(PipelineRunnerTest, BoundedRunFinishesOnTransactionMarkers) {
  source_.Append("actions", Action(10));
  source_.Append("sessions", Session(10));
  source_.Append("purchases", Purchase(12));
  // Each topic then ends with markers (commit/abort) that are never delivered.
  for (auto& [tp, log] : source_.logs) log.end += 2;
  auto r = RunOnce(RunMode::kDrain);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows_committed, 1);
  auto rec = Record();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->offsets, R"({"actions":{"0":3},"purchases":{"0":3},"sessions":{"0":3}})");
}

// A drain's final sweep emits the rows of every window still open; it runs in parts, handed to
// the committing thread as it frees up, so they are written as several data files while the
// sweep goes on, and every row is committed once.
TEST_F(PipelineRunnerTest, ADrainWritesItsFinalSweepInPartsAndCommitsEveryRow) {
  constexpr int kSessions = 30000;
  for (int i = 0; i < kSessions; ++i) {
    const std::string session = fmt::format("s{}", i);
    source_.Append("sessions", fmt::format(
        R"({{"session_id":"{}","user_id":"u","device":"mobile","timestamp":"{}"}})", session, Ts(i / 1000)));
    source_.Append("actions", fmt::format(
        R"({{"user_id":"u","session_id":"{}","action":"view","page_url":"/","timestamp":"{}"}})",
        session, Ts(i / 1000)));
  }
  max_buffer_bytes_ = size_t{2} << 20;  // stages from 64 KiB in the last stretch
  auto r = RunOnce(RunMode::kDrain);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rejects_committed, 0);
  EXPECT_EQ(r->rows_committed, kSessions);  // each action, no purchase: its NULL row at the end
  const TableMetadata m = catalog_->LoadTable(rows_id_)->metadata;
  ASSERT_NE(m.CurrentSnapshot(), nullptr);
  EXPECT_EQ(m.CurrentSnapshot()->summary.at("added-records"), std::to_string(kSessions));
  EXPECT_GE(std::stoi(m.CurrentSnapshot()->summary.at("added-data-files")), 2);
}

// Reading ends while the committing thread still writes a stage: the rows left are written
// beside it, on the joining thread, and the final commit adds them to the stage's. Here the
// stage is held (its table refresh waits at a gate closed three polls before the last) until a
// data file of the rows left appears; waiting for the stage first, as before, no file appeared.
// (Closed at the last poll, a stage written quickly sometimes took the last rows with it, and
// no rows were left to write beside it.)
TEST_F(PipelineRunnerTest, TheRowsLeftWhenReadingEndsAreWrittenBesideTheLastStage) {
  constexpr int kMinutes = 60;
  AppendMinutesOfSessionsAndActions(kMinutes);
  source_.per_poll = 300;  // five minutes of actions per poll, twelve polls
  max_buffer_bytes_ = size_t{1} << 20;
  gate_rows_ = true;
  source_.before_poll = [this](FakeSource& s) {
    if (s.polls == kMinutes / 5 - 3) gate_.load()->Close();
  };
  const auto data = dir_ / "demo" / "unified_activity" / "data";
  auto files = [&data] {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(data, ec)) n += e.path().extension() == ".parquet";
    return n;
  };
  bool written_beside = false;
  std::thread watcher([&] {
    GatedTable* gate = nullptr;
    for (int i = 0; i < 20000 && (gate = gate_.load()) == nullptr; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (gate == nullptr) return;
    if (gate->WaitHeld(std::chrono::seconds(20))) {
      const size_t before = files();
      // Generous: the file comes in milliseconds, but a loaded machine (parallel tests right
      // after a build) once took longer than five seconds.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!written_beside && std::chrono::steady_clock::now() < deadline) {
        written_beside = files() > before;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    gate->Open();
  });
  auto r = RunOnce(RunMode::kDrain);
  watcher.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(written_beside);
  EXPECT_EQ(r->rows_committed, kMinutes * 60);  // each action with its session, once
  const TableMetadata m = catalog_->LoadTable(rows_id_)->metadata;
  int64_t records = 0;
  for (const Snapshot& snap : m.snapshots) {
    auto it = snap.summary.find("added-records");
    if (it != snap.summary.end()) records += std::stoll(it->second);
  }
  EXPECT_EQ(records, kMinutes * 60);
}

TEST_F(PipelineRunnerTest, UntilCaughtUpKeepsTheJoinStateForTheNextRun) {
  source_.Append("actions", Action(10));
  source_.Append("sessions", Session(10));
  auto first = RunOnce(RunMode::kUntilCaughtUp);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rows_committed, 0);  // the purchase window is still open
  source_.Append("purchases", Purchase(70));
  auto second = RunOnce(RunMode::kDrain);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->recovered);
  EXPECT_EQ(second->rows_committed, 1);  // (a, p, s) across the run boundary, no NULL row
}

// Found by the maintenance fault test: a continuous run stopped before its partitions turned
// idle saves them as not idle; a bounded run that then reads new records only from one topic,
// far ahead of the others, held that topic (alignment) while the others, read to their ends,
// held the watermark: the run never ended.
TEST_F(PipelineRunnerTest, ABoundedRunEndsWhenOnlyAHeldPartitionHasRecords) {
  ASSERT_NO_FATAL_FAILURE(RunContinuouslyOverOneEventEach());
  for (int m = 20; m < 50; m += 10) source_.Append("actions", Action(m * 60));  // far past the bound
  source_.per_poll = 1;  // one record per poll: the runner holds the partition after the first
  auto second = RunOnce(RunMode::kUntilCaughtUp);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->recovered);
  EXPECT_EQ(second->join.records_in, 3);
  auto rec = Record();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->offsets, R"({"actions":{"0":4},"purchases":{"0":1},"sessions":{"0":1}})");
}

// A bounded run: partitions whose records end early in event time (one purchase, sixty
// sessions) are read to their ends in the first poll, and they were written long ago, so they
// turn idle at once. They held the watermark at their last records until the runner's next tick
// (200 ms) before: the actions partition, paused ahead of them by the alignment bound, was then
// released (nothing else could move the watermark) and read on unaligned, and the join state
// grew to a few thousand actions (up to the whole hour) where the windows need a few minutes.
TEST_F(PipelineRunnerTest, APartitionReadToItsEndStopsHoldingTheWatermarkAtOnce) {
  constexpr int kMinutes = 60;
  source_.Append("purchases", fmt::format(
      R"({{"user_id":"u","session_id":"s0","product_id":"p","amount":2.5,"timestamp":"{}"}})", Ts(0)));
  AppendMinutesOfSessionsAndActions(kMinutes);
  source_.per_poll = 300;  // five minutes of actions per poll
  auto r = RunOnce(RunMode::kDrain);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->join.records_in, 1 + kMinutes + kMinutes * 60);
  EXPECT_EQ(r->rejects_committed, 0);
  EXPECT_EQ(r->rows_committed, kMinutes * 60);  // each action with its session, once
  // Actions stay until the watermark passes them by the widest window (2 min) and the delay
  // (30 s), and one poll adds five minutes of them: a few hundred events (305; 3,061 before).
  EXPECT_LE(r->join.peak_state_rows, 600u);
}

// Found by the S3 outage test: a continuous run saves its partitions caught up; a bounded run
// over new records then checked idleness as soon as one partition was read to its end, and
// the sessions partition, caught up as saved and not yet read, turned idle: the watermark
// passed its unread session, which came in late. A partition with records to read is not
// caught up.
TEST_F(PipelineRunnerTest, ABoundedRunDoesNotIdleAPartitionItHasYetToRead) {
  ASSERT_NO_FATAL_FAILURE(RunContinuouslyOverOneEventEach());
  // One record per partition and poll, in topic order: the first poll brings the action at
  // 200 s, the purchase (its partition read to its end) and the session at 150 s, which is on
  // time while the sessions partition holds the watermark at its saved 10 s.
  source_.per_poll = 1;
  source_.Append("actions", Action(200));
  source_.Append("actions", Action(210));
  source_.Append("purchases", Purchase(100));
  source_.Append("sessions", Session(150));
  auto second = RunOnce(RunMode::kDrain);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->recovered);
  EXPECT_EQ(second->join.records_in, 4);
  EXPECT_EQ(second->join.late, 0u);
  EXPECT_EQ(second->rejects_committed, 0);
}

TEST_F(PipelineRunnerTest, ASecondWriterStopsAndCommitsNothing) {
  source_.Append("actions", Action(10));
  source_.Append("sessions", Session(10));
  ASSERT_TRUE(RunOnce(RunMode::kUntilCaughtUp).ok());
  source_.Append("purchases", Purchase(20));
  // While this run reads, another process commits for the same pipeline.
  source_.before_poll = [this](FakeSource&) {
    if (source_.polls != 1) return;
    auto table = catalog_->OpenTable(rows_id_);
    auto appender = TableAppender::Create();
    CommitRequest other;
    other.properties = {{"braid.pipeline.p.commit-seq", "2"},
                        {"braid.pipeline.p.writer", "elsewhere:42"}};
    ASSERT_TRUE((*appender)->Commit(**table, {}, other).ok());
  };
  const size_t before = catalog_->LoadTable(rows_id_)->metadata.snapshots.size();
  auto r = RunOnce(RunMode::kDrain);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kFencedOut);
  EXPECT_NE(r.status().message().find("elsewhere:42"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find("--pipeline-id"), std::string::npos);
  EXPECT_EQ(catalog_->LoadTable(rows_id_)->metadata.snapshots.size(), before + 1);  // theirs only
}

TEST_F(PipelineRunnerTest, OffsetsBelowTheLogStartStopTheRunUnlessSkipped) {
  for (int i = 0; i < 3; ++i) source_.Append("actions", Action(10 + i));
  source_.Append("sessions", Session(10));
  ASSERT_TRUE(RunOnce(RunMode::kUntilCaughtUp).ok());
  for (int i = 0; i < 5; ++i) source_.Append("actions", Action(20 + i));
  Log& actions = source_.logs[TopicPartition{"actions", PartitionId(0)}];
  actions.start = 6;  // retention removed offsets 3..5 before braid read them
  std::erase_if(actions.entries, [](const Entry& e) { return e.offset < 6; });
  auto failed = RunOnce(RunMode::kUntilCaughtUp);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().kind(), StatusKind::kDataLoss);
  EXPECT_NE(failed.status().message().find("actions[0] offsets 3..5 (3 records)"), std::string::npos)
      << failed.status().message();
  EXPECT_EQ(Record()->commit_seq, 1);  // nothing committed
  auto skipped = RunOnce(RunMode::kUntilCaughtUp, OnDataLoss::kSkip);
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_EQ(skipped->skipped_records, 3);
  EXPECT_NE(Record()->data_loss.find("actions[0] offsets 3..5"), std::string::npos);
}

// A partition whose end the brokers cannot confirm keeps holding the watermark, however long
// the outage; when they answer, the same silent partition turns idle and releases it.
TEST_F(PipelineRunnerTest, UnconfirmedEndHoldsTheWatermark) {
  spec_.idle_timeout = Duration::Millis(1500);
  int next = 10;
  auto feed_sessions = [&next](FakeSource& s) {
    next += 5;
    s.Append("sessions", Session(next));
  };
  source_.Append("actions", Action(10));
  source_.Append("purchases", Purchase(10));
  source_.before_poll = feed_sessions;
  ASSERT_TRUE(RunOnce(RunMode::kContinuous, OnDataLoss::kFail, Duration::Millis(3500)).ok());
  EXPECT_GT(Record()->watermark, "2025-01-16T10:00:00");  // driven by sessions once the others idled

  TearDown();
  SetUp();
  next = 10;
  source_.Append("actions", Action(10));
  source_.Append("purchases", Purchase(10));
  // After the first fetch, the end-offset probe fails (the actions and purchases leader is
  // down) while sessions keep arriving from another broker.
  source_.before_poll = [&](FakeSource& s) {
    feed_sessions(s);
    s.reachable = s.polls <= 1;
  };
  ASSERT_TRUE(RunOnce(RunMode::kContinuous, OnDataLoss::kFail, Duration::Millis(3500)).ok());
  EXPECT_EQ(Record()->watermark, "2025-01-16T09:59:40.000000Z");
}

}  // namespace
}  // namespace braid
