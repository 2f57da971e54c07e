#pragma once
// Byte sizes as users write them on the command line: "268435456", "256MiB", "256MB", "1GiB",
// "512k". Binary units (KiB/MiB/GiB, and bare k/M/G) are powers of 1024, decimal ones
// (KB/MB/GB) powers of 1000.

#include <cstddef>
#include <string_view>

#include "base/result.h"

namespace braid {

/// Parses a positive byte size. InvalidArgument naming the text and the accepted forms.
Result<size_t> ParseByteSize(std::string_view text);

}  // namespace braid
