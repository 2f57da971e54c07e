#include "base/stop_signal.h"

#include <unistd.h>

#include <csignal>

namespace braid {
namespace {
volatile std::sig_atomic_t g_stop = 0;
// The first signal asks for a clean stop (commit, then exit); a second one exits at once. The
// tables never point at a partial commit, so the next run recovers from the last commit.
extern "C" void OnStopSignal(int) {
  if (g_stop != 0) _exit(130);
  g_stop = 1;
}
}  // namespace

void StopSignal::Install() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
}
bool StopSignal::requested() { return g_stop != 0; }
void StopSignal::Request() { g_stop = 1; }
void StopSignal::Reset() { g_stop = 0; }

}  // namespace braid
