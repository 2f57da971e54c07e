#pragma once
// ChunkedVector: a vector that grows by fixed-size chunks and never moves its elements. Growing
// a plain vector of large elements copies all of them and, for a moment, holds the old and the
// new array together: for the join's key slots (hundreds of thousands of a few hundred bytes)
// that is a peak of tens of megabytes, paid again at every doubling.
//
// Large chunks are kept on 4 KiB pages (MADV_NOHUGEPAGE), even where the kernel backs large
// allocations with transparent huge pages: on these machines the first touch of a fresh 2 MiB
// page costs milliseconds (about 5 % of the joining thread's time at 2 M seed actions), more
// than the TLB misses that small pages add to the join's random visits, which its prefetching
// hides (make bench, 2 M actions: 5 % less wall time, 4 % less CPU, A/B pairs).

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
  static constexpr size_t kPage = size_t{4} << 10;
  // Chunks of a megabyte or more are page aligned, and kept off huge pages.
  static constexpr bool kLarge = kChunk * sizeof(T) >= (size_t{1} << 20);
  static constexpr size_t kAlign = kLarge ? kPage : std::max(alignof(T), alignof(std::max_align_t));
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
    if (kLarge) (void)madvise(p, kChunkBytes, MADV_NOHUGEPAGE);  // a hint
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
