// Fuzz target: the commit checkpoint (DecodeCheckpoint) with the rejects table's schema.
// Each input is decoded as given, then again with its trailing CRC-32C repaired so that
// mutations reach the section parser. Property of an accepted checkpoint: encoding it and
// decoding that gives back the same join state and reject rows, byte for byte once encoded.

#include <cstring>

#include "event/rejects.h"
#include "fuzz_check.h"
#include "join/crc32c.h"
#include "pipeline/commit_checkpoint.h"

namespace braid {
namespace {

void Check(std::string_view data) {
  Result<CommitCheckpoint> cp = DecodeCheckpoint(data, RejectsSchema());
  if (!cp.ok()) return;
  BRAID_FUZZ_CHECK(cp->rejects.num_columns() == RejectsSchema().size());
  const std::string encoded = EncodeCheckpoint(*cp);
  Result<CommitCheckpoint> again = DecodeCheckpoint(encoded, RejectsSchema());
  BRAID_FUZZ_CHECK(again.ok());
  BRAID_FUZZ_CHECK(again->engine_state == cp->engine_state);
  BRAID_FUZZ_CHECK(again->rejects.num_rows() == cp->rejects.num_rows());
  BRAID_FUZZ_CHECK(EncodeCheckpoint(*again) == encoded);
}

}  // namespace
}  // namespace braid

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = braid::fuzz::AsView(data, size);
  braid::Check(input);
  if (size >= 16 && input.substr(0, 8) == "BRAIDCC1") {
    std::string repaired(input);
    const uint32_t crc = braid::Crc32c(std::string_view(repaired).substr(0, size - 4));
    std::memcpy(repaired.data() + size - 4, &crc, 4);
    if (repaired != input) braid::Check(repaired);
  }
  return 0;
}
