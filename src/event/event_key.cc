#include "event/event_key.h"

namespace braid {

void EventKey::AppendString(std::string_view value, std::string* key) {
  const size_t at = key->size();
  key->resize(at + PartBytes(value.size()));
  WriteString(value, key->data() + at);
}

void EventKey::AppendLong(int64_t value, std::string* key) {
  const size_t at = key->size();
  key->resize(at + PartBytes(kLongBytes));
  WriteLong(value, key->data() + at);
}

int64_t EventKey::LongFromPart(std::string_view part) {
  uint64_t u = 0;
  for (char c : part) u = (u << 8) | static_cast<unsigned char>(c);
  return static_cast<int64_t>(u);
}

bool EventKey::NextLong(std::string_view* part) {
  uint64_t n = 0;
  size_t i = 0;
  for (int shift = 0;; shift += 7) {
    if (i >= rest_.size() || shift > 28) return false;
    const unsigned char c = static_cast<unsigned char>(rest_[i++]);
    n |= static_cast<uint64_t>(c & 0x7F) << shift;
    if ((c & 0x80) == 0) break;
  }
  if (n > rest_.size() - i) return false;
  *part = rest_.substr(i, n);
  rest_.remove_prefix(i + n);
  return true;
}

}  // namespace braid
