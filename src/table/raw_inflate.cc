#include "table/raw_inflate.h"

#include <dlfcn.h>
#include <zlib.h>

#include <fmt/format.h>

namespace braid {
namespace {

// zlib is reached through dlopen because the table stage's link line has no zlib and that
// line is shared with every stage downstream; libz.so.1 is present wherever libcurl is. Only
// manifests written by other engines are deflated, so this path is cold. When the build links
// ZLIB::ZLIB, these three pointers can become direct calls.
struct Zlib {
  decltype(&inflateInit2_) init = nullptr;
  decltype(&inflate) run = nullptr;
  decltype(&inflateEnd) end = nullptr;
};

const Zlib* LoadZlib() {
  static const Zlib* zlib = []() -> const Zlib* {
    void* handle = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return nullptr;
    static Zlib z;
    z.init = reinterpret_cast<decltype(&inflateInit2_)>(dlsym(handle, "inflateInit2_"));
    z.run = reinterpret_cast<decltype(&inflate)>(dlsym(handle, "inflate"));
    z.end = reinterpret_cast<decltype(&inflateEnd)>(dlsym(handle, "inflateEnd"));
    return z.init && z.run && z.end ? &z : nullptr;
  }();
  return zlib;
}

constexpr size_t kMaxOutput = size_t{1} << 30;

}  // namespace

Result<std::string> RawInflate(std::string_view compressed, std::string_view what) {
  const Zlib* zlib = LoadZlib();
  if (zlib == nullptr) {
    return Status::Unavailable(fmt::format("{}: cannot load libz.so.1 to read deflate data", what));
  }
  z_stream zs{};
  if (zlib->init(&zs, -MAX_WBITS, ZLIB_VERSION, static_cast<int>(sizeof(z_stream))) != Z_OK) {
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
    rc = zlib->run(&zs, Z_NO_FLUSH);
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
  zlib->end(&zs);
  if (rc != Z_STREAM_END) {
    return Status::Corruption(fmt::format("{}: deflate data is corrupt (zlib error {})", what, rc));
  }
  return out;
}

}  // namespace braid
