// Fuzz target: the join-state checkpoint (JoinEngine::LoadState) of the seed pipeline.
// Each input is loaded as given, then again with its header's length and CRC-32C repaired so
// that mutations reach the body parser. Properties of an accepted state: saving it and loading
// that into a fresh engine succeeds with the same watermark, keys, events and size; and the
// loaded engine stays usable (it processes a record and finishes, emptying its state). A load
// that fails leaves the engine unchanged (no watermark, no stored events).

#include <cstring>

#include "event/rejects.h"
#include "fuzz_check.h"
#include "join/crc32c.h"
#include "join/join_engine.h"
#include "join/join_spec.h"

namespace braid {
namespace {

constexpr size_t kHeaderSize = 24;  // docs/join-state-checkpoint.md
constexpr std::string_view kMagic("BRAIDJS\0", 8);

std::unique_ptr<JoinEngine> Fresh() { return JoinEngine::Create(SeedPipeline()).value(); }

// A fresh engine and its saved (empty) state, reused while loads fail: a failed load must
// leave the engine as it was, so most inputs need no new engine.
struct Pristine {
  std::unique_ptr<JoinEngine> engine = Fresh();
};

void Check(std::string_view data) {
  static Pristine pristine;
  if (!pristine.engine->LoadState(data).ok()) {
    BRAID_FUZZ_CHECK(pristine.engine->watermark() == Timestamp::Min());
    BRAID_FUZZ_CHECK(pristine.engine->counters().state_rows == 0);
    return;
  }
  std::unique_ptr<JoinEngine> engine = std::move(pristine.engine);
  pristine.engine = Fresh();
  std::string saved;
  BRAID_FUZZ_CHECK(engine->SaveState(&saved).ok());
  std::unique_ptr<JoinEngine> reloaded = Fresh();
  BRAID_FUZZ_CHECK(reloaded->LoadState(saved).ok());
  std::string saved_again;
  BRAID_FUZZ_CHECK(reloaded->SaveState(&saved_again).ok());
  BRAID_FUZZ_CHECK(saved_again.size() == saved.size());
  BRAID_FUZZ_CHECK(reloaded->watermark() == engine->watermark());
  BRAID_FUZZ_CHECK(reloaded->counters().state_rows == engine->counters().state_rows);
  BRAID_FUZZ_CHECK(reloaded->counters().state_keys == engine->counters().state_keys);

  RowBatch rows(engine->output_schema()), rejects(RejectsSchema());
  constexpr std::string_view kAction =
      R"({"user_id":"u1","session_id":"s1","action":"view","page_url":"/p",)"
      R"("timestamp":"2025-01-16T10:20:30Z"})";
  KafkaRecord record{"user_actions", PartitionId(0), KafkaOffset(7), std::nullopt, kAction,
                     Timestamp(0)};
  engine->Process(record, &rows, &rejects);
  BRAID_FUZZ_CHECK(engine->counters().records_in == 1);
  engine->Finish(&rows);
  BRAID_FUZZ_CHECK(engine->counters().state_rows == 0);
}

}  // namespace
}  // namespace braid

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = braid::fuzz::AsView(data, size);
  braid::Check(input);
  if (size >= braid::kHeaderSize && input.substr(0, 8) == braid::kMagic) {
    std::string repaired(input);
    const uint64_t length = size - braid::kHeaderSize;
    const uint32_t crc = braid::Crc32c(std::string_view(repaired).substr(braid::kHeaderSize));
    std::memcpy(repaired.data() + 12, &length, 8);
    std::memcpy(repaired.data() + 20, &crc, 4);
    if (repaired != input) braid::Check(repaired);
  }
  return 0;
}
