#pragma once
// EventKey: the join key of an event as one byte string (docs/join-state-checkpoint.md, "Key
// encoding"): per key field a LEB128 length, then the bytes. Length prefixes keep
// ("a|b", "c") and ("a", "b|c") apart whatever bytes the values hold.

#include <cstdint>
#include <string>
#include <string_view>

namespace braid {

class EventKey {
 public:
  /// Appends a string part to `*key`.
  static void AppendString(std::string_view value, std::string* key);
  /// Appends a long part (8 bytes big-endian) to `*key`.
  static void AppendLong(int64_t value, std::string* key);
  /// Bytes of a part holding `value_bytes` bytes (its length prefix included); a long part
  /// holds kLongBytes.
  static size_t PartBytes(size_t value_bytes);
  static constexpr size_t kLongBytes = 8;
  /// Writes a string or long part at `out`, which has room for its PartBytes; returns the end.
  static char* WriteString(std::string_view value, char* out);
  static char* WriteLong(int64_t value, char* out);
  /// Decodes a long part written by AppendLong.
  static int64_t LongFromPart(std::string_view part);

  /// Iterates the parts of an encoded key (a view; does not own it).
  explicit EventKey(std::string_view encoded) : rest_(encoded) {}
  /// Sets `*part` to the next part; false at the end or if the encoding is malformed.
  bool Next(std::string_view* part);
  /// True once every byte was consumed by Next.
  bool AtEnd() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace braid
