#include "table/parquet_stats.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "table/column_bounds.h"

namespace braid {
namespace {

template <typename T>
std::optional<T> ParseNumber(std::string_view s) {
  T v{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Reads exactly `n` digits at `*pos`.
std::optional<int> Digits(std::string_view s, size_t* pos, size_t n) {
  if (*pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  return v;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// DuckDB prints doubles in shortest round-trip form, so parsing gives the exact value.
// -0.0 prints as 0.0: widen so that the bounds hold for either zero.
std::optional<std::string> DoubleBound(const std::string& text, bool lower) {
  std::optional<double> v = ParseNumber<double>(text);
  if (!v || std::isnan(*v)) return std::nullopt;
  if (*v == 0.0) v = lower ? -0.0 : 0.0;
  return EncodeDoubleBound(*v);
}

std::optional<std::string> Bound(ColumnType type, const std::string& text, bool lower) {
  switch (type) {
    case ColumnType::kString:
      if (lower) return TruncateLowerBound(text);
      return TruncateUpperBound(text);
    case ColumnType::kDouble: return DoubleBound(text, lower);
    case ColumnType::kInt64:
      if (std::optional<int64_t> v = ParseNumber<int64_t>(text)) return EncodeLongBound(*v);
      return std::nullopt;
    case ColumnType::kInt32:
      if (std::optional<int32_t> v = ParseNumber<int32_t>(text)) return EncodeIntBound(*v);
      return std::nullopt;
    case ColumnType::kTimestampTz:
      if (std::optional<int64_t> v = ParseDuckDbTimestampTz(text)) return EncodeLongBound(*v);
      return std::nullopt;
    case ColumnType::kBoolean:  // Iceberg's single-value form: one byte, 0 or 1. (DuckDB 1.4
                                // reports no min/max for booleans: then no bound is written.)
      if (text == "true") return std::string(1, '\x01');
      if (text == "false") return std::string(1, '\x00');
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> ParseDuckDbTimestampTz(std::string_view s) {
  size_t pos = 0;
  size_t year_end = s.find('-');
  if (year_end == std::string_view::npos || year_end < 4 || year_end > 6) return std::nullopt;
  std::optional<int> year = Digits(s, &pos, year_end);
  if (!year || !Expect(s, &pos, '-')) return std::nullopt;
  std::optional<int> month = Digits(s, &pos, 2);
  if (!month || !Expect(s, &pos, '-')) return std::nullopt;
  std::optional<int> day = Digits(s, &pos, 2);
  if (!day || !Expect(s, &pos, ' ')) return std::nullopt;
  std::optional<int> hour = Digits(s, &pos, 2);
  if (!hour || !Expect(s, &pos, ':')) return std::nullopt;
  std::optional<int> minute = Digits(s, &pos, 2);
  if (!minute || !Expect(s, &pos, ':')) return std::nullopt;
  std::optional<int> second = Digits(s, &pos, 2);
  if (!second) return std::nullopt;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits++ < 6) micros = micros * 10 + (s[pos] - '0');
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos++] == '-' ? -1 : 1;
    std::optional<int> oh = Digits(s, &pos, 2);
    if (!oh) return std::nullopt;
    int om = 0;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      std::optional<int> m = Digits(s, &pos, 2);
      if (!m) return std::nullopt;
      om = *m;
    }
    offset_seconds = sign * (*oh * 3600 + om * 60);
  }
  if (pos != s.size()) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year(*year), std::chrono::month(*month), std::chrono::day(*day)};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  int64_t days_since_epoch = sys_days(ymd).time_since_epoch().count();
  int64_t secs = days_since_epoch * 86400 + *hour * 3600 + *minute * 60 + *second - offset_seconds;
  return secs * 1000000 + micros;
}

void AddColumnMetrics(const ColumnSpec& column, const ParquetColumnStats& stats, int64_t nan_count,
                      DataFile* file) {
  const int id = column.field_id;
  if (stats.column_size_bytes) file->column_sizes[id] = *stats.column_size_bytes;
  file->value_counts[id] = file->record_count;
  if (stats.null_count) file->null_value_counts[id] = *stats.null_count;
  if (column.type == ColumnType::kDouble) file->nan_value_counts[id] = nan_count;
  if (stats.min) {
    if (std::optional<std::string> b = Bound(column.type, *stats.min, true)) file->lower_bounds[id] = *b;
  }
  if (stats.max) {
    if (std::optional<std::string> b = Bound(column.type, *stats.max, false)) file->upper_bounds[id] = *b;
  }
}

}  // namespace braid
