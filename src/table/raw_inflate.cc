#include "table/raw_inflate.h"

#include <zlib.h>

#include <fmt/format.h>

namespace braid {
namespace {

constexpr size_t kMaxOutput = size_t{1} << 30;

}  // namespace

Result<std::string> RawInflate(std::string_view compressed, std::string_view what) {
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
    return Status::Internal(fmt::format("{}: inflateInit2 failed", what));
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buf[1 << 15];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > kMaxOutput) {
      rc = Z_MEM_ERROR;
      break;
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      rc = Z_DATA_ERROR;  // input ended before the final block
      break;
    }
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return Status::Corruption(fmt::format("{}: deflate data is corrupt (zlib error {})", what, rc));
  }
  return out;
}

}  // namespace braid
