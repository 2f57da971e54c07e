#pragma once
// PodBuffer<T>: a growable array of trivially copyable values, the storage of RowBatch's
// columns. Reads like a std::vector (size, [], data, begin/end, ==); appends differ:
//  - Extend(n) makes room for n more values and returns where they go, so a string's bytes
//    are one memcpy (std::string::append is an out-of-line call, a tenth of the join's
//    instructions per output row);
//  - growing is realloc, which for large buffers remaps pages instead of copying them and
//    touching fresh ones.

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace braid {

template <typename T>
class PodBuffer {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  PodBuffer() = default;
  PodBuffer(size_t n, T value) { assign(n, value); }
  PodBuffer(const PodBuffer& other) { Append(other.data_, other.size_); }
  PodBuffer(PodBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  PodBuffer& operator=(const PodBuffer& other) {
    if (this != &other) {
      clear();
      Append(other.data_, other.size_);
    }
    return *this;
  }
  PodBuffer& operator=(PodBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    return *this;
  }
  ~PodBuffer() { std::free(data_); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }

  void push_back(T value) {
    if (size_ == capacity_) Grow(size_ + 1);
    data_[size_++] = value;
  }
  /// Room for `n` more values at the end: returns the first (uninitialised; the caller writes
  /// all n).
  T* Extend(size_t n) {
    if (capacity_ - size_ < n) Grow(size_ + n);
    T* at = data_ + size_;
    size_ += n;
    return at;
  }
  void Append(const T* values, size_t n) {
    if (n != 0) std::memcpy(static_cast<void*>(Extend(n)), values, n * sizeof(T));
  }
  /// Keeps the capacity.
  void clear() { size_ = 0; }
  void assign(size_t n, T value) {
    clear();
    std::fill_n(Extend(n), n, value);
  }
  void reserve(size_t n) {
    if (n > capacity_) Reallocate(n);
  }

  friend bool operator==(const PodBuffer& a, const PodBuffer& b) {
    return a.size_ == b.size_ && (a.size_ == 0 || std::memcmp(a.data_, b.data_, a.size_ * sizeof(T)) == 0);
  }

 private:
  void Grow(size_t at_least) { Reallocate(std::max({at_least, capacity_ * 2, size_t{16}})); }
  void Reallocate(size_t capacity) {
    void* p = std::realloc(data_, capacity * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
    capacity_ = capacity;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace braid
