// EventDecoder::Decode on the seed generator's records, per stream: JSON value → key, event
// time and stored values (the first step of every record in the pipeline).

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "seed_data.h"

namespace braid::bench {
namespace {

// The records `braid produce` writes for 20,000 actions (12,000 purchases and up to 20,000
// sessions: 2,000 users × 100 sessions), by topic.
const std::map<std::string, std::vector<std::string>, std::less<>>& SeedRecords() {
  static const auto records = [] {
    std::map<std::string, std::vector<std::string>, std::less<>> by_topic;
    SeedGeneratorOptions options;
    options.events = 20000;
    options.users = 2000;
    options.sessions = 100;
    options.seed = 7;
    options.now = kT0;
    options.span = Duration::Seconds(600);
    SeedGenerator(options).Generate([&](std::string_view topic, std::string_view json) {
      by_topic[std::string(topic)].emplace_back(json);
      return true;
    });
    return by_topic;
  }();
  return records;
}

void BM_Decode(benchmark::State& state, size_t stream) {
  const StreamSpec& spec = SeedPlan().stream(stream).spec;
  auto it = SeedRecords().find(spec.topic);
  if (it == SeedRecords().end() || it->second.empty()) {
    state.SkipWithError("the seed generator wrote no records for this stream");
    return;
  }
  const std::vector<std::string>& records = it->second;
  SeedDecoders decoders;
  EventDecoder& decoder = decoders.of(stream);
  DecodedEvent event;
  size_t i = 0, bytes = 0;
  int64_t rejects = 0;
  const Timestamp earliest = kT0 - Duration::Seconds(600);
  int64_t out_of_span = 0;
  for (auto _ : state) {
    const std::string& json = records[i];
    if (++i == records.size()) i = 0;
    rejects += decoder.Decode(json, &event).has_value();
    out_of_span += event.ts < earliest || kT0 < event.ts;
    bytes += json.size();
    benchmark::DoNotOptimize(event.values.data());
  }
  if (rejects > 0 || out_of_span > 0) {
    state.SkipWithError("a seed record was rejected or decoded with a wrong event time");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

BENCHMARK_CAPTURE(BM_Decode, actions, size_t{kActions});
BENCHMARK_CAPTURE(BM_Decode, purchases, size_t{kPurchases});
BENCHMARK_CAPTURE(BM_Decode, sessions, size_t{kSessions});

}  // namespace
}  // namespace braid::bench
