#pragma once
// CrashPoint: deterministic crash injection for the exactly-once tests. A named point in the
// commit path calls CrashPoint("name"); when the environment variable BRAID_CRASH_AT is "name"
// (the first hit) or "name:N" (the N-th hit), the process kills itself with SIGKILL there, as
// a power cut or kill -9 would. Without the variable it costs one branch. Thread-safe.

#include <string_view>

namespace braid {

/// Kills the process at this point when BRAID_CRASH_AT selects it (see above).
void CrashPoint(std::string_view name);

}  // namespace braid
