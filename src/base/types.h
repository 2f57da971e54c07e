#pragma once
// Strong types for time and position: event time, durations, Kafka partitions and offsets and
// Iceberg snapshot ids are distinct types so that the compiler catches mixing them.

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace braid {

/// An int64 with a tag: no implicit conversion to or from other tagged ints.
template <typename Tag>
class StrongInt {
 public:
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(int64_t v) : v_(v) {}
  constexpr int64_t value() const { return v_; }
  constexpr auto operator<=>(const StrongInt&) const = default;

 private:
  int64_t v_ = 0;
};

/// A span of time in microseconds.
class Duration : public StrongInt<struct DurationTag> {
 public:
  using StrongInt::StrongInt;
  static constexpr Duration Micros(int64_t us) { return Duration(us); }
  static constexpr Duration Millis(int64_t ms) { return Duration(ms * 1000); }
  static constexpr Duration Seconds(int64_t s) { return Duration(s * 1000000); }
  constexpr int64_t micros() const { return value(); }
  constexpr Duration operator+(Duration o) const { return Duration(value() + o.value()); }
};

/// A point in event time or wall-clock time: microseconds since 1970-01-01T00:00:00Z.
/// Min() and Max() stand for "before everything" and "input finished" (+infinity).
class Timestamp : public StrongInt<struct TimestampTag> {
 public:
  using StrongInt::StrongInt;
  static constexpr Timestamp Min() { return Timestamp(std::numeric_limits<int64_t>::min()); }
  static constexpr Timestamp Max() { return Timestamp(std::numeric_limits<int64_t>::max()); }
  constexpr int64_t micros() const { return value(); }
  /// Neither Min() nor Max(): a real point in time.
  constexpr bool finite() const { return *this != Min() && *this != Max(); }
  /// Saturating arithmetic: Min() and Max() stay where they are.
  constexpr Timestamp operator+(Duration d) const { return Timestamp(SatAdd(value(), d.micros())); }
  constexpr Timestamp operator-(Duration d) const { return Timestamp(SatAdd(value(), -d.micros())); }

 private:
  static constexpr int64_t SatAdd(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<int64_t>::max()
                                                        : std::numeric_limits<int64_t>::min();
    return r;
  }
};

/// A Kafka partition number.
using PartitionId = StrongInt<struct PartitionTag>;
/// A Kafka offset within one partition.
using KafkaOffset = StrongInt<struct OffsetTag>;
/// An Iceberg snapshot id.
using SnapshotId = StrongInt<struct SnapshotTag>;

}  // namespace braid

template <typename Tag>
struct std::hash<braid::StrongInt<Tag>> {
  size_t operator()(const braid::StrongInt<Tag>& v) const noexcept {
    return std::hash<int64_t>()(v.value());
  }
};
