#pragma once
// EventValues: the stored fields of one decoded event, packed in one byte string so that an
// event in the join state costs one allocation. Format: docs/join-state-checkpoint.md,
// "Values encoding".

#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "base/short_bytes.h"
#include "event/stream_spec.h"

namespace braid {

// The format is little-endian; values are copied with memcpy in host order.
static_assert(std::endian::native == std::endian::little);

/// Read-only view of encoded values. The caller knows each slot's type (from the pipeline
/// layout); reading a slot with the wrong accessor is a programmer error. Does not own `encoded`.
class EventValues {
 public:
  EventValues(std::string_view encoded, size_t num_fields)
      : data_(encoded), payload_(num_fields * 4) {}

  bool IsNull(size_t slot) const { return data_[payload_ + Begin(slot)] == 0; }
  /// The value of a string slot (empty for NULL).
  std::string_view GetString(size_t slot) const {
    size_t size = 0;
    const char* v = Value(slot, &size);
    return v == nullptr ? std::string_view() : std::string_view(v, size);
  }
  /// The value of a double slot (0 for NULL).
  double GetDouble(size_t slot) const { return Fixed<double>(slot); }
  /// The value of a long, timestamp or boolean (1 or 0) slot (0 for NULL).
  int64_t GetInt(size_t slot) const { return Fixed<int64_t>(slot); }

  /// A slot read in one pass, for readers of every slot type: nullptr for NULL, else where its
  /// value starts (a string's bytes, or a fixed value's 8), with `*size` its bytes.
  const char* Value(size_t slot, size_t* size) const {
    const uint32_t b = Begin(slot);
    const char* at = data_.data() + payload_ + b;
    if (*at == 0) return nullptr;
    *size = End(slot) - b - 1;
    return at + 1;
  }

  /// True if `encoded` is well-formed for fields of `types` (used on untrusted checkpoint
  /// bytes before any accessor runs).
  static bool IsValid(std::string_view encoded, std::span<const FieldType> types);

 private:
  uint32_t End(size_t slot) const {
    uint32_t v;
    std::memcpy(&v, data_.data() + slot * 4, 4);
    return v;
  }
  uint32_t Begin(size_t slot) const { return slot == 0 ? 0 : End(slot - 1); }
  template <typename T>
  T Fixed(size_t slot) const {
    T v{};
    size_t size = 0;
    if (const char* at = Value(slot, &size)) std::memcpy(&v, at, sizeof(T));
    return v;
  }

  std::string_view data_;
  size_t payload_;  // byte offset of the payload area
};

/// Encodes values slot by slot into a caller-owned string: Start, one Add* per slot in order,
/// Finish. Not thread-safe; reuse one builder to avoid allocations.
class EventValuesBuilder {
 public:
  /// Payload bytes of one slot: its tag, then a string's bytes or a fixed value's 8.
  static constexpr size_t SlotBytes(size_t value_bytes) { return 1 + value_bytes; }
  static constexpr size_t kFixedBytes = 8;

  /// Prepares `num_fields` slots in `*out` (its capacity is kept). `payload_bytes`, the sum of
  /// the slots' SlotBytes when the caller knows it, sizes `*out` once; otherwise it grows as
  /// values are added.
  void Start(std::string* out, size_t num_fields, size_t payload_bytes = 0) {
    out_ = out;
    num_fields_ = num_fields;
    header_ = num_fields * 4;
    next_ = 0;
    end_ = 0;
    // Every header byte and every payload byte up to Finish is written by Close, so stale
    // bytes of a previous encoding may stay until then.
    out->resize(header_ + payload_bytes);
  }
  void AddNull() { Close(0, nullptr, 0); }
  void AddString(std::string_view v) { Close(1, v.data(), v.size()); }
  void AddDouble(double v) { Close(1, &v, sizeof v); }
  void AddInt(int64_t v) { Close(1, &v, sizeof v); }  // long, timestamp, boolean (1/0)
  /// Ends the encoding: `*out` holds exactly the slots added (every slot must be).
  void Finish() {
    assert(next_ == num_fields_ && "a slot was not set");
    out_->resize(header_ + end_);
  }

 private:
  void Close(uint8_t tag, const void* bytes, size_t n) {
    assert(next_ < num_fields_ && "more values than slots");
    const size_t at = header_ + end_;
    if (at + SlotBytes(n) > out_->size()) Grow(at + SlotBytes(n));
    char* p = out_->data();
    p[at] = static_cast<char>(tag);
    CopyBytes(p + at + 1, static_cast<const char*>(bytes), n);
    end_ += SlotBytes(n);
    const uint32_t end = static_cast<uint32_t>(end_);
    std::memcpy(p + next_ * 4, &end, 4);
    ++next_;
  }
  void Grow(size_t bytes);

  std::string* out_ = nullptr;
  size_t num_fields_ = 0;
  size_t header_ = 0;  // num_fields_ * 4: the slots' end offsets
  size_t next_ = 0;
  size_t end_ = 0;  // payload bytes written
};

}  // namespace braid
