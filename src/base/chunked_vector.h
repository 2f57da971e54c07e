#pragma once
// ChunkedVector: a vector that grows by fixed-size chunks and never moves its elements. Growing
// a plain vector of large elements copies all of them and, for a moment, holds the old and the
// new array together: for the join's key slots (hundreds of thousands of a few hundred bytes)
// that is a peak of tens of megabytes, paid again at every doubling.
//
// Large chunks start on a 2 MiB boundary and are offered to the kernel as transparent huge
// pages (where it has them enabled for madvise): the join visits slots at random, and with
// 4 KiB pages nearly every visit would also miss the TLB (make bench: 5–8 % less time).

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
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
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(NewChunk());
    return (*this)[size_++];
  }

 private:
  static constexpr size_t kHugePage = size_t{2} << 20;
  // Chunks of at least half a huge page are rounded up to whole ones; smaller ones are left as
  // they are.
  static constexpr bool kHuge = kChunk * sizeof(T) >= kHugePage / 2;
  static constexpr size_t kAlign =
      kHuge ? kHugePage : std::max(alignof(T), alignof(std::max_align_t));
  static constexpr size_t kChunkBytes = (kChunk * sizeof(T) + kAlign - 1) / kAlign * kAlign;
  struct FreeChunk {
    void operator()(T* chunk) const {
      for (size_t i = 0; i < kChunk; ++i) chunk[i].~T();
      std::free(chunk);
    }
  };
  using Chunk = std::unique_ptr<T[], FreeChunk>;

  static Chunk NewChunk() {
    void* p = std::aligned_alloc(kAlign, kChunkBytes);
    if (p == nullptr) throw std::bad_alloc();
    if (kHuge) (void)madvise(p, kChunkBytes, MADV_HUGEPAGE);  // a hint: else plain pages
    T* chunk = static_cast<T*>(p);
    size_t built = 0;
    try {
      for (; built < kChunk; ++built) new (chunk + built) T();
    } catch (...) {
      for (size_t i = 0; i < built; ++i) chunk[i].~T();
      std::free(p);
      throw;
    }
    return Chunk(chunk);
  }

  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

}  // namespace braid
