#pragma once
// RecordShape: the bytes a topic's flat records share around their values — braces, keys,
// colons, commas and spaces — with each member's declared field, learnt from one record that
// FlatJsonReader read whole. Producers write every record of a topic the same way, so most
// records match it: the bytes between their values are the shape's, byte for byte. Such a
// record is the same flat object with the same keys in the same order, and only its values are
// read (with the reader's own scans: the same grammar, escapes declined, UTF-8 checked).
// Anything else — another key, order or spacing, a value of another kind — is a miss, and the
// caller reads the record with the reader, which decides what it means. So a match reads a
// record exactly as the reader would, at the cost of its values alone.

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/short_bytes.h"
#include "event/flat_json.h"

namespace braid {

class RecordShape {
 public:
  /// One member of the learnt record: its value token and its declared field (-1: unknown).
  struct Member {
    std::string_view raw;  // FlatJsonValue::raw: a view into the record
    int field;
  };

  bool learnt() const { return !members_.empty(); }
  /// Learns the shape of `json`, which FlatJsonReader read whole with the members `members`
  /// (in text order, at least one).
  void Learn(std::string_view json, std::span<const Member> members);

  /// Reads `json` if it has the learnt shape: calls `value(field, v)` for each member in
  /// order (the field is -1 for a key no field declares; v.raw is not set) and returns true
  /// when every byte matched and every call returned true. False at the first difference.
  template <typename OnValue>
  bool Read(std::string_view json, OnValue&& value) const;

 private:
  enum class Kind : uint8_t { kString, kOther };  // kOther: a number, true, false or null
  struct Slot {
    uint32_t gap_begin, gap_size;  // in gaps_: the bytes before the value (a string's quote included)
    int field;
    Kind kind;
  };
  bool Gap(const char*& p, const char* end, uint32_t begin, uint32_t size) const {
    if (static_cast<size_t>(end - p) < size || !SameBytes(p, gaps_.data() + begin, size)) return false;
    p += size;
    return true;
  }
  static const char* ReadOther(const char* p, const char* end, FlatJsonValue* v);

  std::string gaps_;  // every slot's gap, then the tail
  std::vector<Slot> members_;
  uint32_t tail_begin_ = 0, tail_size_ = 0;  // the bytes after the last value
};

template <typename OnValue>
bool RecordShape::Read(std::string_view json, OnValue&& value) const {
  const char* p = json.data();
  const char* end = p + json.size();
  FlatJsonValue v;
  for (const Slot& s : members_) {
    if (!Gap(p, end, s.gap_begin, s.gap_size)) return false;
    if (s.kind == Kind::kString) {
      p = ScanFlatString(p, end, &v.text, json.data());
      v.kind = FlatJsonValue::Kind::kString;
      v.integer = false;
    } else {
      p = ReadOther(p, end, &v);
    }
    if (p == nullptr || !value(s.field, v)) return false;
  }
  return Gap(p, end, tail_begin_, tail_size_) && p == end;
}

}  // namespace braid
