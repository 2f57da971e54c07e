#include "base/stop_signal.h"

#include <csignal>

namespace braid {
namespace {
volatile std::sig_atomic_t g_stop = 0;
extern "C" void OnStopSignal(int) { g_stop = 1; }
}  // namespace

void StopSignal::Install() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
}
bool StopSignal::requested() { return g_stop != 0; }
void StopSignal::Request() { g_stop = 1; }
void StopSignal::Reset() { g_stop = 0; }

}  // namespace braid
