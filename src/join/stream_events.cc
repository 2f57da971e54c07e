#include "join/stream_events.h"

#include <memory>

namespace braid {

void StreamEvents::MoveToHeap(uint64_t inline_closed) {
  auto list = std::make_unique<EventList>();
  if (mode_ == kInline) list->Insert(ts_, inline_closed, std::string_view(bytes_, length_));
  EventList* p = list.release();
  std::memcpy(bytes_, &p, sizeof p);
  mode_ = kHeap;
}

void StreamEvents::Release() {
  if (mode_ == kHeap) delete heap();
  mode_ = kEmpty;
}

}  // namespace braid
