#include "base/crash_point.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>

namespace braid {
namespace {

struct Target {
  std::string name;  // empty: crash injection off
  long hit = 1;
};

const Target& TargetFromEnv() {
  static const Target target = [] {
    Target t;
    const char* env = std::getenv("BRAID_CRASH_AT");
    if (env == nullptr || *env == '\0') return t;
    std::string spec(env);
    const size_t colon = spec.find(':');
    t.name = spec.substr(0, colon);
    if (colon != std::string::npos) t.hit = std::max(1L, std::strtol(spec.c_str() + colon + 1, nullptr, 10));
    return t;
  }();
  return target;
}

std::atomic<long> g_hits{0};

}  // namespace

void CrashPoint(std::string_view name) {
  const Target& t = TargetFromEnv();
  if (t.name.empty() || t.name != name) return;
  if (g_hits.fetch_add(1) + 1 == t.hit) std::raise(SIGKILL);
}

}  // namespace braid
