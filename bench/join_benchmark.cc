// JoinOperator on the seed plan (actions drive; purchases LEFT 2 min; sessions INNER 2 min):
// the per-record join (Add, with the watermark advanced every 1000 records) and eviction.
//
// Inputs are seed-format JSON run once through EventDecoder during setup, so the operator sees
// the keys and value encodings the engine gives it; only the join is timed. Every run is
// checked against a reference count of the rows the join must emit: for each action with S
// sessions and P purchases of its key within 2 min, S × max(P, 1) rows when S > 0.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <map>
#include <cstdlib>
#include <memory>
#include <random>
#include <span>
#include <unordered_map>
#include <vector>

#include "join/crc32c.h"
#include "join/join_operator.h"
#include "seed_data.h"

namespace braid::bench {
namespace {

constexpr size_t kAdvanceEvery = 1000;

JoinInput Decoded(SeedDecoders& decoders, size_t stream, int64_t user, int64_t session,
                  Timestamp ts, int64_t n) {
  JoinInput in;
  if (!decoders.Decode(stream, SeedJson(stream, user, session, ts, n), &in)) std::abort();
  return in;
}

// The reference row count of `inputs` once the input is finished.
uint64_t ExpectedRows(std::span<const JoinInput> inputs) {
  const JoinPlan& plan = SeedPlan();
  std::unordered_map<std::string, std::array<std::vector<Timestamp>, 3>> by_key;
  for (const JoinInput& in : inputs) by_key[in.key][in.stream].push_back(in.ts);
  for (auto& [key, streams] : by_key) {
    for (std::vector<Timestamp>& ts : streams) std::sort(ts.begin(), ts.end());
  }
  auto within = [&](const std::vector<Timestamp>& ts, Timestamp t, size_t stream) {
    const Duration w = plan.stream(stream).window;
    return static_cast<uint64_t>(std::upper_bound(ts.begin(), ts.end(), t + w) -
                                 std::lower_bound(ts.begin(), ts.end(), t - w));
  };
  uint64_t rows = 0;
  for (const auto& [key, streams] : by_key) {
    for (Timestamp a : streams[kActions]) {
      const uint64_t s = within(streams[kSessions], a, kSessions);
      const uint64_t p = within(streams[kPurchases], a, kPurchases);
      rows += s * std::max<uint64_t>(p, 1);
    }
  }
  return rows;
}

// 100,000 keys; every 1/300 s of event time one action, one purchase and one session, each
// of a key drawn uniformly (so ~300 records/s per stream, interleaved in event-time order);
// 600 s of event time: 540,000 records. Each action finds a session of its key in ±2 min
// about half the time, so the join emits ~0.8 rows per action.
struct Dataset {
  std::vector<JoinInput> inputs;
  uint64_t expected_rows = 0;
};

const Dataset& UniformKeys() {
  static const Dataset data = [] {
    constexpr int64_t kKeys = 100000, kTicks = 600 * 300, kTick = kSecond / 300;
    SeedDecoders decoders;
    std::mt19937_64 rng(1);
    Dataset d;
    d.inputs.reserve(3 * kTicks);
    for (int64_t t = 0; t < kTicks; ++t) {
      for (size_t s = 0; s < 3; ++s) {
        const int64_t k = static_cast<int64_t>(rng() % kKeys);
        const int64_t offset = t * kTick + static_cast<int64_t>(s) * kTick / 3;
        const Timestamp ts = kT0 + Duration::Micros(offset);
        d.inputs.push_back(Decoded(decoders, s, k / 10, k, ts, t));
      }
    }
    d.expected_rows = ExpectedRows(d.inputs);
    return d;
  }();
  return data;
}

// One key holding ~10,000 actions per 2-minute window (83.3 actions/s of event time, 1200 s:
// 100,000 actions), in event-time order with its enriching records: one session every 240 s
// (each action's ±2 min window holds one) and purchases at random times, one per
// `actions_per_purchase` actions on average. The argument sets how dense purchases are:
//  - 20000 (one per 240 s): each action sees 0, 1, 2, rarely 3 purchases; ~1 row per action.
//    The output stays proportional to the input, so this measures the join's own work.
//  - 50: ~400 purchases in each action's window, so ~400 rows per action: the output grows
//    with the key's density (the rows are cleared every 1000 records; memory stays flat).
//  - 0: purchases as dense as actions (83.3/s, ~10,000 in each window) and no session at
//    all: no row, but every record meets a window holding ~10,000 events of the other
//    stream. This is the case that costs O(k) per record when windows are scanned.
const Dataset& HotKey(int64_t actions_per_purchase) {
  static std::map<int64_t, Dataset> cache;
  auto [it, inserted] = cache.try_emplace(actions_per_purchase);
  Dataset& d = it->second;
  if (!inserted) return d;
  constexpr int64_t kSpan = 1200 * kSecond, kActionGap = 12000;  // 83.3/s
  SeedDecoders decoders;
  std::mt19937_64 rng(2);
  for (int64_t t = 0, n = 0; t < kSpan; t += kActionGap) {
    d.inputs.push_back(Decoded(decoders, kActions, 1, 1, kT0 + Duration::Micros(t), n++));
  }
  const bool dense = actions_per_purchase == 0;
  for (int64_t t = 120 * kSecond, n = 0; !dense && t < kSpan; t += 240 * kSecond) {
    d.inputs.push_back(Decoded(decoders, kSessions, 1, 1, kT0 + Duration::Micros(t + 1), n++));
  }
  std::exponential_distribution<double> gap(
      1.0 / static_cast<double>(std::max<int64_t>(actions_per_purchase, 1) * kActionGap));
  for (int64_t t = static_cast<int64_t>(gap(rng)), n = 0; t < kSpan;
       t += static_cast<int64_t>(gap(rng))) {
    d.inputs.push_back(Decoded(decoders, kPurchases, 1, 1, kT0 + Duration::Micros(t | 1), n++));
  }
  std::stable_sort(d.inputs.begin(), d.inputs.end(),
                   [](const JoinInput& a, const JoinInput& b) { return a.ts < b.ts; });
  d.expected_rows = ExpectedRows(d.inputs);
  return d;
}

// The seed's own shape (braid produce): each action of a random (user, session) pair, so nearly
// every key is new and holds one event per stream; a purchase for 60 % of the actions and a
// session record for each, both at the action's time. 300,000 actions over 30 minutes of event
// time (the seed's rate at 2 M actions over 2 h): 780,000 records. The three topics of three
// partitions each (a key's partition is its hash) are fed as the engine gets them: a batch of
// 256 records of one partition at a time, from the one furthest behind in event time. Nearly
// every visit is a cache miss.
const Dataset& SeedKeys() {
  static const Dataset data = [] {
    constexpr int64_t kActions = 300000, kSpan = 1800 * kSecond;
    constexpr size_t kPartitions = 3, kBatch = 256;
    SeedDecoders decoders;
    std::mt19937_64 rng(3);
    struct Action {
      int64_t user, session;
      Timestamp ts;
    };
    std::vector<Action> actions(kActions);
    for (Action& a : actions) {
      a.user = 1 + static_cast<int64_t>(rng() % 100000);
      a.session = 1 + static_cast<int64_t>(rng() % 200000);
      a.ts = kT0 + Duration::Micros(static_cast<int64_t>(rng() % kSpan));
    }
    std::sort(actions.begin(), actions.end(),
              [](const Action& a, const Action& b) { return a.ts < b.ts; });
    // Per stream and partition, its records in event-time order.
    std::vector<std::vector<JoinInput>> parts(3 * kPartitions);
    int64_t n = 0;
    for (const Action& a : actions) {
      for (size_t s : {size_t{SeedStream::kActions}, size_t{kPurchases}, size_t{kSessions}}) {
        if (s == kPurchases && rng() % 10 >= 6) continue;
        JoinInput in = Decoded(decoders, s, a.user, a.session, a.ts, n++);
        parts[s * kPartitions + in.key_hash % kPartitions].push_back(std::move(in));
      }
    }
    // The next batch is the one of the partition furthest behind in event time.
    Dataset d;
    std::vector<size_t> next(parts.size(), 0);
    for (;;) {
      size_t behind = parts.size();
      for (size_t p = 0; p < parts.size(); ++p) {
        if (next[p] < parts[p].size() &&
            (behind == parts.size() || parts[p][next[p]].ts < parts[behind][next[behind]].ts)) {
          behind = p;
        }
      }
      if (behind == parts.size()) break;
      const size_t end = std::min(parts[behind].size(), next[behind] + kBatch);
      for (; next[behind] < end; ++next[behind]) d.inputs.push_back(parts[behind][next[behind]]);
    }
    d.expected_rows = ExpectedRows(d.inputs);
    return d;
  }();
  return data;
}

// Adds `inputs` in order, moving the watermark to (max event time − delay) every 1000 records
// and clearing the output then; finishes with AdvanceTo(+∞) unless `finish` is false.
void Feed(JoinOperator& op, std::span<const JoinInput> inputs, RowBatch* out, bool finish) {
  const Duration delay = SeedPlan().spec().watermark_delay;
  Timestamp max_ts = Timestamp::Min();
  size_t since_advance = 0;
  // The engine's prefetch hints, as PipelineRunner gives them.
  constexpr size_t kAhead = JoinOperator::kPrefetchAhead;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i + kAhead < inputs.size()) op.Prefetch(inputs[i + kAhead].key_hash);
    if (i + kAhead / 2 < inputs.size()) op.PrefetchState(inputs[i + kAhead / 2].key_hash);
    const JoinInput& in = inputs[i];
    op.Add(in.stream, in.key, in.key_hash, in.ts, in.values, out);
    max_ts = std::max(max_ts, in.ts);
    if (++since_advance == kAdvanceEvery) {
      since_advance = 0;
      op.AdvanceTo(std::max(op.watermark(), max_ts - delay), out);
      out->Clear();
    }
  }
  if (finish) op.AdvanceTo(Timestamp::Max(), out);
  out->Clear();
}

void RunJoin(benchmark::State& state, const Dataset& d) {
  const JoinPlan& plan = SeedPlan();
  RowBatch out(plan.output_schema());
  size_t end_state = 0;
  std::unique_ptr<JoinOperator> op;
  for (auto _ : state) {
    state.PauseTiming();  // freeing the previous run's emptied state is not timed
    op = std::make_unique<JoinOperator>(plan);
    state.ResumeTiming();
    Feed(*op, d.inputs, &out, /*finish=*/true);
    if (op->rows_out() != d.expected_rows || op->state_rows() != 0) {
      state.SkipWithError("the join emitted a wrong number of rows or kept state");
      return;
    }
  }
  {  // State size at the end of the input, before the final sweep (outside the timing).
    JoinOperator op(plan);
    Feed(op, d.inputs, &out, /*finish=*/false);
    end_state = op.state_rows();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d.inputs.size()));
  state.counters["rows_per_record"] =
      static_cast<double>(d.expected_rows) / static_cast<double>(d.inputs.size());
  state.counters["state_events"] = static_cast<double>(end_state);
}

void BM_JoinUniformKeys(benchmark::State& state) { RunJoin(state, UniformKeys()); }
void BM_JoinSeedKeys(benchmark::State& state) { RunJoin(state, SeedKeys()); }
void BM_JoinHotKey(benchmark::State& state) { RunJoin(state, HotKey(state.range(0))); }

// The operator holding the first 150 s of the uniform input (the ~135,000 events a steady
// state holds: window + delay), watermark never advanced; timed: AdvanceTo(+∞), which closes
// every LEFT window (emitting its NULL rows) and evicts every event and key.
void BM_JoinEvict(benchmark::State& state) {
  const JoinPlan& plan = SeedPlan();
  const std::span<const JoinInput> fill(UniformKeys().inputs.data(), 150 * 300 * 3);
  const uint64_t expected_rows = ExpectedRows(fill);
  RowBatch out(plan.output_schema());
  std::unique_ptr<JoinOperator> op;
  int64_t evicted = 0;
  for (auto _ : state) {
    state.PauseTiming();
    op = std::make_unique<JoinOperator>(plan);
    for (const JoinInput& in : fill) op->Add(in.stream, in.key, in.ts, in.values, &out);
    out.Clear();
    const size_t held = op->state_rows();
    const uint64_t rows_before = op->rows_out();
    state.ResumeTiming();

    op->AdvanceTo(Timestamp::Max(), &out);

    state.PauseTiming();
    evicted += static_cast<int64_t>(held);
    if (held != fill.size() || op->state_rows() != 0 || op->num_keys() != 0 ||
        op->rows_out() != expected_rows || out.num_rows() != expected_rows - rows_before) {
      state.SkipWithError("AdvanceTo(+inf) left state behind or emitted a wrong number of rows");
      return;
    }
    out.Clear();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(evicted);
}

BENCHMARK(BM_JoinUniformKeys)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JoinSeedKeys)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JoinHotKey)->ArgName("actions_per_purchase")->Arg(20000)->Arg(50)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JoinEvict)->Unit(benchmark::kMillisecond);

// The checksum of a 16 MiB join-state checkpoint (a continuous run computes it twice a
// commit): hardware = 0 the byte-at-a-time table, 1 whatever Crc32c picks on this CPU.
void BM_CheckpointChecksum(benchmark::State& state) {
  std::string bytes(16 << 20, '\0');
  std::mt19937_64 rng(4);
  for (char& c : bytes) c = static_cast<char>(rng());
  const bool fast = state.range(0) == 1;
  for (auto _ : state) benchmark::DoNotOptimize(fast ? Crc32c(bytes) : Crc32cPortable(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_CheckpointChecksum)->ArgName("hardware")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace braid::bench
