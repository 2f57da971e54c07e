#pragma once
// RawInflate: decompresses raw DEFLATE data (RFC 1951, no zlib header), the Avro "deflate"
// codec, through the system's zlib.

#include <string>
#include <string_view>

#include "base/result.h"

namespace braid {

/// Inflates `compressed`. `what` names the file for errors. Corruption on malformed input,
/// Unavailable if zlib cannot be loaded. Output is capped at 1 GiB.
Result<std::string> RawInflate(std::string_view compressed, std::string_view what);

}  // namespace braid
