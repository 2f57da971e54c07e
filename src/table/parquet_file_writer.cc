#include "table/parquet_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <climits>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <zstd.h>

#include "base/short_bytes.h"
#include "base/short_hash.h"

namespace braid {
namespace {

// Parquet's enums (parquet.thrift).
enum ParquetType : int32_t { kBoolean = 0, kInt32 = 1, kInt64 = 2, kDouble = 5, kByteArray = 6 };
enum Encoding : int32_t { kPlain = 0, kPlainDictionary = 2, kRle = 3 };
enum PageType : int32_t { kDataPage = 0, kDictionaryPage = 2 };
constexpr int32_t kOptional = 1;
constexpr int32_t kUtf8 = 0;             // ConvertedType
constexpr int32_t kTimestampMicros = 10;  // ConvertedType
constexpr int32_t kCodecUncompressed = 0;
constexpr int32_t kCodecZstd = 6;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

template <typename T>
void PutLittle(std::string& out, T v) {  // x86-64 and every target braid builds for: little-endian
  static_assert(std::endian::native == std::endian::little);
  out.append(reinterpret_cast<const char*>(&v), sizeof(v));
}

// Thrift's compact protocol, the few forms Parquet's footer and page headers use.
class Thrift {
 public:
  enum Type : uint8_t { kTrue = 1, kFalse = 2, kI32 = 5, kI64 = 6, kBinary = 8, kList = 9, kStruct = 12 };

  std::string& out() { return out_; }
  void I32(int id, int32_t v) {
    Field(id, kI32);
    PutVarint(out_, ZigZag(v));
  }
  void I64(int id, int64_t v) {
    Field(id, kI64);
    PutVarint(out_, ZigZag(v));
  }
  void Bool(int id, bool v) { Field(id, v ? kTrue : kFalse); }
  void Binary(int id, std::string_view v) {
    Field(id, kBinary);
    PutVarint(out_, v.size());
    out_.append(v);
  }
  void BeginStruct(int id) {
    Field(id, kStruct);
    last_.push_back(0);
  }
  void EndStruct() {
    out_.push_back(0);
    last_.pop_back();
  }
  void BeginList(int id, Type element, size_t n) {
    Field(id, kList);
    if (n < 15) {
      out_.push_back(static_cast<char>((n << 4) | element));
    } else {
      out_.push_back(static_cast<char>(0xF0 | element));
      PutVarint(out_, n);
    }
  }
  // List elements.
  void BeginElement() { last_.push_back(0); }  // a struct; EndStruct ends it
  void ElementI32(int32_t v) { PutVarint(out_, ZigZag(v)); }
  void ElementBinary(std::string_view v) {
    PutVarint(out_, v.size());
    out_.append(v);
  }

 private:
  static uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
  void Field(int id, uint8_t type) {
    const int delta = id - last_.back();
    if (delta > 0 && delta <= 15) {
      out_.push_back(static_cast<char>((delta << 4) | type));
    } else {
      out_.push_back(static_cast<char>(type));
      PutVarint(out_, ZigZag(id));
    }
    last_.back() = id;
  }
  std::string out_;
  std::vector<int> last_{0};
};

// Appends values 0 .. n-1 (`value(i)`, each below 2^width) in the RLE / bit-packing hybrid of
// levels and dictionary indices. A run of 8 or more equal values is written as one RLE run once
// the values before it make whole groups of 8 (the run completes the last group first); the
// others are bit-packed, at most 63 groups a run (as Parquet's own writers). Runs are found
// over the values in place and each group of 8 is packed at once: values appended one by one
// to a buffer of pending ones cost several times as much, and the dictionary columns of every
// row group are written this way.
template <typename Value>
void PutHybrid(std::string* out, int width, size_t n, Value value) {
  constexpr size_t kMaxPacked = 8 * 63;
  const auto width_bytes = static_cast<size_t>((width + 7) / 8);
  // Values [from, to) bit-packed as one run, the last group padded with zeros (readers stop at
  // the page's count).
  auto pack = [&](size_t from, size_t to) {
    if (from == to) return;
    const size_t groups = (to - from + 7) / 8;
    PutVarint(*out, (uint64_t{groups} << 1) | 1);
    const size_t at = out->size();
    out->resize(at + groups * static_cast<size_t>(width));  // a group of 8 takes `width` bytes
    char* p = out->data() + at;
    for (size_t g = 0; g < groups; ++g) {
      const size_t base = from + g * 8;
      unsigned __int128 acc = 0;  // 8 values of up to 16 bits
      uint64_t wide[4] = {};      // or of up to 32
      for (size_t k = 0; k < 8; ++k) {
        const uint64_t v = base + k < to ? value(base + k) : 0;
        const size_t bit = k * static_cast<size_t>(width);
        if (width <= 16) {
          acc |= static_cast<unsigned __int128>(v) << bit;
        } else {
          wide[bit / 64] |= v << (bit % 64);
          if (bit % 64 + static_cast<size_t>(width) > 64) wide[bit / 64 + 1] |= v >> (64 - bit % 64);
        }
      }
      if (width <= 16) {
        std::memcpy(p, &acc, static_cast<size_t>(width));
      } else {
        std::memcpy(p, wide, static_cast<size_t>(width));
      }
      p += width;
    }
  };
  size_t pending = 0;  // values [pending, i) wait to be bit-packed
  for (size_t i = 0; i < n;) {
    const uint64_t v = value(i);
    size_t j = i + 1;
    while (j < n && value(j) == v) ++j;
    const size_t fill = std::min(j - i, (8 - (i - pending) % 8) % 8);
    if (j - i - fill >= 8) {
      pack(pending, i + fill);
      PutVarint(*out, uint64_t{j - i - fill} << 1);
      for (size_t b = 0; b < width_bytes; ++b) out->push_back(static_cast<char>(v >> (8 * b)));
      pending = j;
    } else if (j - pending >= kMaxPacked) {
      pack(pending, pending + kMaxPacked);
      pending += kMaxPacked;
    }
    i = j;
  }
  pack(pending, n);
}

int BitWidth(size_t values) {  // of the indices 0 .. values - 1; at least 1
  int w = 1;
  while ((size_t{1} << w) < values) ++w;
  return w;
}

ParquetType PhysicalType(ColumnType t) {
  switch (t) {
    case ColumnType::kString: return kByteArray;
    case ColumnType::kDouble: return kDouble;
    case ColumnType::kInt32: return kInt32;
    case ColumnType::kBoolean: return kBoolean;
    case ColumnType::kInt64:
    case ColumnType::kTimestampTz: return kInt64;
  }
  return kByteArray;
}

// DuckDB's text of a TIMESTAMP WITH TIME ZONE at UTC, which ParquetColumnStats carries; empty
// outside the years 1 to 9999 (the column then gets no Iceberg bounds: a missing bound only
// costs pruning).
std::string TimestampText(int64_t micros) {
  int64_t secs = micros / 1000000, frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  const time_t t = static_cast<time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999) return {};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

// One column chunk's dictionary and statistics (its values go to the data page).
struct Chunk {
  std::string dictionary;  // PLAIN entries; empty when plain
  size_t dictionary_size = 0;
  int64_t nulls = 0;
  int64_t nans = 0;
  bool has_bounds = false;
  std::string min_plain, max_plain;  // min and max in PLAIN form (Parquet's statistics)
  std::string min_text, max_text;    // as DuckDB renders them
  bool texts = true;                 // false: a bound has no such text (a time out of range)
};

// Sets the chunk's bounds to [lo, hi] (NaN already left out), plain and as text.
template <typename T>
void SetBounds(T lo, T hi, ColumnType type, Chunk* c) {
  c->has_bounds = true;
  if constexpr (std::is_same_v<T, std::string_view>) {
    c->min_plain = c->min_text = std::string(lo);
    c->max_plain = c->max_text = std::string(hi);
  } else if constexpr (std::is_same_v<T, double>) {
    if (lo == 0) lo = -0.0;  // Parquet: a zero minimum is -0, a zero maximum +0
    if (hi == 0) hi = 0.0;
    PutLittle(c->min_plain, lo);
    PutLittle(c->max_plain, hi);
    c->min_text = fmt::format("{}", lo);
    c->max_text = fmt::format("{}", hi);
  } else {
    if (type == ColumnType::kBoolean) {  // plain: one byte here
      c->min_plain.assign(1, static_cast<char>(lo));
      c->max_plain.assign(1, static_cast<char>(hi));
      c->min_text = lo ? "true" : "false";
      c->max_text = hi ? "true" : "false";
      return;
    }
    if (type == ColumnType::kInt32) {
      PutLittle(c->min_plain, static_cast<int32_t>(lo));
      PutLittle(c->max_plain, static_cast<int32_t>(hi));
    } else {
      PutLittle(c->min_plain, static_cast<int64_t>(lo));
      PutLittle(c->max_plain, static_cast<int64_t>(hi));
    }
    if (type == ColumnType::kTimestampTz) {
      c->min_text = TimestampText(lo);
      c->max_text = TimestampText(hi);
      c->texts = !c->min_text.empty() && !c->max_text.empty();
    } else {
      c->min_text = fmt::format("{}", lo);
      c->max_text = fmt::format("{}", hi);
    }
  }
}

// Min and max of values, NaN left out.
template <typename T>
struct MinMax {
  T lo{}, hi{};
  bool any = false;
  void Add(const T& v) {
    if constexpr (std::is_same_v<T, double>) {
      if (std::isnan(v)) return;
    }
    if (!any) {
      lo = hi = v;
      any = true;
    } else if (Less(v, lo)) {
      lo = v;
    } else if (Less(hi, v)) {
      hi = v;
    }
  }
  void To(ColumnType type, Chunk* c) const {
    if (any) SetBounds(lo, hi, type, c);
  }
  static bool Less(const T& a, const T& b) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return BytesLess(a, b);
    } else {
      return a < b;
    }
  }
};

// Writes a value in PLAIN form at `p`; returns the byte after it.
char* PutPlain(char* p, ColumnType, std::string_view s) {
  const auto n = static_cast<uint32_t>(s.size());
  std::memcpy(p, &n, 4);
  if (!s.empty()) std::memcpy(p + 4, s.data(), s.size());  // an empty view's data may be null
  return p + 4 + s.size();
}
char* PutPlain(char* p, ColumnType type, int64_t v) {
  if (type == ColumnType::kInt32) {
    const auto i = static_cast<int32_t>(v);
    std::memcpy(p, &i, 4);
    return p + 4;
  }
  std::memcpy(p, &v, 8);
  return p + 8;
}
char* PutPlain(char* p, ColumnType, double v) {
  std::memcpy(p, &v, 8);
  return p + 8;
}
size_t PlainSize(ColumnType, std::string_view s) { return 4 + s.size(); }
template <typename T>
size_t PlainSize(ColumnType type, T) {
  return type == ColumnType::kInt32 ? 4 : 8;
}

// The distinct values of a column chunk in the order first seen, each with its id (its place
// in that order), found through an open-addressing table of ids and hash bits that doubles as
// it fills. Written here rather than taken from absl: its map hashed every string through the
// standard library's hash, which with the probe cost a chunk's dictionary columns more than
// the rest of their encoding, and values need no rehash of their own (ShortHash is cheap).
template <typename T>
class ChunkDictionary {
 public:
  const std::vector<T>& entries() const { return entries_; }
  /// The id of `v`, added if new; kFull if it is new and `limit` values are held already.
  static constexpr uint32_t kFull = UINT32_MAX;
  uint32_t IdOf(const T& v, size_t limit) {
    const uint64_t h = Hash(v);
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        if (entries_.size() == limit) return kFull;
        const auto id = static_cast<uint32_t>(entries_.size());
        entries_.push_back(v);
        s = Slot{id, tag};
        if (entries_.size() * 2 > slots_.size()) Grow();
        return id;
      }
      if (s.tag == tag && Same(entries_[s.id], v)) return s.id;
    }
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint32_t id = kEmpty;
    uint32_t tag = 0;  // the hash's high half
  };
  static uint64_t Hash(const T& v) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return ShortHash(v);
    } else {
      return WordHash(std::bit_cast<uint64_t>(v));  // a double by its bits: -0.0 is not 0.0
    }
  }
  static bool Same(const T& a, const T& b) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return SameView(a, b);
    } else {
      return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
    }
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (uint32_t id = 0; id < entries_.size(); ++id) {
      const uint64_t h = Hash(entries_[id]);
      size_t i = h & mask_;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask_;
      slots_[i] = Slot{id, static_cast<uint32_t>(h >> 32)};
    }
  }

  std::vector<T> entries_;
  std::vector<Slot> slots_ = std::vector<Slot>(64);
  size_t mask_ = 63;
};

// Appends to `out` the values of rows [begin, end) of a string, integer or double column:
// dictionary indices while the chunk holds at most `limit` distinct values (the dictionary goes
// to `c`), else plain values.
template <typename T, typename Get>
void EncodeValues(const ColumnData& col, ColumnType type, size_t begin, size_t end, size_t limit,
                  Get get, std::string* out, Chunk* c) {
  ChunkDictionary<T> dict;
  std::vector<uint32_t> ids;
  ids.reserve(end - begin);
  bool dictionary = true;
  for (size_t r = begin; r < end; ++r) {
    if (!col.valid[r]) continue;
    const uint32_t id = dict.IdOf(get(r), limit);
    if (id == ChunkDictionary<T>::kFull) {
      dictionary = false;
      break;
    }
    ids.push_back(id);
  }
  const std::vector<T>& entries = dict.entries();
  MinMax<T> bounds;
  if (dictionary && !entries.empty()) {
    size_t bytes = 0;
    for (const T& v : entries) bytes += PlainSize(type, v);
    c->dictionary.resize(bytes);
    char* p = c->dictionary.data();
    for (const T& v : entries) {
      p = PutPlain(p, type, v);
      bounds.Add(v);  // a dictionary's values are the chunk's
    }
    c->dictionary_size = entries.size();
    const int width = BitWidth(entries.size());
    out->push_back(static_cast<char>(width));
    PutHybrid(out, width, ids.size(), [&ids](size_t i) { return ids[i]; });
  } else {
    size_t bytes = 0;
    for (size_t r = begin; r < end; ++r) {
      if (col.valid[r]) bytes += PlainSize(type, get(r));
    }
    const size_t at = out->size();
    out->resize(at + bytes);
    char* p = out->data() + at;
    for (size_t r = begin; r < end; ++r) {
      if (!col.valid[r]) continue;
      const T v = get(r);
      p = PutPlain(p, type, v);
      bounds.Add(v);
    }
  }
  if constexpr (std::is_same_v<T, double>) {
    for (size_t r = begin; r < end; ++r) c->nans += col.valid[r] && std::isnan(col.doubles[r]);
  }
  bounds.To(type, c);
}

// Appends the values of rows [begin, end) of `col` to `out` (the data page, after its levels);
// the dictionary, if any, and the bounds and NaN count go to the returned chunk (its null count
// is the caller's, who counted them for the levels).
Chunk EncodeChunk(const ColumnSpec& spec, const ColumnData& col, size_t begin, size_t end,
                  size_t limit, std::string* out) {
  Chunk c;
  switch (spec.type) {
    case ColumnType::kString:
      EncodeValues<std::string_view>(col, spec.type, begin, end, limit,
                                     [&col](size_t r) { return col.string_at(r); }, out, &c);
      break;
    case ColumnType::kDouble:
      EncodeValues<double>(col, spec.type, begin, end, limit, [&col](size_t r) { return col.doubles[r]; },
                           out, &c);
      break;
    case ColumnType::kInt64:
    case ColumnType::kInt32:
    case ColumnType::kTimestampTz:
      EncodeValues<int64_t>(col, spec.type, begin, end, limit, [&col](size_t r) { return col.ints[r]; },
                            out, &c);
      break;
    case ColumnType::kBoolean: {  // plain: one bit a value, the first in the lowest bit
      MinMax<int64_t> bounds;
      uint8_t byte = 0;
      int bits = 0;
      for (size_t r = begin; r < end; ++r) {
        if (!col.valid[r]) continue;
        const bool v = col.ints[r] != 0;
        bounds.Add(v);
        byte |= static_cast<uint8_t>(v) << bits;
        if (++bits == 8) {
          out->push_back(static_cast<char>(byte));
          byte = 0;
          bits = 0;
        }
      }
      if (bits > 0) out->push_back(static_cast<char>(byte));
      bounds.To(spec.type, &c);
      break;
    }
  }
  return c;
}

struct ChunkMeta;

// A file being written: pages appended with their offsets known.
class ParquetOut {
 public:
  static constexpr size_t kBufferBytes = size_t{1} << 20;
  static constexpr size_t kDirectPageBytes = size_t{64} << 10;  // and larger: one write each
  ParquetOut(const std::string& path, const ParquetCompression& compression)
      : path_(path), zstd_(compression.codec == "zstd"), level_(compression.level.value_or(3)) {}
  ~ParquetOut() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return Failed("creating");
    buffer_ = "PAR1";
    return Status::Ok();
  }
  int64_t offset() const { return written_ + static_cast<int64_t>(buffer_.size()); }
  int32_t codec() const { return zstd_ ? kCodecZstd : kCodecUncompressed; }

  // Appends a page of `type`: its header (`header` writes the header's struct of that type)
  // and its compressed body. Adds the bytes it took with the header to `m`.
  template <typename Header>
  void Page(PageType type, std::string_view body, Header header, ChunkMeta* m);
  Status Finish(std::string_view footer) {
    buffer_.append(footer);
    PutLittle(buffer_, static_cast<uint32_t>(footer.size()));
    buffer_ += "PAR1";
    Drain();
    if (error_.ok() && ::close(std::exchange(fd_, -1)) != 0) return Failed("closing");
    return error_;
  }
  Status error() const { return error_; }

 private:
  ZSTD_CCtx* cctx() {
    if (!cctx_) cctx_.reset(ZSTD_createCCtx());
    return cctx_.get();
  }
  void Drain() {
    WriteAll(buffer_);
    buffer_.clear();
  }
  void WriteAll(std::string_view bytes) {
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0 && error_.ok()) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error_ = Failed("writing");
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    written_ += static_cast<int64_t>(bytes.size());
  }
  Status Failed(const char* what) const {
    return Status::IoError(fmt::format("{} data file {}: {}", what, path_, std::strerror(errno)));
  }
  struct FreeCctx {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };

  const std::string path_;
  const bool zstd_;
  const int level_;
  int fd_ = -1;
  std::string buffer_;  // small pages and headers, written at 1 MiB and at the end
  int64_t written_ = 0;
  // Kept by the thread from file to file, as WriteParquetFile's page: fresh for each file, they
  // were a fifth of a run's page faults (grown by doubling, zero-filled, copied).
  static thread_local std::string compressed_;
  std::unique_ptr<ZSTD_CCtx, FreeCctx> cctx_;
  Status error_;
};

thread_local std::string ParquetOut::compressed_;

// A column chunk as the footer describes it.
struct ChunkMeta {
  int64_t start = 0, dictionary_offset = -1, data_offset = 0;
  int64_t uncompressed = 0, compressed = 0, num_values = 0;  // sizes with the page headers
  bool dictionary = false;
  Chunk stats;  // its dictionary emptied once written
};

template <typename Header>
void ParquetOut::Page(PageType type, std::string_view body, Header header, ChunkMeta* m) {
  std::string_view stored = body;
  if (body.size() > size_t{INT32_MAX} / 2) {  // page sizes are int32 in Parquet's headers
    error_ = Status::InvalidArgument(fmt::format(
        "{}: a column chunk of {} bytes, more than a Parquet page holds; lower "
        "--max-buffer-bytes", path_, body.size()));
    return;
  }
  if (zstd_) {
    // Grown only: resized to each page's bound, it zero-filled whatever a smaller page before
    // had given back (megabytes per row group of alternating small and large columns).
    const size_t bound = ZSTD_compressBound(body.size());
    if (compressed_.size() < bound) compressed_.resize(bound);
    const size_t n = ZSTD_compressCCtx(cctx(), compressed_.data(), compressed_.size(), body.data(),
                                       body.size(), level_);
    if (ZSTD_isError(n)) {  // only for a bad level, which ParquetCompression refuses
      error_ = Status::Internal(fmt::format("{}: zstd: {}", path_, ZSTD_getErrorName(n)));
      return;
    }
    stored = std::string_view(compressed_.data(), n);
  }
  Thrift t;
  t.I32(1, type);
  t.I32(2, static_cast<int32_t>(body.size()));
  t.I32(3, static_cast<int32_t>(stored.size()));
  header(t);
  t.out().push_back(0);  // the header's end
  buffer_ += t.out();
  if (stored.size() >= kDirectPageBytes) {  // written from where it is, not copied
    Drain();
    WriteAll(stored);
  } else {
    buffer_.append(stored);
    if (buffer_.size() >= kBufferBytes) Drain();
  }
  const auto h = static_cast<int64_t>(t.out().size());
  m->uncompressed += h + static_cast<int64_t>(body.size());
  m->compressed += h + static_cast<int64_t>(stored.size());
}

void WriteFooter(const RowBatch& batch, int32_t codec, const std::vector<std::vector<ChunkMeta>>& groups,
                 const std::vector<int64_t>& group_rows, std::string* out) {
  const RowSchema& schema = batch.schema();
  Thrift t;
  t.I32(1, 1);  // version
  t.BeginList(2, Thrift::kStruct, schema.size() + 1);
  t.BeginElement();
  t.Binary(4, "schema");
  t.I32(5, static_cast<int32_t>(schema.size()));
  t.EndStruct();
  for (const ColumnSpec& c : schema) {
    t.BeginElement();
    t.I32(1, PhysicalType(c.type));
    t.I32(3, kOptional);
    t.Binary(4, c.name);
    if (c.type == ColumnType::kString) t.I32(6, kUtf8);
    if (c.type == ColumnType::kTimestampTz) t.I32(6, kTimestampMicros);
    t.I32(9, c.field_id);
    if (c.type == ColumnType::kTimestampTz) {
      t.BeginStruct(10);
      t.BeginStruct(8);  // TIMESTAMP
      t.Bool(1, true);   // isAdjustedToUTC
      t.BeginStruct(2);  // unit
      t.BeginStruct(2);  // MICROS
      t.EndStruct();
      t.EndStruct();
      t.EndStruct();
      t.EndStruct();
    }
    t.EndStruct();
  }
  int64_t rows = 0;
  for (int64_t n : group_rows) rows += n;
  t.I64(3, rows);
  t.BeginList(4, Thrift::kStruct, groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    t.BeginElement();
    int64_t uncompressed = 0, compressed = 0;
    t.BeginList(1, Thrift::kStruct, groups[g].size());
    for (size_t c = 0; c < groups[g].size(); ++c) {
      const ChunkMeta& m = groups[g][c];
      uncompressed += m.uncompressed;
      compressed += m.compressed;
      t.BeginElement();
      t.I64(2, m.start);
      t.BeginStruct(3);
      t.I32(1, PhysicalType(schema[c].type));
      t.BeginList(2, Thrift::kI32, 2);
      t.ElementI32(m.dictionary ? kPlainDictionary : kPlain);
      t.ElementI32(kRle);
      t.BeginList(3, Thrift::kBinary, 1);
      t.ElementBinary(schema[c].name);
      t.I32(4, codec);
      t.I64(5, m.num_values);
      t.I64(6, m.uncompressed);
      t.I64(7, m.compressed);
      t.I64(9, m.data_offset);
      if (m.dictionary) t.I64(11, m.dictionary_offset);
      t.BeginStruct(12);
      t.I64(3, m.stats.nulls);
      if (m.stats.has_bounds && m.stats.nans == 0) {  // a chunk with NaN: none (readers differ)
        t.Binary(5, m.stats.max_plain);
        t.Binary(6, m.stats.min_plain);
      }
      t.EndStruct();
      t.EndStruct();  // meta_data
      t.EndStruct();  // the column chunk
    }
    t.I64(2, uncompressed);
    t.I64(3, group_rows[g]);
    t.I64(5, groups[g].front().start);
    t.I64(6, compressed);
    t.EndStruct();
  }
  t.Binary(6, "braid");
  t.BeginList(7, Thrift::kStruct, schema.size());  // column orders: each its type's order
  for (size_t c = 0; c < schema.size(); ++c) {
    t.BeginElement();
    t.BeginStruct(1);  // TYPE_ORDER
    t.EndStruct();
    t.EndStruct();
  }
  t.out().push_back(0);
  *out = std::move(t.out());
}

// Whether plain value a orders before plain value b in `type`'s order.
bool PlainLess(ColumnType type, const std::string& a, const std::string& b) {
  auto load = [](const std::string& s, auto v) {
    std::memcpy(&v, s.data(), sizeof(v));
    return v;
  };
  switch (type) {
    case ColumnType::kString:
    case ColumnType::kBoolean: return a < b;  // bytes, unsigned
    case ColumnType::kDouble: return load(a, 0.0) < load(b, 0.0);
    case ColumnType::kInt32: return load(a, int32_t{0}) < load(b, int32_t{0});
    case ColumnType::kInt64:
    case ColumnType::kTimestampTz: return load(a, int64_t{0}) < load(b, int64_t{0});
  }
  return false;
}

// A column's statistics over the file's chunks.
struct FileColumn {
  Chunk bounds;  // min and max so far (has_bounds), in both forms
  int64_t nulls = 0, nans = 0, size = 0;
  bool texts = true;

  void Add(const Chunk& c, ColumnType type, int64_t compressed) {
    texts = texts && c.texts;
    nulls += c.nulls;
    nans += c.nans;
    size += compressed;
    if (!c.has_bounds) return;
    if (!bounds.has_bounds || PlainLess(type, c.min_plain, bounds.min_plain)) {
      bounds.min_plain = c.min_plain;
      bounds.min_text = c.min_text;
    }
    if (!bounds.has_bounds || PlainLess(type, bounds.max_plain, c.max_plain)) {
      bounds.max_plain = c.max_plain;
      bounds.max_text = c.max_text;
    }
    bounds.has_bounds = true;
  }
  ParquetColumnStats Stats() const {
    ParquetColumnStats s;
    s.null_count = nulls;
    s.column_size_bytes = size;
    s.has_nan = nans > 0;
    if (bounds.has_bounds && texts) {  // NaN left out, as Iceberg's bounds
      s.min = bounds.min_text;
      s.max = bounds.max_text;
    }
    return s;
  }
};

}  // namespace

bool WritesParquetDirectly(const ParquetCompression& compression) {
  return compression.codec == "zstd" || compression.codec == "uncompressed";
}

Result<ParquetFileFacts> WriteParquetFile(const RowBatch& batch, const std::string& path,
                                          const ParquetCompression& compression,
                                          size_t row_group_size, size_t dictionary_values) {
  if (!WritesParquetDirectly(compression)) {
    return Status::Internal(fmt::format("{}: braid writes no {} Parquet files itself", path, compression.codec));
  }
  const RowSchema& schema = batch.schema();
  const size_t rows = batch.num_rows();
  if (rows == 0 || schema.empty()) return Status::InvalidArgument(fmt::format("{}: no rows to write", path));
  row_group_size = std::max<size_t>(row_group_size, 1);
  ParquetOut out(path, compression);
  BRAID_RETURN_IF_ERROR(out.Open());
  std::vector<FileColumn> columns(schema.size());
  std::vector<std::vector<ChunkMeta>> groups;
  std::vector<int64_t> group_rows;
  ParquetFileFacts facts;
  thread_local std::string page;  // its capacity kept from file to file (ParquetOut::compressed_)
  for (size_t begin = 0; begin < rows; begin += row_group_size) {
    const size_t end = std::min(rows, begin + row_group_size);
    const auto n = static_cast<int32_t>(end - begin);
    std::vector<ChunkMeta>& group = groups.emplace_back();
    group_rows.push_back(n);
    for (size_t c = 0; c < schema.size(); ++c) {
      const ColumnData& col = batch.column(c);
      ChunkMeta m;
      // The data page's body: definition levels (1: a value, 0: null), their length first,
      // then the values.
      page.assign(4, '\0');
      int64_t nulls = 0;
      for (size_t r = begin; r < end; ++r) nulls += !col.valid[r];
      if (nulls == 0) {
        PutVarint(page, uint64_t{static_cast<uint32_t>(n)} << 1);  // one run of n ones
        page.push_back(1);
      } else {
        PutHybrid(&page, 1, end - begin, [&col, begin](size_t i) { return col.valid[begin + i] ? 1u : 0u; });
      }
      const auto level_bytes = static_cast<uint32_t>(page.size() - 4);
      std::memcpy(page.data(), &level_bytes, 4);
      m.stats = EncodeChunk(schema[c], col, begin, end, dictionary_values, &page);
      m.stats.nulls = nulls;
      m.start = out.offset();
      m.num_values = n;
      m.dictionary = m.stats.dictionary_size > 0;
      if (m.dictionary) {
        m.dictionary_offset = out.offset();
        const auto entries = static_cast<int32_t>(m.stats.dictionary_size);
        out.Page(kDictionaryPage, m.stats.dictionary, [entries](Thrift& t) {
          t.BeginStruct(7);
          t.I32(1, entries);
          t.I32(2, kPlainDictionary);
          t.EndStruct();
        }, &m);
      }
      m.data_offset = out.offset();
      const int32_t encoding = m.dictionary ? kPlainDictionary : kPlain;
      out.Page(kDataPage, page, [n, encoding](Thrift& t) {
        t.BeginStruct(5);
        t.I32(1, n);
        t.I32(2, encoding);
        t.I32(3, kRle);  // definition levels
        t.I32(4, kRle);  // repetition levels (none)
        t.EndStruct();
      }, &m);
      BRAID_RETURN_IF_ERROR(out.error());
      columns[c].Add(m.stats, schema[c].type, m.compressed);
      m.stats.dictionary.clear();
      m.stats.dictionary.shrink_to_fit();
      group.push_back(std::move(m));
    }
  }
  std::string footer;
  WriteFooter(batch, out.codec(), groups, group_rows, &footer);
  BRAID_RETURN_IF_ERROR(out.Finish(footer));
  facts.file_size = out.offset();
  for (const std::vector<ChunkMeta>& group : groups) facts.row_group_offsets.push_back(group.front().start);
  for (size_t c = 0; c < schema.size(); ++c) {
    facts.columns.push_back(columns[c].Stats());
    facts.nan_counts.push_back(columns[c].nans);
  }
  return facts;
}

}  // namespace braid
