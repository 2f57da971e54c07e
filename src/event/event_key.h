#pragma once
// EventKey: the join key of an event as one byte string (docs/join-state-checkpoint.md, "Key
// encoding"): per key field a LEB128 length, then the bytes. Length prefixes keep
// ("a|b", "c") and ("a", "b|c") apart whatever bytes the values hold.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/short_bytes.h"

namespace braid {

class EventKey {
 public:
  /// Appends a string part to `*key`.
  static void AppendString(std::string_view value, std::string* key);
  /// Appends a long part (8 bytes big-endian) to `*key`.
  static void AppendLong(int64_t value, std::string* key);
  /// Bytes of a part holding `value_bytes` bytes (its length prefix included); a long part
  /// holds kLongBytes.
  /// (Inline, as the writers: the decoder builds every record's key with them.)
  static size_t PartBytes(size_t value_bytes) {
    size_t prefix = 1;
    for (uint64_t n = value_bytes; n >= 0x80; n >>= 7) ++prefix;
    return prefix + value_bytes;
  }
  static constexpr size_t kLongBytes = 8;
  /// Writes a string or long part at `out`, which has room for its PartBytes; returns the end.
  static char* WriteString(std::string_view value, char* out) {
    uint64_t n = value.size();
    while (n >= 0x80) {
      *out++ = static_cast<char>((n & 0x7F) | 0x80);
      n >>= 7;
    }
    *out++ = static_cast<char>(n);
    CopyBytes(out, value.data(), value.size());
    return out + value.size();
  }
  static char* WriteLong(int64_t value, char* out) {
    char bytes[kLongBytes];
    uint64_t u = static_cast<uint64_t>(value);
    for (int i = kLongBytes - 1; i >= 0; --i, u >>= 8) bytes[i] = static_cast<char>(u & 0xFF);
    return WriteString(std::string_view(bytes, kLongBytes), out);
  }
  /// Decodes a long part written by AppendLong.
  static int64_t LongFromPart(std::string_view part);

  /// Iterates the parts of an encoded key (a view; does not own it).
  explicit EventKey(std::string_view encoded) : rest_(encoded) {}
  /// Sets `*part` to the next part; false at the end or if the encoding is malformed.
  /// Inline for a part shorter than 128 bytes (a one-byte length): the join's rows read every
  /// key part through here.
  bool Next(std::string_view* part) {
    if (!rest_.empty() && static_cast<unsigned char>(rest_[0]) < 0x80) {
      const size_t n = static_cast<unsigned char>(rest_[0]);
      if (n > rest_.size() - 1) return false;
      *part = std::string_view(rest_.data() + 1, n);
      rest_.remove_prefix(1 + n);
      return true;
    }
    return NextLong(part);
  }
  /// True once every byte was consumed by Next.
  bool AtEnd() const { return rest_.empty(); }

 private:
  bool NextLong(std::string_view* part);  // Next's every case

  std::string_view rest_;
};

}  // namespace braid
