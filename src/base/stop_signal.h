#pragma once
// StopSignal: turns SIGINT/SIGTERM into a flag that long-running loops poll, so that a run
// stops between records and commits what it has. Process-wide; safe to poll from any thread.

namespace braid {

class StopSignal {
 public:
  /// Installs handlers for SIGINT and SIGTERM (idempotent).
  static void Install();
  /// True once a signal arrived (or Request() was called).
  static bool requested();
  /// Asks loops to stop as if a signal arrived (tests, --duration).
  static void Request();
  /// Clears the flag (tests).
  static void Reset();
};

}  // namespace braid
