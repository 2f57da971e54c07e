#pragma once
// Inputs shared by the micro-benchmarks: the seed join plan, seed-format JSON records run
// through braid's EventDecoder (so the join gets exactly what the engine gives it), and rows of
// the seed output table.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/row_batch.h"
#include "event/event_decoder.h"
#include "join/join_operator.h"
#include "join/join_plan.h"
#include "join/join_spec.h"
#include "kafka/seed_generator.h"

namespace braid::bench {

inline constexpr int64_t kSecond = 1'000'000;
inline constexpr Timestamp kT0{1737021600000000};  // 2025-01-16T10:00:00Z

/// The seed plan: actions drive, purchases LEFT 2 min, sessions INNER 2 min, delay 30 s.
inline const JoinPlan& SeedPlan() {
  static const JoinPlan plan = std::move(JoinPlan::Compile(SeedPipeline())).value();
  return plan;
}

/// Stream indices of the seed plan.
enum SeedStream : size_t { kActions = 0, kPurchases = 1, kSessions = 2 };

/// One record as the seed's producer writes it (README, "braid produce"), for key
/// (user_<user>, session_<session>).
inline std::string SeedJson(size_t stream, int64_t user, int64_t session, Timestamp ts, int64_t n) {
  static constexpr const char* kActionNames[] = {"view", "click", "scroll", "search"};
  static constexpr const char* kPages[] = {"/home", "/products", "/category", "/search"};
  static constexpr const char* kDevices[] = {"mobile", "desktop", "tablet"};
  const std::string time = PythonIsoFormat(ts);
  switch (stream) {
    case kActions:
      return fmt::format(
          R"({{"user_id": "user_{}", "session_id": "session_{}", "action": "{}", "page_url": "{}", "timestamp": "{}"}})",
          user, session, kActionNames[n % 4], kPages[n / 4 % 4], time);
    case kPurchases:
      return fmt::format(
          R"({{"user_id": "user_{}", "session_id": "session_{}", "product_id": "prod_{}", "amount": {}.99, "timestamp": "{}"}})",
          user, session, 100 + n % 900, 19 + n % 480, time);
    default:
      return fmt::format(
          R"({{"session_id": "session_{}", "user_id": "user_{}", "device": "{}", "timestamp": "{}"}})",
          session, user, kDevices[n % 3], time);
  }
}

/// A decoded event of the seed plan, ready for JoinOperator::Add.
struct JoinInput {
  size_t stream;
  std::string key;
  Timestamp ts;
  std::string values;
  size_t key_hash;  // JoinOperator::KeyHash(key), as the engine computes it when it decodes
};

/// The decoders the engine builds for the seed plan, one per stream.
class SeedDecoders {
 public:
  SeedDecoders() {
    const JoinPlan& plan = SeedPlan();
    for (size_t i = 0; i < plan.num_streams(); ++i) {
      const StreamPlan& s = plan.stream(i);
      decoders_.push_back(std::move(EventDecoder::Create(s.spec, s.stored_fields)).value());
    }
  }
  EventDecoder& of(size_t stream) { return *decoders_[stream]; }
  /// Decodes a JSON record of `stream` into `*in`; false if the decoder rejects it.
  bool Decode(size_t stream, const std::string& json, JoinInput* in) {
    if (decoders_[stream]->Decode(json, &event_)) return false;
    *in = JoinInput{stream, event_.key, event_.ts, event_.values,
                    JoinOperator::KeyHash(event_.key)};
    return true;
  }

 private:
  std::vector<std::unique_ptr<EventDecoder>> decoders_;
  DecodedEvent event_;
};

/// Appends `n` rows shaped like the seed's unified_activity rows to `batch` (the seed output
/// schema): ~40 % with a purchase, processing_time set. False if the schema is not the seed's.
inline bool FillSeedRows(RowBatch* batch, size_t n) {
  const RowSchema& s = batch->schema();
  const std::vector<std::string> names = {"user_id",         "session_id", "action_type",
                                          "page_url",        "purchase_amount", "product_id",
                                          "device_type",     "event_timestamp", "processing_time"};
  if (s.size() != names.size()) return false;
  for (size_t c = 0; c < names.size(); ++c) {
    if (s[c].name != names[c]) return false;
  }
  static constexpr const char* kActionNames[] = {"view", "click", "scroll", "search"};
  static constexpr const char* kPages[] = {"/home", "/products", "/category", "/search"};
  static constexpr const char* kDevices[] = {"mobile", "desktop", "tablet"};
  for (size_t i = 0; i < n; ++i) {
    const int64_t k = static_cast<int64_t>(i * 7919 % 100000);  // 100k keys, scattered
    batch->AppendString(fmt::format("user_{}", k / 10));
    batch->AppendString(fmt::format("session_{}", k));
    batch->AppendString(kActionNames[i % 4]);
    batch->AppendString(kPages[i / 4 % 4]);
    if (i % 5 < 2) {
      batch->AppendDouble(19.99 + static_cast<double>(i % 480));
      batch->AppendString(fmt::format("prod_{}", 100 + i % 900));
    } else {
      batch->AppendNull();
      batch->AppendNull();
    }
    batch->AppendString(kDevices[i % 3]);
    batch->AppendTimestamp(kT0 + Duration::Micros(static_cast<int64_t>(i) * 3333));
    batch->AppendNull();
    batch->EndRow();
  }
  batch->FillTimestampColumn(8, kT0 + Duration::Seconds(3600));
  return true;
}

}  // namespace braid::bench
