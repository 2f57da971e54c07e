#include "join/byte_io.h"

#include <fmt/format.h>

namespace braid {

Status ByteReader::Raw(void* p, size_t n, const char* what) {
  if (remaining() < n) {
    return Status::Corruption(
        fmt::format("checkpoint truncated at byte {} while reading {}", pos_, what));
  }
  std::memcpy(p, data_.data() + pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status ByteReader::Str(std::string_view* v, const char* what) {
  uint32_t n = 0;
  BRAID_RETURN_IF_ERROR(U32(&n, what));
  if (remaining() < n) {
    return Status::Corruption(fmt::format(
        "checkpoint truncated at byte {}: {} claims {} bytes, {} remain", pos_, what, n,
        remaining()));
  }
  *v = data_.substr(pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status ByteReader::Error(std::string_view message) const {
  return Status::Corruption(fmt::format("checkpoint corrupt at byte {}: {}", pos_, message));
}

}  // namespace braid
