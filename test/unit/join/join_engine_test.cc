#include "join/join_engine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "join/crc32c.h"

namespace braid {
namespace {

const SeedTopics kTopics{"actions", "purchases", "sessions"};

class JoinEngineTest : public ::testing::Test {
 protected:
  JoinEngineTest() { engine_ = Make(); }
  // A one-minute purchase window, so that a window can be closed while its action is held.
  static JoinSpec Spec() { return SeedPipeline(kTopics, Duration::Seconds(60)); }
  static std::unique_ptr<JoinEngine> Make(const JoinSpec& spec = Spec()) {
    auto e = JoinEngine::Create(spec);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(e).value();
  }
  void Send(JoinEngine& e, const std::string& topic, int64_t partition, std::string value) {
    const KafkaRecord r{topic, PartitionId(partition), KafkaOffset(offset_++), std::nullopt,
                        value, Timestamp(0)};
    e.Process(r, &rows_, &rejects_);
  }
  void Action(JoinEngine& e, const char* user, const char* time) {
    Send(e, "actions", 0,
         fmt::format(R"({{"user_id":"{}","session_id":"s","action":"a","page_url":"/",)"
                     R"("timestamp":"2025-01-16T{}"}})",
                     user, time));
  }
  void Session(JoinEngine& e, const char* user, const char* time) {
    Send(e, "sessions", 0,
         fmt::format(R"({{"user_id":"{}","session_id":"s","device":"tv","timestamp":"2025-01-16T{}"}})",
                     user, time));
  }
  void Purchase(JoinEngine& e, const char* user, const char* time) {
    Send(e, "purchases", 0,
         fmt::format(R"({{"user_id":"{}","session_id":"s","product_id":"p","amount":1,)"
                     R"("timestamp":"2025-01-16T{}"}})",
                     user, time));
  }
  // An engine with stored events in every stream, closed windows and a finite watermark.
  std::string SomeState() {
    Action(*engine_, "u1", "10:00:00");
    Session(*engine_, "u1", "10:00:01");
    Purchase(*engine_, "u2", "10:00:02");
    Action(*engine_, "u3", "10:02:00");
    Session(*engine_, "u3", "10:02:00");
    Purchase(*engine_, "u4", "10:02:00");  // watermark 10:01:30: u1's purchase window closed
    EXPECT_EQ(engine_->counters().state_rows, 5u);  // u2's purchase (10:00:02 + 1m) left
    std::string state;
    EXPECT_TRUE(engine_->SaveState(&state).ok());
    return state;
  }

  std::unique_ptr<JoinEngine> engine_;
  RowBatch rows_{JoinPlan::Compile(Spec())->output_schema()};
  RowBatch rejects_{RejectsSchema()};
  int64_t offset_ = 0;
};

TEST_F(JoinEngineTest, CountsRecordsRowsRejectsAndLateness) {
  Action(*engine_, "u1", "10:00:00");
  Session(*engine_, "u1", "10:00:00");
  Purchase(*engine_, "u1", "10:00:00");
  Send(*engine_, "purchases", 0, "{oops");
  Send(*engine_, "clicks", 0, "{}");
  Action(*engine_, "u2", "10:05:00");
  Session(*engine_, "u2", "10:05:00");
  Purchase(*engine_, "u2", "10:05:00");  // watermark now 10:04:30
  Purchase(*engine_, "u1", "10:00:01");  // late
  const JoinCounters c = engine_->counters();
  EXPECT_EQ(c.records_in, 9u);
  EXPECT_EQ(c.rows_out, 2u);
  EXPECT_EQ(rows_.num_rows(), 2u);
  EXPECT_EQ(c.rejects, 3u);
  EXPECT_EQ(c.late, 1u);
  EXPECT_EQ(c.rejects_by_kind[static_cast<size_t>(RejectKind::kInvalidJson)], 1u);
  EXPECT_EQ(c.rejects_by_kind[static_cast<size_t>(RejectKind::kUnknownTopic)], 1u);
  EXPECT_EQ(c.rejects_by_kind[static_cast<size_t>(RejectKind::kLate)], 1u);
  EXPECT_EQ(rejects_.column(3).string_at(1), "topic \"clicks\" is not an input of this pipeline");
  EXPECT_EQ(rejects_.column(5).ints[2], 1737021601000000);  // the late record's event time
  EXPECT_EQ(c.state_keys, 1u);                              // u1 was evicted
  EXPECT_GE(c.peak_state_rows, c.state_rows);
  EXPECT_EQ(engine_->watermark().micros(), 1737021870000000);  // 10:04:30
  EXPECT_EQ(engine_->TopicWatermark("actions").micros(), 1737021870000000);
}

// The decoder finds each record's stream by its topic, through runs of one topic and changes
// between known and unknown ones.
TEST_F(JoinEngineTest, TheDecoderFindsEachRecordsStreamAcrossTopicChanges) {
  auto decoder = engine_->NewDecoder();
  ASSERT_TRUE(decoder.ok()) << decoder.status().ToString();
  const std::vector<std::pair<std::string, int>> topics{
      {"actions", 0},  {"actions", 0}, {"sessions", 2}, {"clicks", -1}, {"clicks", -1},
      {"purchases", 1}, {"clicks", -1}, {"actions", 0}, {"sessions", 2}};
  for (const auto& [topic, stream] : topics) {
    const KafkaRecord r{topic, PartitionId(0), KafkaOffset(0), std::nullopt, "{}", Timestamp(0)};
    DecodedRecord d;
    (*decoder)->Decode(r, &d);
    EXPECT_EQ(d.stream, stream) << topic;
    EXPECT_EQ(d.reject.has_value() && d.reject->kind == RejectKind::kUnknownTopic, stream < 0)
        << topic;
  }
}

TEST_F(JoinEngineTest, AStreamsOwnWatermarkDelayHoldsThePipelineWatermark) {
  JoinSpec spec = Spec();  // 30 s for every stream
  spec.enriching[1].stream.watermark_delay = Duration::Seconds(300);  // sessions: 5 minutes
  auto engine = Make(spec);
  const std::vector<TopicPartition> parts{{"actions", PartitionId(0)}, {"purchases", PartitionId(0)},
                                          {"sessions", PartitionId(0)}};
  ASSERT_TRUE(engine->AssignPartitions(parts).ok());
  Action(*engine, "u1", "10:10:00");
  Purchase(*engine, "u1", "10:10:00");
  Session(*engine, "u1", "10:10:00");
  EXPECT_EQ(engine->PartitionWatermark({"actions", PartitionId(0)})->micros(), 1737022170000000);  // 10:09:30
  EXPECT_EQ(engine->PartitionWatermark({"sessions", PartitionId(0)})->micros(), 1737021900000000);  // 10:05:00
  EXPECT_EQ(engine->watermark().micros(), 1737021900000000);
  // An action at 10:06 is on time: the sessions' 5 minutes still cover it.
  Action(*engine, "u2", "10:06:00");
  EXPECT_EQ(engine->counters().late, 0u);
}

TEST_F(JoinEngineTest, AssignRefusesTopicsOutsideThePipeline) {
  const std::vector<TopicPartition> bad = {{"actions", PartitionId(0)}, {"clicks", PartitionId(0)}};
  Status s = engine_->AssignPartitions(bad);
  EXPECT_EQ(s.kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(s.message().find("clicks"), std::string::npos);
  const std::vector<TopicPartition> good = {{"actions", PartitionId(0)}, {"actions", PartitionId(1)}};
  EXPECT_TRUE(engine_->AssignPartitions(good).ok());
  Action(*engine_, "u1", "10:00:00");
  EXPECT_EQ(engine_->watermark(), Timestamp::Min()) << "actions p1 holds it";
}

TEST_F(JoinEngineTest, AfterFinishEverythingIsLate) {
  Action(*engine_, "u1", "10:00:00");
  engine_->Finish(&rows_);
  EXPECT_EQ(engine_->watermark(), Timestamp::Max());
  Action(*engine_, "u1", "10:00:00");
  EXPECT_EQ(engine_->counters().late, 1u);
}

TEST_F(JoinEngineTest, CheckpointRestoresWatermarkAndState) {
  const std::string state = SomeState();
  auto fresh = Make();
  ASSERT_TRUE(fresh->LoadState(state).ok());
  EXPECT_EQ(fresh->watermark(), engine_->watermark());
  EXPECT_EQ(fresh->counters().state_rows, engine_->counters().state_rows);
  std::string again;
  ASSERT_TRUE(fresh->SaveState(&again).ok());
  EXPECT_EQ(again.size(), state.size());
}

TEST_F(JoinEngineTest, DamagedCheckpointIsCorruptionAndChangesNothing) {
  const std::string state = SomeState();
  auto target = Make();
  Action(*target, "z", "11:00:00");
  const Timestamp wm = target->watermark();
  auto expect_refused = [&](std::string_view bytes, StatusKind kind, const char* what) {
    Status s = target->LoadState(bytes);
    EXPECT_EQ(s.kind(), kind) << what << ": " << s.ToString();
    EXPECT_EQ(target->watermark(), wm);
    EXPECT_EQ(target->counters().state_rows, 1u);
  };
  expect_refused("", StatusKind::kCorruption, "empty");
  expect_refused(std::string_view(state).substr(0, 23), StatusKind::kCorruption, "short");
  for (size_t cut = 24; cut < state.size(); cut += 7) {
    expect_refused(std::string_view(state).substr(0, cut), StatusKind::kCorruption, "truncated");
  }
  std::string bad = state;
  bad[0] = 'X';
  EXPECT_NE(target->LoadState(bad).message().find("bad magic"), std::string::npos);
  for (size_t i = 8; i < state.size(); ++i) {
    bad = state;
    bad[i] ^= 0x5A;
    EXPECT_FALSE(target->LoadState(bad).ok()) << "flipped byte " << i;
  }
  bad = state;
  bad[8] = 2;  // version 2
  expect_refused(bad, StatusKind::kInvalidArgument, "newer version");
  bad = state + "x";
  expect_refused(bad, StatusKind::kCorruption, "appended byte");
}

// A checksum only proves the bytes are as written; the parser must also survive bytes that were
// written wrong. Mutate the body, fix the length and checksum, and load: never a crash; and
// whatever loads must run on.
TEST_F(JoinEngineTest, MutatedCheckpointBodiesNeverCrash) {
  const std::string state = SomeState();
  std::mt19937_64 r(7);
  int loaded = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string body = state.substr(24);
    const int edits = std::uniform_int_distribution<int>(1, 4)(r);
    for (int k = 0; k < edits && !body.empty(); ++k) {
      const size_t at = std::uniform_int_distribution<size_t>(0, body.size() - 1)(r);
      switch (std::uniform_int_distribution<int>(0, 3)(r)) {
        case 0: body[at] = static_cast<char>(r()); break;
        case 1: body.erase(at, std::uniform_int_distribution<size_t>(1, 16)(r)); break;
        case 2: {
          const size_t n = std::uniform_int_distribution<size_t>(1, 8)(r);
          body.insert(at, std::string(n, static_cast<char>(r())));
          break;
        }
        default: body[at] = static_cast<char>(0xFF); break;
      }
    }
    std::string bytes = state.substr(0, 12);
    const uint64_t len = body.size();
    const uint32_t crc = Crc32c(body);
    bytes.append(reinterpret_cast<const char*>(&len), 8);
    bytes.append(reinterpret_cast<const char*>(&crc), 4);
    bytes += body;
    auto e = Make();
    Status s = e->LoadState(bytes);
    if (!s.ok()) {
      EXPECT_TRUE(s.kind() == StatusKind::kCorruption || s.kind() == StatusKind::kInvalidArgument)
          << s.ToString();
      continue;
    }
    ++loaded;
    RowBatch rows(e->output_schema()), rejects(RejectsSchema());
    const KafkaRecord rec{"sessions", PartitionId(0), KafkaOffset(99), std::nullopt,
                          R"({"user_id":"u3","session_id":"s","device":"x",)"
                          R"("timestamp":"2025-01-16T10:04:00"})",
                          Timestamp(0)};
    e->Process(rec, &rows, &rejects);
    e->Finish(&rows);
    EXPECT_EQ(e->counters().state_rows, 0u);
  }
  EXPECT_GT(loaded, 0);  // some mutations (in values, times) still parse
}

TEST_F(JoinEngineTest, CheckpointOfAnotherPipelineIsRefused) {
  const std::string state = SomeState();
  JoinSpec other = Spec();
  other.columns.push_back({"sessions", "user_id", "x"});
  other.columns.push_back({"purchases", "timestamp", "y"});
  EXPECT_TRUE(Make(other)->LoadState(state).ok()) << "same stored fields: compatible";
  other.enriching[0].stream.fields.push_back({"coupon", FieldType::kString});
  other.columns.push_back({"purchases", "coupon", "coupon"});
  Status s = Make(other)->LoadState(state);
  EXPECT_EQ(s.kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(s.message().find("the join changed"), std::string::npos);
  EXPECT_EQ(s.message().find("\n"), std::string::npos);
}

TEST(Crc32c, KnownValue) {
  for (auto crc : {Crc32c, Crc32cPortable}) {
    EXPECT_EQ(crc("123456789"), 0xE3069283u);
    EXPECT_EQ(crc(""), 0u);
    EXPECT_EQ(crc(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720, B.4: 32 bytes of zeros
    EXPECT_EQ(crc(std::string(32, '\xff')), 0x62A8AB43u);  // and of ones
  }
}

// The eight-bytes-at-a-time path equals the table's on every length and start (tails of 0–7
// bytes, unaligned words).
TEST(Crc32c, AgreesWithTheTableAtEveryLengthAndOffset) {
  std::mt19937_64 rng(3);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t length = 0; length + offset <= bytes.size(); length += 1 + length / 3) {
      const std::string_view data = std::string_view(bytes).substr(offset, length);
      ASSERT_EQ(Crc32c(data), Crc32cPortable(data)) << "offset " << offset << " length " << length;
    }
  }
}

// DESIGN §1: no field name of the seed is hard-coded in the join; SeedPipeline is the one place.
TEST(SeedNames, OnlyInSeedPipeline) {
  namespace fs = std::filesystem;
  const std::vector<std::string> names = {"user_id", "session_id", "page_url", "amount",
                                          "product_id", "device", "purchase"};
  for (const char* dir : {"src/event", "src/join"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(BRAID_SOURCE_DIR) / dir)) {
      if (entry.path().filename() == "join_spec.cc" || entry.path().filename() == "join_spec.h") {
        continue;
      }
      std::ifstream in(entry.path());
      int line_no = 0;
      for (std::string line; std::getline(in, line);) {
        ++line_no;
        const std::string code = line.substr(0, line.find("//"));  // examples in comments are fine
        for (const std::string& n : names) {
          EXPECT_EQ(code.find(n), std::string::npos)
              << entry.path() << ":" << line_no << " mentions " << n;
        }
      }
    }
  }
}

}  // namespace
}  // namespace braid
