#pragma once
// CRC-32C (Castagnoli), the checksum of join-state checkpoints.
//
// By hand: Debian 12 packages no CRC-32C library (zlib's crc32 is the other polynomial, and its
// Abseil predates absl/crc). On x86-64 CPUs with SSE4.2 the crc32 instruction does eight bytes
// at a time; elsewhere a byte-at-a-time table. A continuous run checksums its whole join state
// at every commit, twice (the state, then the checkpoint holding it), so the speed matters.

#include <cstdint>
#include <string_view>

namespace braid {

/// CRC-32C of `data` (reflected, initial value and final xor 0xFFFFFFFF; "123456789" gives
/// 0xE3069283). Thread-safe.
uint32_t Crc32c(std::string_view data);

/// The same with the table alone, whatever the CPU (for tests and benchmarks).
uint32_t Crc32cPortable(std::string_view data);

}  // namespace braid
