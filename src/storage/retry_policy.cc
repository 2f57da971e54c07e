#include "storage/retry_policy.h"

#include <algorithm>
#include <random>

namespace braid {

std::chrono::milliseconds RetryPolicy::DelayAfter(int attempt) const {
  int64_t delay = base_delay.count();
  for (int i = 1; i < attempt && delay < max_delay.count(); ++i) delay *= 2;
  delay = std::min<int64_t>(delay, max_delay.count());
  if (delay <= 1) return std::chrono::milliseconds(delay);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<int64_t> half(0, delay / 2);
  return std::chrono::milliseconds(delay - delay / 2 + half(rng));
}

bool RetryPolicy::IsRetriableHttpStatus(int status) {
  return status >= 500 || status == 429 || status == 408;
}

}  // namespace braid
