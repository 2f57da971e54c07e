#pragma once
// Random identifiers Iceberg asks writers to invent: table UUIDs, snapshot ids and the unique
// part of new file names. Thread-safe.

#include <string>

#include "base/types.h"

namespace braid {

/// A random (version 4) UUID in its 36-character text form.
std::string RandomUuid();

/// A random positive snapshot id (63 random bits, never 0).
SnapshotId RandomSnapshotId();

/// Milliseconds since the epoch, wall clock.
int64_t NowMillis();

}  // namespace braid
