#include "event/record_shape.h"

#include <cassert>

namespace braid {

void RecordShape::Learn(std::string_view json, std::span<const Member> members) {
  assert(!members.empty());
  gaps_.clear();
  members_.clear();
  const char* at = json.data();
  for (const Member& m : members) {
    const bool string = m.raw.front() == '"';
    // A string's gap takes its opening quote: the value is then read from inside the string.
    const char* value = m.raw.data() + (string ? 1 : 0);
    members_.push_back(Slot{static_cast<uint32_t>(gaps_.size()), static_cast<uint32_t>(value - at), m.field,
                            string ? Kind::kString : Kind::kOther});
    gaps_.append(at, value);
    at = m.raw.data() + m.raw.size();
  }
  tail_begin_ = static_cast<uint32_t>(gaps_.size());
  tail_size_ = static_cast<uint32_t>(json.data() + json.size() - at);
  gaps_.append(at, json.data() + json.size());
}

// A number, or one of the three literals: whichever the byte at `p` starts.
const char* RecordShape::ReadOther(const char* p, const char* end, FlatJsonValue* v) {
  auto literal = [&](std::string_view word, FlatJsonValue::Kind kind) -> const char* {
    if (static_cast<size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0) {
      return nullptr;
    }
    v->kind = kind;
    v->text = word;
    v->integer = false;
    return p + word.size();
  };
  if (p == end) return nullptr;
  switch (*p) {
    case 't': return literal("true", FlatJsonValue::Kind::kTrue);
    case 'f': return literal("false", FlatJsonValue::Kind::kFalse);
    case 'n': return literal("null", FlatJsonValue::Kind::kNull);
    default: return ScanFlatNumber(p, end, v);
  }
}

}  // namespace braid
