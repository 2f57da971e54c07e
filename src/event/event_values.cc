#include "event/event_values.h"

#include <cassert>

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

void EventValuesBuilder::Start(std::string* out, size_t num_fields) {
  out_ = out;
  num_fields_ = num_fields;
  next_ = 0;
  out->assign(num_fields * 4, '\0');
}

void EventValuesBuilder::Close(uint8_t tag, const void* bytes, size_t n) {
  assert(next_ < num_fields_ && "more values than slots");
  out_->push_back(static_cast<char>(tag));
  out_->append(static_cast<const char*>(bytes), n);
  const uint32_t end = static_cast<uint32_t>(out_->size() - num_fields_ * 4);
  std::memcpy(out_->data() + next_ * 4, &end, 4);
  ++next_;
}

void EventValuesBuilder::Finish() { assert(next_ == num_fields_ && "a slot was not set"); }

}  // namespace braid
