#pragma once
// CRC-32C (Castagnoli), the checksum of join-state checkpoints.

#include <cstdint>
#include <string_view>

namespace braid {

/// CRC-32C of `data` (reflected, initial value and final xor 0xFFFFFFFF; "123456789" gives
/// 0xE3069283). Thread-safe.
uint32_t Crc32c(std::string_view data);

}  // namespace braid
