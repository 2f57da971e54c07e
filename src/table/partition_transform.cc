#include "table/partition_transform.h"

#include <bit>
#include <charconv>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace braid {
namespace {

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1000 * 1000;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// Division rounding toward negative infinity: times before 1970 fall in the earlier day/hour.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::string LittleEndian(uint64_t v, size_t bytes) {
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

uint32_t MixBlock(uint32_t k) {
  k *= 0xcc9e2d51u;
  k = std::rotl(k, 15);
  return k * 0x1b873593u;
}

int32_t HashLong(int64_t v) { return Murmur3Hash32(LittleEndian(static_cast<uint64_t>(v), 8)); }

// The first `width` code points of UTF-8 `s` (continuation bytes do not start one).
std::string_view TruncateUtf8(std::string_view s, int width) {
  int seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && seen++ == width) return s.substr(0, i);
  }
  return s;
}

}  // namespace

int32_t Murmur3Hash32(std::string_view bytes) {
  uint32_t h = 0;
  const size_t blocks = bytes.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k = 0;
    for (int b = 3; b >= 0; --b) k = (k << 8) | static_cast<unsigned char>(bytes[i * 4 + b]);
    h ^= MixBlock(k);
    h = std::rotl(h, 13) * 5 + 0xe6546b64u;
  }
  uint32_t tail = 0;
  for (size_t i = bytes.size() - bytes.size() % 4; i < bytes.size(); ++i) {
    tail |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << (8 * (i % 4));
  }
  if (bytes.size() % 4 != 0) h ^= MixBlock(tail);
  h ^= static_cast<uint32_t>(bytes.size());
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

PartitionTransform PartitionTransform::Bucket(int n) {
  return PartitionTransform(Kind::kBucket, n, fmt::format("bucket[{}]", n));
}

PartitionTransform PartitionTransform::FromString(std::string_view text) {
  std::string t(text);
  if (t == "identity") return PartitionTransform(Kind::kIdentity, 0, t);
  if (t == "year") return PartitionTransform(Kind::kYear, 0, t);
  if (t == "month") return PartitionTransform(Kind::kMonth, 0, t);
  if (t == "day") return PartitionTransform(Kind::kDay, 0, t);
  if (t == "hour") return PartitionTransform(Kind::kHour, 0, t);
  for (auto [prefix, kind] : {std::pair{std::string_view("bucket["), Kind::kBucket},
                              std::pair{std::string_view("truncate["), Kind::kTruncate}}) {
    if (!text.starts_with(prefix) || !text.ends_with(']')) continue;
    std::string_view digits = text.substr(prefix.size(), text.size() - prefix.size() - 1);
    int n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && n > 0) return PartitionTransform(kind, n, t);
  }
  return PartitionTransform(Kind::kUnknown, 0, t);
}

bool PartitionTransform::AppliesTo(ColumnType type) const {
  switch (kind_) {
    case Kind::kIdentity: return true;
    case Kind::kYear:
    case Kind::kMonth:
    case Kind::kDay:
    case Kind::kHour: return type == ColumnType::kTimestampTz;
    case Kind::kBucket: return type != ColumnType::kDouble;
    case Kind::kTruncate:
      return type == ColumnType::kInt32 || type == ColumnType::kInt64 || type == ColumnType::kString;
    case Kind::kUnknown: return false;
  }
  return false;
}

std::string PartitionTransform::ResultType(const std::string& source_type) const {
  switch (kind_) {
    case Kind::kIdentity:
    case Kind::kTruncate: return source_type;
    case Kind::kDay: return "date";
    case Kind::kYear:
    case Kind::kMonth:
    case Kind::kHour:
    case Kind::kBucket: return "int";
    case Kind::kUnknown: return "";
  }
  return "";
}

AvroDatum PartitionTransform::Apply(ColumnType type, const ColumnData& col, size_t row) const {
  if (!col.valid[row]) return AvroDatum::Null();
  const bool is_string = type == ColumnType::kString;
  switch (kind_) {
    case Kind::kIdentity:
      if (is_string) return AvroDatum::Bytes(std::string(col.string_at(row)));
      if (type == ColumnType::kDouble) return AvroDatum::Double(col.doubles[row]);
      return AvroDatum::Long(col.ints[row]);
    case Kind::kHour: return AvroDatum::Long(FloorDiv(col.ints[row], kMicrosPerHour));
    case Kind::kDay: return AvroDatum::Long(FloorDiv(col.ints[row], kMicrosPerDay));
    case Kind::kYear:
    case Kind::kMonth: {
      using namespace std::chrono;
      year_month_day ymd{sys_days{days{FloorDiv(col.ints[row], kMicrosPerDay)}}};
      int64_t years = static_cast<int>(ymd.year()) - 1970;
      if (kind_ == Kind::kYear) return AvroDatum::Long(years);
      return AvroDatum::Long(years * 12 + static_cast<unsigned>(ymd.month()) - 1);
    }
    case Kind::kBucket: {
      // int is hashed as a long (spec Appendix B), so int and long columns agree.
      int32_t hash = is_string ? Murmur3Hash32(col.string_at(row)) : HashLong(col.ints[row]);
      return AvroDatum::Long((hash & 0x7fffffff) % parameter_);
    }
    case Kind::kTruncate: {
      if (is_string) return AvroDatum::Bytes(std::string(TruncateUtf8(col.string_at(row), parameter_)));
      int64_t v = col.ints[row];
      return AvroDatum::Long(v - (((v % parameter_) + parameter_) % parameter_));
    }
    case Kind::kUnknown: break;
  }
  return AvroDatum::Null();
}

std::string PartitionTransform::FieldName(const std::string& source_name) const {
  switch (kind_) {
    case Kind::kIdentity: return source_name;
    case Kind::kTruncate: return source_name + "_trunc";
    case Kind::kBucket: return source_name + "_bucket";
    default: return source_name + "_" + text_;
  }
}

std::optional<std::string> PartitionValueBytes(const AvroDatum& value, const std::string& type) {
  if (value.is_null()) return std::nullopt;
  if ((type == "int" || type == "date") && value.kind == AvroDatum::Kind::kLong) {
    return LittleEndian(static_cast<uint64_t>(value.long_value), 4);
  }
  if ((type == "long" || type == "timestamptz" || type == "timestamp") && value.kind == AvroDatum::Kind::kLong) {
    return LittleEndian(static_cast<uint64_t>(value.long_value), 8);
  }
  if (type == "double" && value.kind == AvroDatum::Kind::kDouble) {
    return LittleEndian(std::bit_cast<uint64_t>(value.double_value), 8);
  }
  if (type == "string" && value.kind == AvroDatum::Kind::kBytes) return value.bytes;
  return std::nullopt;
}

}  // namespace braid
