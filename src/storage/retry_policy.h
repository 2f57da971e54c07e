#pragma once
// RetryPolicy: how often and how long an object-store request is retried: exponential backoff
// with "equal jitter" (half the delay fixed, half random), capped, for a bounded number of
// attempts. Thread-safe: a value type; the random source is per thread.

#include <chrono>

namespace braid {

struct RetryPolicy {
  /// Attempts in total, the first included (1 = never retry).
  int max_attempts = 6;
  /// The delay before the second attempt; it doubles for each later one.
  std::chrono::milliseconds base_delay{200};
  /// No single delay exceeds this.
  std::chrono::milliseconds max_delay{5000};

  /// The delay to wait after failed attempt number `attempt` (1-based): between half and all of
  /// min(max_delay, base_delay * 2^(attempt-1)).
  std::chrono::milliseconds DelayAfter(int attempt) const;

  /// Whether an HTTP status calls for another attempt: 5xx, 429 and 408 do.
  static bool IsRetriableHttpStatus(int status);
};

}  // namespace braid
