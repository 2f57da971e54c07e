#pragma once
// Kafka's wire encoding: big-endian integers, length-prefixed strings and bytes, and the
// zig-zag varints of record batches. WireWriter builds a request; WireReader reads an answer
// and remembers the first read past its end (ok() is then false and every read after it
// returns zero), so a parser checks once, at the end of what it read, instead of at each field.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace braid {

class WireWriter {
 public:
  void I8(int8_t v) { out_.push_back(static_cast<char>(v)); }
  void I16(int16_t v) { Big(static_cast<uint16_t>(v)); }
  void I32(int32_t v) { Big(static_cast<uint32_t>(v)); }
  void I64(int64_t v) { Big(static_cast<uint64_t>(v)); }
  /// A string with an int16 length.
  void String(std::string_view s) {
    I16(static_cast<int16_t>(s.size()));
    out_.append(s);
  }
  /// Room for an int32 filled in later (Patch32): an array's count or a frame's size.
  size_t Reserve32() {
    out_.append(4, '\0');
    return out_.size() - 4;
  }
  void Patch32(size_t at, int32_t v) {
    const uint32_t be = __builtin_bswap32(static_cast<uint32_t>(v));
    std::memcpy(&out_[at], &be, 4);
  }
  size_t size() const { return out_.size(); }
  const std::string& bytes() const { return out_; }

 private:
  template <typename U>
  void Big(U v) {
    if constexpr (sizeof(U) == 2) v = __builtin_bswap16(v);
    if constexpr (sizeof(U) == 4) v = __builtin_bswap32(v);
    if constexpr (sizeof(U) == 8) v = __builtin_bswap64(v);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  std::string out_;
};

class WireReader {
 public:
  explicit WireReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  int8_t I8() { return static_cast<int8_t>(Big<uint8_t>()); }
  int16_t I16() { return static_cast<int16_t>(Big<uint16_t>()); }
  int32_t I32() { return static_cast<int32_t>(Big<uint32_t>()); }
  int64_t I64() { return static_cast<int64_t>(Big<uint64_t>()); }
  /// `n` bytes as a view into the input.
  std::string_view Bytes(size_t n) {
    if (!Have(n)) return {};
    std::string_view v(p_, n);
    p_ += n;
    return v;
  }
  /// A string with an int16 length (-1: null, read as empty).
  std::string_view String() {
    const int16_t n = I16();
    return n < 0 ? std::string_view() : Bytes(static_cast<size_t>(n));
  }
  /// Bytes with an int32 length; nullopt when null (-1).
  std::optional<std::string_view> NullableBytes() {
    const int32_t n = I32();
    if (n < 0) return std::nullopt;
    return Bytes(static_cast<size_t>(n));
  }
  /// An unsigned LEB128 varint of at most 64 bits.
  uint64_t UVarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Have(1)) return 0;
      const uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;  // longer than ten bytes
    return 0;
  }
  /// A zig-zag varint (the record fields of a v2 batch).
  int64_t Varint() {
    const uint64_t u = UVarint();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
  void Skip(size_t n) { (void)Bytes(n); }
  /// Marks the input as malformed (a length that cannot be).
  void Fail() { ok_ = false; }

 private:
  bool Have(size_t n) {
    if (ok_ && static_cast<size_t>(end_ - p_) >= n) return true;
    ok_ = false;
    p_ = end_;
    return false;
  }
  template <typename U>
  U Big() {
    if (!Have(sizeof(U))) return 0;
    U v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    if constexpr (sizeof(U) == 2) v = __builtin_bswap16(v);
    if constexpr (sizeof(U) == 4) v = __builtin_bswap32(v);
    if constexpr (sizeof(U) == 8) v = __builtin_bswap64(v);
    return v;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace braid
