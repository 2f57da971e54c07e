// WatermarkTracker: the per-record bookkeeping JoinEngine::Process does (NoteRecord, then
// Observe with the record's event time) over 9 partitions (3 topics × 3 partitions).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "join/watermark_tracker.h"
#include "seed_data.h"

namespace braid::bench {
namespace {

void BM_WatermarkObserve(benchmark::State& state) {
  const JoinPlan& plan = SeedPlan();
  WatermarkTracker tracker(WatermarkTracker::Options{plan.spec().watermark_delay,
                                                     plan.spec().idle_timeout, std::nullopt});
  std::vector<WatermarkTracker::Handle> handles;
  for (size_t s = 0; s < plan.num_streams(); ++s) {
    for (int p = 0; p < 3; ++p) {
      handles.push_back(tracker.Register({plan.stream(s).spec.topic, PartitionId(p)}));
    }
  }
  // Records arrive from a random partition, 1 ms of event time apart overall, each moved back
  // by up to 5 s (disorder within a partition). Precomputed, then replayed shifted in time.
  constexpr size_t kCycle = 1 << 16;
  constexpr int64_t kGap = 1000;
  constexpr int64_t kJitter = 5 * kSecond;
  std::mt19937_64 rng(42);
  std::vector<WatermarkTracker::Handle> partition(kCycle);
  std::vector<int64_t> offset(kCycle);
  for (size_t i = 0; i < kCycle; ++i) {
    partition[i] = handles[rng() % handles.size()];
    offset[i] = static_cast<int64_t>(i) * kGap - static_cast<int64_t>(rng() % (kJitter + 1));
  }

  size_t i = 0;
  int64_t base = kT0.micros();
  int64_t advances = 0;
  Timestamp newest = Timestamp::Min();
  for (auto _ : state) {
    const WatermarkTracker::Handle h = partition[i];
    newest = Timestamp(base + offset[i]);
    tracker.NoteRecord(h);
    advances += tracker.Observe(h, newest);
    if (++i == kCycle) {
      i = 0;
      base += static_cast<int64_t>(kCycle) * kGap;
    }
  }

  // The watermark is the slowest partition's newest event time minus the delay, and it kept
  // up with the input (all 9 partitions delivered within the last few seconds).
  Timestamp slowest = Timestamp::Max();
  for (WatermarkTracker::Handle h : handles) slowest = std::min(slowest, tracker.MaxEventTime(h));
  const Timestamp wm = tracker.watermark();
  if (state.iterations() >= 1000 &&
      (wm != slowest - plan.spec().watermark_delay || advances == 0 ||
       wm < newest - plan.spec().watermark_delay - Duration::Seconds(10))) {
    state.SkipWithError("the watermark is not min over partitions of max event time - delay");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["advances"] =
      benchmark::Counter(static_cast<double>(advances), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_WatermarkObserve);

}  // namespace
}  // namespace braid::bench
