// The join against its definition: random pipelines and inputs run through JoinEngine (random
// partition interleaving, random checkpoint/restart) must give exactly the rows of DESIGN §2's
// query run by DuckDB over the accepted records. BRAID_SOAK_SEEDS=N runs N seeds (default
// 200), starting at BRAID_SEED_START (default 1).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>

#include <fmt/format.h>

#include "join/duckdb_oracle.h"
#include "join/join_engine.h"
#include "join/random_pipeline.h"

namespace braid {
namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Outcome {
  std::vector<Row> rows;
  std::map<std::pair<size_t, int64_t>, std::string> rejects;  // (partition index, offset)
  JoinCounters counters;
  size_t restarts = 0;
  std::string error;
};

Outcome Run(const GenInput& in, uint64_t seed, bool restarts) {
  Outcome out;
  std::mt19937_64 r(seed * 7919 + 17);  // same interleaving with and without restarts
  std::mt19937_64 restart_rng(seed * 104729 + 3);
  auto engine = JoinEngine::Create(in.spec);
  if (!engine.ok()) return out.error = engine.status().ToString(), out;
  std::unique_ptr<JoinEngine> e = std::move(*engine);
  if (Status s = e->AssignPartitions(in.partitions); !s.ok()) return out.error = s.ToString(), out;
  RowBatch rows(e->output_schema()), rejects(RejectsSchema());
  std::vector<size_t> next(in.partitions.size(), 0);
  std::vector<double> weight(in.partitions.size(), 1.0);
  size_t total = 0;
  for (const auto& p : in.records) total += p.size();
  const double restart_p = restarts ? 3.0 / static_cast<double>(total + 1) : 0;
  Timestamp clock(1'000'000'000'000'000);
  e->OnIdleCheck(clock, &rows);
  for (size_t step = 0; step < total; ++step) {
    if (std::bernoulli_distribution(0.02)(r)) {
      for (double& w : weight) w = std::uniform_real_distribution<double>(0.05, 1.0)(r);
    }
    std::vector<double> live(weight);
    for (size_t p = 0; p < live.size(); ++p) live[p] = next[p] < in.records[p].size() ? live[p] : 0;
    const size_t p = std::discrete_distribution<size_t>(live.begin(), live.end())(r);
    const GenRecord& rec = in.records[p][next[p]];
    const KafkaRecord kr{in.partitions[p].topic, in.partitions[p].partition,
                         KafkaOffset(static_cast<int64_t>(next[p])), std::nullopt, rec.value,
                         Timestamp(0)};
    ++next[p];
    e->Process(kr, &rows, &rejects);
    if (in.idle_mode) {
      if (next[p] == in.records[p].size() || std::bernoulli_distribution(0.05)(r)) {
        e->MarkCaughtUp(in.partitions[p]);
      }
      clock = clock + Duration(std::uniform_int_distribution<int64_t>(0, 2'000'000)(r));
      e->OnIdleCheck(clock, &rows);
    }
    if (std::bernoulli_distribution(restart_p)(restart_rng)) {
      std::string state;
      if (Status s = e->SaveState(&state); !s.ok()) return out.error = s.ToString(), out;
      auto fresh = JoinEngine::Create(in.spec);
      if (!fresh.ok()) return out.error = fresh.status().ToString(), out;
      if (Status s = (*fresh)->AssignPartitions(in.partitions); !s.ok()) return out.error = s.ToString(), out;
      if (Status s = (*fresh)->LoadState(state); !s.ok()) return out.error = s.ToString(), out;
      e = std::move(*fresh);
      ++out.restarts;
    }
  }
  // The end sweep in parts of a few rows (as a drain stages them) or at once: the same rows.
  if (std::bernoulli_distribution(0.5)(r)) {
    const size_t part = std::uniform_int_distribution<size_t>(1, 16)(r);
    while (!e->Finish(&rows, part)) {
    }
  } else {
    e->Finish(&rows);
  }
  out.counters = e->counters();
  out.rows = RowsOf(rows, 1);
  for (size_t i = 0; i < rows.num_rows(); ++i) {
    if (rows.column(rows.num_columns() - 1).valid[i]) out.error = "processing_time not NULL";
  }
  for (size_t i = 0; i < rejects.num_rows(); ++i) {
    const std::string_view topic = rejects.column(0).string_at(i);
    const int64_t partition = rejects.column(1).ints[i];
    size_t index = 0;
    while (index < in.partitions.size() && !(in.partitions[index].topic == topic &&
                                             in.partitions[index].partition.value() == partition)) {
      ++index;
    }
    out.rejects[{index, rejects.column(2).ints[i]}] = std::string(rejects.column(3).string_at(i));
  }
  if (e->watermark() != Timestamp::Max() || out.counters.state_rows != 0) {
    out.error = "state left after Finish";
  }
  std::sort(out.rows.begin(), out.rows.end());
  return out;
}

// Checks one run against the generator's truth and the oracle; returns "" or the problem.
std::string CheckOutcome(DuckDbOracle& oracle_db, const GenInput& in, const Outcome& run,
                         size_t* rows_checked, size_t* late_seen) {
  if (!run.error.empty()) return run.error;
  std::vector<std::vector<Row>> accepted(in.spec.enriching.size() + 1);
  size_t total = 0;
  for (size_t p = 0; p < in.records.size(); ++p) {
    for (size_t off = 0; off < in.records[p].size(); ++off) {
      const GenRecord& rec = in.records[p][off];
      ++total;
      auto it = run.rejects.find({p, static_cast<int64_t>(off)});
      const bool late = it != run.rejects.end() && it->second == "late";
      const std::string where = fmt::format("{} p{} #{}", in.partitions[p].topic,
                                            in.partitions[p].partition.value(), off);
      if (rec.kind == GenRecord::Kind::kMalformed) {
        if (it == run.rejects.end()) return "malformed record accepted: " + where + " " + rec.value;
        if (late) return "malformed record rejected as late: " + where;
        continue;
      }
      if (it != run.rejects.end() && !late) {
        return fmt::format("valid record rejected ({}): {} {}", it->second, where, rec.value);
      }
      // Without idleness, disorder below the delay can never make a record late.
      if (late && rec.kind == GenRecord::Kind::kOnTime && !in.idle_mode) {
        return "on-time record rejected as late: " + where;
      }
      *late_seen += late;
      if (!late) accepted[rec.stream].push_back(rec.truth);
    }
  }
  if (run.restarts == 0 &&
      (run.counters.records_in != total || run.counters.rejects != run.rejects.size() ||
       run.counters.rows_out != run.rows.size())) {
    return fmt::format("counters: in {} of {}, rejects {} of {}, rows {} of {}",
                       run.counters.records_in, total, run.counters.rejects, run.rejects.size(),
                       run.counters.rows_out, run.rows.size());
  }
  Result<std::vector<Row>> oracle = oracle_db.Join(in.spec, accepted);
  if (!oracle.ok()) return oracle.status().ToString();
  std::vector<Row> expected = std::move(*oracle);
  std::sort(expected.begin(), expected.end());
  *rows_checked += expected.size();
  if (expected == run.rows) return "";
  std::vector<Row> missing, extra;
  std::set_difference(expected.begin(), expected.end(), run.rows.begin(), run.rows.end(),
                      std::back_inserter(missing));
  std::set_difference(run.rows.begin(), run.rows.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  std::string m = fmt::format("{} restarts: rows differ from the oracle: {} expected, {} emitted\n{}",
                              run.restarts, expected.size(), run.rows.size(), OracleSql(in.spec));
  for (size_t i = 0; i < std::min<size_t>(missing.size(), 5); ++i) m += "\n  missing: " + RowText(missing[i]);
  for (size_t i = 0; i < std::min<size_t>(extra.size(), 5); ++i) m += "\n  extra:   " + RowText(extra[i]);
  return m;
}

// Returns "" if the seed passes, else what went wrong.
std::string CheckSeed(DuckDbOracle& oracle_db, uint64_t seed, size_t* rows_checked,
                      size_t* late_seen) {
  const GenInput in = GenerateInput(seed);
  const Outcome plain = Run(in, seed, false);
  const Outcome restarted = Run(in, seed, true);
  std::string problem = CheckOutcome(oracle_db, in, plain, rows_checked, late_seen);
  if (!problem.empty() || restarted.restarts == 0) return problem;
  if (in.idle_mode) {
    // Idleness follows the wall clock, which a restart re-stamps, so which records are late
    // may differ: the restarted run must match the oracle over its own accepted records.
    size_t unused = 0;
    return CheckOutcome(oracle_db, in, restarted, &unused, &unused);
  }
  // Otherwise a restart must change nothing at all (restart-equivalence).
  if (!restarted.error.empty()) return restarted.error;
  if (restarted.rows != plain.rows || restarted.rejects != plain.rejects) {
    return fmt::format("{} restarts changed the result: {} rows vs {}, {} rejects vs {}",
                       restarted.restarts, restarted.rows.size(), plain.rows.size(),
                       restarted.rejects.size(), plain.rejects.size());
  }
  return "";
}

TEST(Differential, StreamingEqualsBatchQuery) {
  const uint64_t start = EnvOr("BRAID_SEED_START", 1);
  const uint64_t count = EnvOr("BRAID_SOAK_SEEDS", 200);
  size_t failures = 0, rows_checked = 0, late_seen = 0;
  DuckDbOracle oracle;
  for (uint64_t seed = start; seed < start + count && failures < 3; ++seed) {
    const std::string problem = CheckSeed(oracle, seed, &rows_checked, &late_seen);
    if (!problem.empty()) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << " (" << GenerateInput(seed).Describe() << "): " << problem;
    }
  }
  // The generator must actually exercise the join and the late path.
  EXPECT_GT(rows_checked, count * 10);
  EXPECT_GT(late_seen, 0u);
  std::printf("[ differential ] %llu seeds, %zu rows checked, %zu late records\n",
              static_cast<unsigned long long>(count), rows_checked, late_seen);
}

}  // namespace
}  // namespace braid
