#!/usr/bin/env bash
# Runs each libFuzzer target of build-fuzz/fuzz/ for FUZZ_SECONDS (default 60), one at a time
# (one process, one job), starting from its committed corpus and regressions, and prints the
# executions of each. A crash leaves its input in build-fuzz/fuzz-artifacts/<target>/ and
# makes the script fail; commit it under test/fuzz/regressions/<target>/ with the fix.
# Usage: scripts/run-fuzz.sh [target...]   (default: every target)
# Environment: FUZZ_SECONDS, FUZZ_RUNS (also stop after this many inputs, -runs), FUZZ_BUILD.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$repo/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in "$repo"/test/fuzz/*_fuzz.cc; do
    name=$(basename "$f" _fuzz.cc)
    targets+=("$name")
  done
fi
failed=()
summary=()
for t in "${targets[@]}"; do
  bin=$build/fuzz/${t}_fuzz
  [[ -x $bin ]] || { echo "run-fuzz: $bin is missing (make fuzz builds it)" >&2; exit 2; }
  work=$build/fuzz-corpus/$t        # what this machine's runs found, kept between runs
  artifacts=$build/fuzz-artifacts/$t/
  mkdir -p "$work" "$artifacts"
  dirs=("$work" "$repo/test/fuzz/corpus/$t")
  [[ -d $repo/test/fuzz/regressions/$t ]] && dirs+=("$repo/test/fuzz/regressions/$t")
  limit=(-max_total_time="$seconds")
  [[ -n ${FUZZ_RUNS:-} ]] && limit+=(-runs="$FUZZ_RUNS")
  log=$build/fuzz-artifacts/$t.log
  echo "== $t: fuzzing (${FUZZ_RUNS:+$FUZZ_RUNS runs}${FUZZ_RUNS:+ }${seconds}s at most), log $log"
  # -jobs=1 runs the fuzzer in one child process whose log (fuzz-0.log) goes to the cwd.
  # -timeout is wall-clock time per input: 60 s, so that a fuzzer run at low priority beside
  # other work on a shared machine does not report an input that takes 3 s alone (a query of
  # 1,000 '+' signs in DuckDB's parser, under ASan) as a hang; a real hang still stops it.
  # malloc_context_size=0: ASan records no stack per allocation (a third of the DuckDB-backed
  # targets' time went there, measured by perf); a crash is found just the same, and its input
  # replayed under `make sanitize`'s build (build-asan/tests/<target>_fuzz_replay) shows the stacks.
  (cd "$artifacts" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:malloc_context_size=0 \
    UBSAN_OPTIONS=print_stacktrace=1 "$bin" -jobs=1 -workers=1 -print_final_stats=1 -rss_limit_mb=2048 -timeout=60 \
    -artifact_prefix="$artifacts" "${limit[@]}" "${dirs[@]}") >"$log" 2>&1
  rc=$?
  execs=$(grep -m1 '^stat::number_of_executed_units:' "$log" | awk '{print $2}')
  rate=$(grep -m1 '^stat::average_exec_per_sec:' "$log" | awk '{print $2}')
  line="$t: ${execs:-?} executions, ${rate:-?}/s"
  rm -f "$artifacts/fuzz-0.log"  # its text is in $log
  if ((rc != 0)); then
    line+=" — CRASH (exit $rc): $(ls "$artifacts" | head -3 | tr '\n' ' ')"
    failed+=("$t")
    tail -n 30 "$log"
  fi
  summary+=("$line")
  echo "$line"
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "run-fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
