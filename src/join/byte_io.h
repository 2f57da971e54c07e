#pragma once
// ByteWriter and ByteReader: little-endian fields of the join-state checkpoint
// (docs/join-state-checkpoint.md). The reader checks every bound and reports Corruption with
// the byte offset; it never reads past its input.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/status.h"

namespace braid {

/// Appends fields to a caller-owned string.
class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Raw(&v, 4); }
  void U64(uint64_t v) { Raw(&v, 8); }
  void I64(int64_t v) { Raw(&v, 8); }
  /// A u32 length, then the bytes.
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_->append(s);
  }

 private:
  void Raw(const void* p, size_t n) { out_->append(static_cast<const char*>(p), n); }
  std::string* out_;
};

/// Reads fields from a borrowed buffer. Each getter fails with Corruption ("checkpoint
/// truncated at byte N while reading <what>") instead of reading past the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  Status U8(uint8_t* v, const char* what) { return Raw(v, 1, what); }
  Status U32(uint32_t* v, const char* what) { return Raw(v, 4, what); }
  Status U64(uint64_t* v, const char* what) { return Raw(v, 8, what); }
  Status I64(int64_t* v, const char* what) { return Raw(v, 8, what); }
  /// A u32 length, then that many bytes (a view into the input).
  Status Str(std::string_view* v, const char* what);
  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  /// Corruption naming the current offset.
  Status Error(std::string_view message) const;

 private:
  Status Raw(void* p, size_t n, const char* what);
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace braid
