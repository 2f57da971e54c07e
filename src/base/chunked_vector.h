#pragma once
// ChunkedVector: a vector that grows by fixed-size chunks and never moves its elements. Growing
// a plain vector of large elements copies all of them and, for a moment, holds the old and the
// new array together: for the join's key slots (hundreds of thousands of a few hundred bytes)
// that is a peak of tens of megabytes, paid again at every doubling.

#include <cstddef>
#include <memory>
#include <vector>

namespace braid {

template <typename T, size_t kChunk = 4096>
class ChunkedVector {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  /// Appends a default-constructed element; returns it. References to the others stay valid.
  T& emplace_back() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<T[]>(kChunk));
    return (*this)[size_++];
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace braid
