#include "event/event_key.h"

namespace braid {

void EventKey::AppendString(std::string_view value, std::string* key) {
  uint64_t n = value.size();
  while (n >= 0x80) {
    key->push_back(static_cast<char>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  key->push_back(static_cast<char>(n));
  key->append(value);
}

void EventKey::AppendLong(int64_t value, std::string* key) {
  char bytes[8];
  uint64_t u = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i, u >>= 8) bytes[i] = static_cast<char>(u & 0xFF);
  AppendString(std::string_view(bytes, 8), key);
}

int64_t EventKey::LongFromPart(std::string_view part) {
  uint64_t u = 0;
  for (char c : part) u = (u << 8) | static_cast<unsigned char>(c);
  return static_cast<int64_t>(u);
}

bool EventKey::Next(std::string_view* part) {
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
