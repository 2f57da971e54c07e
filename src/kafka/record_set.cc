#include "kafka/record_set.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "kafka/wire.h"

namespace braid {
namespace {

// A v2 batch's header: the fields before the records.
constexpr size_t kLengthEnd = 12;      // baseOffset, batchLength: what batchLength does not count
constexpr size_t kMagicAt = 16;
constexpr size_t kHeaderSize = 61;
constexpr int16_t kCodecMask = 0x07;
constexpr int16_t kLogAppendTime = 0x08;
constexpr int16_t kTransactional = 0x10;
constexpr int16_t kControl = 0x20;

struct BatchHeader {
  int64_t base_offset;
  int32_t length;  // from the leader epoch to the end
  int8_t magic;
  int16_t attributes;
  int32_t last_offset_delta;
  int64_t base_timestamp;
  int64_t max_timestamp;
  int64_t producer_id;
  int32_t records;
};

BatchHeader ReadHeader(std::string_view batch) {
  WireReader r(batch);
  BatchHeader h{};
  h.base_offset = r.I64();
  h.length = r.I32();
  r.Skip(4);  // partition leader epoch
  h.magic = r.I8();
  r.Skip(4);  // CRC: TCP already checks the bytes; Kafka's consumers skip it by default too
  h.attributes = r.I16();
  h.last_offset_delta = r.I32();
  h.base_timestamp = r.I64();
  h.max_timestamp = r.I64();
  h.producer_id = r.I64();
  r.Skip(2 + 4);  // producer epoch, base sequence
  h.records = r.I32();
  return h;
}

// The whole batch at the front of `set` (empty when it is cut short); fails on a format other
// than v2.
Result<std::string_view> FrontBatch(std::string_view set, int64_t* base_offset) {
  if (set.size() < kHeaderSize) return std::string_view();
  WireReader r(set);
  *base_offset = r.I64();
  const int32_t length = r.I32();
  const int8_t magic = static_cast<int8_t>(set[kMagicAt]);
  if (magic != 2) {
    return Status::InvalidArgument(fmt::format(
        "a record batch at offset {} is of message format v{}; braid's fetch reader reads v2 "
        "(Kafka 0.11 and later): run with BRAID_KAFKA_READER=librdkafka to read it",
        *base_offset, magic));
  }
  if (length < static_cast<int32_t>(kHeaderSize - kLengthEnd)) {
    return Status::Corruption(
        fmt::format("a record batch at offset {} gives its length as {}", *base_offset, length));
  }
  const size_t whole = kLengthEnd + static_cast<size_t>(length);
  if (set.size() < whole) return std::string_view();
  return set.substr(0, whole);
}

// A zig-zag varint at `p` (advanced past it), within `end`; false when it runs past the end
// or over ten bytes.
inline bool ReadVarint(const char*& p, const char* end, int64_t* out) {
  uint64_t u = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const auto b = static_cast<uint8_t>(*p++);
    u |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
      return true;
    }
  }
  return false;
}

const char* CodecName(int codec) {
  switch (codec) {
    case 1: return "gzip";
    case 2: return "snappy";
    case 3: return "lz4";
    case 4: return "zstd";
    default: return "unknown";
  }
}

}  // namespace

Result<int64_t> NextFetchOffset(std::string_view set, int64_t from) {
  int64_t next = from;
  for (;;) {
    int64_t base = 0;
    BRAID_ASSIGN_OR_RETURN(std::string_view batch, FrontBatch(set, &base));
    if (batch.empty()) return next;
    const BatchHeader h = ReadHeader(batch);
    next = std::max(next, h.base_offset + h.last_offset_delta + 1);
    set.remove_prefix(batch.size());
  }
}

struct RecordSetCursor::Codecs {
  ~Codecs() {
    if (lz4 != nullptr) LZ4F_freeDecompressionContext(lz4);
    if (zstd != nullptr) ZSTD_freeDCtx(zstd);
  }
  LZ4F_dctx* lz4 = nullptr;
  ZSTD_DCtx* zstd = nullptr;
};

RecordSetCursor::RecordSetCursor() : codecs_(std::make_unique<Codecs>()) {}
RecordSetCursor::~RecordSetCursor() = default;
RecordSetCursor::RecordSetCursor(RecordSetCursor&&) noexcept = default;
RecordSetCursor& RecordSetCursor::operator=(RecordSetCursor&&) noexcept = default;

void RecordSetCursor::Reset(std::string_view set, int64_t from,
                            std::vector<AbortedTransaction> aborted) {
  rest_ = set;
  position_ = from;
  rec_ = rec_end_ = nullptr;
  records_left_ = 0;
  aborted_ = std::move(aborted);
  std::sort(aborted_.begin(), aborted_.end(),
            [](const AbortedTransaction& a, const AbortedTransaction& b) {
              return a.first_offset < b.first_offset;
            });
  aborted_next_ = 0;
  aborting_.clear();
}

Status RecordSetCursor::Inflate(int codec, std::string_view in) {
  size_t out = 0;
  if (inflated_.size() < in.size() * 4) inflated_.resize(std::max<size_t>(in.size() * 4, 64 << 10));
  auto grow = [&] { inflated_.resize(inflated_.size() * 2); };
  auto fail = [&](std::string_view why) {
    return Status::Corruption(fmt::format("a {} record batch at offset {} cannot be decompressed: {}",
                                          CodecName(codec), base_offset_, why));
  };
  switch (codec) {
    case 1: {  // gzip
      z_stream z{};
      if (inflateInit2(&z, 15 + 32) != Z_OK) return fail("zlib did not start");
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      int rc = Z_OK;
      while (rc != Z_STREAM_END) {
        if (out == inflated_.size()) grow();
        z.next_out = reinterpret_cast<Bytef*>(inflated_.data() + out);
        z.avail_out = static_cast<uInt>(inflated_.size() - out);
        rc = inflate(&z, Z_NO_FLUSH);
        out = inflated_.size() - z.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END) {
          inflateEnd(&z);
          return fail(z.msg != nullptr ? z.msg : "a damaged stream");
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
          inflateEnd(&z);
          return fail("the stream ends early");
        }
      }
      inflateEnd(&z);
      break;
    }
    case 2: {  // snappy: raw, or in the xerial framing Java producers write
      static constexpr char kXerial[8] = {'\x82', 'S', 'N', 'A', 'P', 'P', 'Y', '\0'};
      auto block = [&](std::string_view b) -> Status {
        size_t n = 0;
        if (snappy_uncompressed_length(b.data(), b.size(), &n) != SNAPPY_OK) return fail("a bad block");
        while (inflated_.size() < out + n) grow();
        size_t got = n;
        if (snappy_uncompress(b.data(), b.size(), inflated_.data() + out, &got) != SNAPPY_OK) {
          return fail("a bad block");
        }
        out += got;
        return Status::Ok();
      };
      if (in.size() >= 16 && std::memcmp(in.data(), kXerial, 8) == 0) {
        WireReader r(in.substr(16));
        while (r.ok() && r.remaining() > 0) {
          const int32_t n = r.I32();
          if (n < 0) r.Fail();
          std::string_view b = r.Bytes(static_cast<size_t>(n));
          if (!r.ok()) return fail("a chunk is cut short");
          BRAID_RETURN_IF_ERROR(block(b));
        }
      } else {
        BRAID_RETURN_IF_ERROR(block(in));
      }
      break;
    }
    case 3: {  // lz4 frame
      if (codecs_->lz4 == nullptr && LZ4F_isError(LZ4F_createDecompressionContext(&codecs_->lz4, LZ4F_VERSION))) {
        return fail("lz4 did not start");
      }
      LZ4F_resetDecompressionContext(codecs_->lz4);
      size_t at = 0;
      for (;;) {
        if (out == inflated_.size()) grow();
        size_t dst = inflated_.size() - out;
        size_t src = in.size() - at;
        const size_t hint = LZ4F_decompress(codecs_->lz4, inflated_.data() + out, &dst,
                                            in.data() + at, &src, nullptr);
        if (LZ4F_isError(hint)) return fail(LZ4F_getErrorName(hint));
        out += dst;
        at += src;
        if (hint == 0) break;
        if (at == in.size() && dst == 0) return fail("the frame ends early");
      }
      break;
    }
    case 4: {  // zstd
      if (codecs_->zstd == nullptr && (codecs_->zstd = ZSTD_createDCtx()) == nullptr) {
        return fail("zstd did not start");
      }
      ZSTD_DCtx_reset(codecs_->zstd, ZSTD_reset_session_only);
      ZSTD_inBuffer src{in.data(), in.size(), 0};
      for (;;) {
        if (out == inflated_.size()) grow();
        ZSTD_outBuffer dst{inflated_.data(), inflated_.size(), out};
        const size_t rc = ZSTD_decompressStream(codecs_->zstd, &dst, &src);
        out = dst.pos;
        if (ZSTD_isError(rc)) return fail(ZSTD_getErrorName(rc));
        if (rc == 0) break;
        if (src.pos == src.size && dst.pos < dst.size) return fail("the frame ends early");
      }
      break;
    }
    default:
      return Status::InvalidArgument(fmt::format(
          "a record batch at offset {} is compressed with codec {}, which braid cannot read",
          base_offset_, codec));
  }
  rec_ = inflated_.data();
  rec_end_ = inflated_.data() + out;
  return Status::Ok();
}

Status RecordSetCursor::OpenBatch(bool* opened) {
  *opened = false;
  while (!rest_.empty()) {
    int64_t base = 0;
    BRAID_ASSIGN_OR_RETURN(std::string_view batch, FrontBatch(rest_, &base));
    if (batch.empty()) {  // cut short: the next fetch asks for it again
      rest_ = {};
      return Status::Ok();
    }
    rest_.remove_prefix(batch.size());
    const BatchHeader h = ReadHeader(batch);
    const int64_t next = h.base_offset + h.last_offset_delta + 1;
    if (next <= position_) continue;  // wholly before the start
    bool skip = (h.attributes & kControl) != 0;
    if (h.producer_id >= 0 && !aborted_.empty()) {
      const int64_t last = h.base_offset + h.last_offset_delta;
      while (aborted_next_ < aborted_.size() && aborted_[aborted_next_].first_offset <= last) {
        aborting_.push_back(aborted_[aborted_next_++].producer_id);
      }
      auto it = std::find(aborting_.begin(), aborting_.end(), h.producer_id);
      if ((h.attributes & kControl) != 0) {
        // An abort marker ends its producer's aborted transaction (a control record's key is
        // a version and a type: 0 abort, 1 commit).
        if (it != aborting_.end() && h.records > 0) {
          WireReader r(batch.substr(kHeaderSize));
          r.Varint();  // length
          r.I8();      // attributes
          r.Varint();  // timestamp delta
          r.Varint();  // offset delta
          const int64_t key_len = r.Varint();
          r.I16();  // version
          const int16_t type = r.I16();
          if (r.ok() && key_len >= 4 && type == 0) aborting_.erase(it);
        }
      } else if ((h.attributes & kTransactional) != 0 && it != aborting_.end()) {
        skip = true;
      }
    }
    if (skip || h.records <= 0) {
      position_ = std::max(position_, next);
      continue;
    }
    base_offset_ = h.base_offset;
    base_timestamp_ = h.base_timestamp;
    log_append_time_ = (h.attributes & kLogAppendTime) != 0 ? h.max_timestamp : -1;
    batch_next_ = next;
    records_left_ = h.records;
    const int codec = h.attributes & kCodecMask;
    if (codec == 0) {
      rec_ = batch.data() + kHeaderSize;
      rec_end_ = batch.data() + batch.size();
    } else {
      BRAID_RETURN_IF_ERROR(Inflate(codec, batch.substr(kHeaderSize)));
    }
    *opened = true;
    return Status::Ok();
  }
  return Status::Ok();
}

Result<bool> RecordSetCursor::Next(FetchedRecord* out) {
  for (;;) {
    if (records_left_ == 0) {
      if (rec_ != nullptr) {  // the open batch is done
        position_ = std::max(position_, batch_next_);
        rec_ = rec_end_ = nullptr;
      }
      bool opened = false;
      BRAID_RETURN_IF_ERROR(OpenBatch(&opened));
      if (!opened) return false;
    }
    // By hand rather than through WireReader: this runs once per record, and a read that
    // checks each byte against the end twice cost a third of the reader's own time.
    const char* p = rec_;
    int64_t length = 0, ts_delta = 0, offset_delta = 0, key_len = 0, value_len = 0;
    if (!ReadVarint(p, rec_end_, &length) || length < 1 || length > rec_end_ - p) {
      return Status::Corruption(fmt::format(
          "a record of the batch at offset {} runs past the batch's end", base_offset_));
    }
    const char* body_end = p + length;
    ++p;  // attributes (unused)
    // The key and value go straight into *out (a record skipped below leaves them to the next):
    // built in locals and copied, the optional's two words were stored one by one and read
    // back as one 16-byte word, which waited for the stores (a failed store-to-load forward,
    // half of this function's time).
    bool ok = ReadVarint(p, body_end, &ts_delta) && ReadVarint(p, body_end, &offset_delta) &&
              ReadVarint(p, body_end, &key_len) && key_len <= body_end - p;
    if (ok && key_len >= 0) {
      out->key.emplace(p, static_cast<size_t>(key_len));
      p += key_len;
    } else {
      out->key.reset();
    }
    ok = ok && ReadVarint(p, body_end, &value_len) && value_len <= body_end - p;
    out->value = ok && value_len >= 0 ? std::string_view(p, static_cast<size_t>(value_len))
                                      : std::string_view();
    // Headers are not read (braid does not use them); the length above passes over them.
    if (!ok) {
      return Status::Corruption(
          fmt::format("a record of the batch at offset {} is malformed", base_offset_));
    }
    const int64_t offset = base_offset_ + offset_delta;
    rec_ = body_end;
    --records_left_;
    if (offset < position_) continue;  // before the start
    out->offset = offset;
    out->timestamp_ms = log_append_time_ >= 0 ? log_append_time_ : base_timestamp_ + ts_delta;
    position_ = offset + 1;
    return true;
  }
}

}  // namespace braid
