#pragma once
// AnswerBuffers: the buffers broker answers are read into, kept once handed back for the
// answers after them. A fetch answer is megabytes, and a fresh buffer took a page fault for
// every page the kernel copied into (at 2 M seed actions, 8 k of a run's 61 k faults).
// Thread-safe.

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace braid {

class AnswerBuffers {
 public:
  static constexpr size_t kPooled = size_t{64} << 10;   // smaller buffers are not kept
  static constexpr size_t kGranule = size_t{256} << 10;  // kept buffers' sizes are multiples

  /// `max_held` bytes of buffers are kept at most; the rest are freed when handed back.
  explicit AnswerBuffers(size_t max_held) : max_held_(max_held) {}
  ~AnswerBuffers();
  AnswerBuffers(const AnswerBuffers&) = delete;
  AnswerBuffers& operator=(const AnswerBuffers&) = delete;

  /// The process's buffers, shared by every broker connection (48 MiB kept at most; never
  /// destroyed, so that an answer may outlive anything).
  static AnswerBuffers& Shared();

  /// A buffer of at least `size` bytes, contents unspecified: the smallest kept one that is
  /// large enough, or a new one. It comes back here when its last owner lets go, which must
  /// be before this is destroyed.
  std::shared_ptr<char[]> Take(size_t size);

  /// Bytes of the buffers kept now.
  size_t held() const;

 private:
  struct Buffer {
    char* bytes;
    size_t capacity;
  };
  void Give(char* bytes, size_t capacity);

  const size_t max_held_;
  mutable std::mutex mu_;
  std::vector<Buffer> free_;
  size_t held_ = 0;
};

}  // namespace braid
