#include "kafka/answer_buffers.h"

namespace braid {

AnswerBuffers::~AnswerBuffers() {
  for (const Buffer& b : free_) delete[] b.bytes;
}

AnswerBuffers& AnswerBuffers::Shared() {
  static AnswerBuffers* shared = new AnswerBuffers(size_t{48} << 20);
  return *shared;
}

std::shared_ptr<char[]> AnswerBuffers::Take(size_t size) {
  if (size < kPooled) return std::shared_ptr<char[]>(new char[size]);
  char* bytes = nullptr;
  size_t capacity = 0;
  {
    std::lock_guard lock(mu_);
    size_t best = free_.size();
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].capacity >= size && (best == free_.size() || free_[i].capacity < free_[best].capacity)) {
        best = i;
      }
    }
    if (best < free_.size()) {
      bytes = free_[best].bytes;
      capacity = free_[best].capacity;
      held_ -= capacity;
      free_[best] = free_.back();
      free_.pop_back();
    }
  }
  if (bytes == nullptr) {
    capacity = (size + kGranule - 1) / kGranule * kGranule;
    bytes = new char[capacity];
  }
  return std::shared_ptr<char[]>(bytes, [this, capacity](char* b) { Give(b, capacity); });
}

size_t AnswerBuffers::held() const {
  std::lock_guard lock(mu_);
  return held_;
}

void AnswerBuffers::Give(char* bytes, size_t capacity) {
  {
    std::lock_guard lock(mu_);
    if (held_ + capacity <= max_held_) {
      free_.push_back({bytes, capacity});
      held_ += capacity;
      return;
    }
  }
  delete[] bytes;
}

}  // namespace braid
