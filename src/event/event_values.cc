#include "event/event_values.h"

#include <algorithm>

namespace braid {

bool EventValues::IsValid(std::string_view encoded, std::span<const FieldType> types) {
  const size_t header = types.size() * 4;
  if (encoded.size() < header) return false;
  const size_t payload = encoded.size() - header;
  uint32_t begin = 0;
  for (size_t i = 0; i < types.size(); ++i) {
    uint32_t end;
    std::memcpy(&end, encoded.data() + i * 4, 4);
    if (end <= begin || end > payload) return false;  // every slot has at least its tag
    const uint8_t tag = static_cast<uint8_t>(encoded[header + begin]);
    const uint32_t len = end - begin - 1;
    if (tag > 1 || (tag == 0 && len != 0)) return false;
    if (tag == 1 && types[i] != FieldType::kString && len != 8) return false;
    if (tag == 1 && types[i] == FieldType::kBoolean) {
      int64_t v;
      std::memcpy(&v, encoded.data() + header + begin + 1, 8);
      if (v != 0 && v != 1) return false;
    }
    begin = end;
  }
  return begin == payload;
}

void EventValuesBuilder::Grow(size_t bytes) { out_->resize(std::max(bytes, 2 * out_->size())); }

}  // namespace braid
