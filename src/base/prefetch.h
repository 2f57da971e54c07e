#pragma once
// Prefetch hints that survive optimisation. GCC takes a function whose only effect is
// __builtin_prefetch for a pure one and drops every call to it (the join's index prefetch
// compiled to nothing that way, through absl's prefetch() as much as through a plain one):
// the empty volatile asm marks the hint as an effect of its own.

namespace braid {

/// Starts loading the cache line holding `p`, for reading.
inline void PrefetchRead(const void* p) {
  __builtin_prefetch(p, 0, 3);
  asm volatile("");
}
/// Starts loading the cache line holding `p`, to be written.
inline void PrefetchWrite(const void* p) {
  __builtin_prefetch(p, 1, 3);
  asm volatile("");
}

}  // namespace braid
