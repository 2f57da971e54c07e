#include "table/random_ids.h"

#include <chrono>
#include <random>

#include <fmt/format.h>

namespace braid {
namespace {

uint64_t Random64() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }()};
  return rng();
}

}  // namespace

std::string RandomUuid() {
  uint64_t hi = Random64(), lo = Random64();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                // version 4
  lo = (lo & ~(0xc0ULL << 56)) | (0x80ULL << 56);    // variant 10
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff,
                     lo >> 48, lo & 0xffffffffffffULL);
}

SnapshotId RandomSnapshotId() {
  while (true) {
    int64_t id = static_cast<int64_t>(Random64() >> 1);
    if (id != 0) return SnapshotId(id);
  }
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace braid
