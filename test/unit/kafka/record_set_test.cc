#include "kafka/record_set.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <optional>
#include <string>
#include <vector>

#include "kafka/wire.h"

namespace braid {
namespace {

struct TestRecord {
  std::optional<std::string> key;
  std::string value;
  int64_t ts_delta = 0;
};

void PutVarint(std::string& out, int64_t v) {
  uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (u >= 0x80) {
    out.push_back(static_cast<char>((u & 0x7f) | 0x80));
    u >>= 7;
  }
  out.push_back(static_cast<char>(u));
}

std::string Compress(int codec, const std::string& in) {
  std::string out;
  switch (codec) {
    case 1: {
      z_stream z{};
      deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
      out.resize(deflateBound(&z, in.size()) + 64);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
      out.resize(z.total_out);
      deflateEnd(&z);
      return out;
    }
    case 2: {
      size_t n = snappy_max_compressed_length(in.size());
      out.resize(n);
      EXPECT_EQ(snappy_compress(in.data(), in.size(), out.data(), &n), SNAPPY_OK);
      out.resize(n);
      return out;
    }
    case 3: {
      out.resize(LZ4F_compressFrameBound(in.size(), nullptr));
      const size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), nullptr);
      EXPECT_FALSE(LZ4F_isError(n));
      out.resize(n);
      return out;
    }
    case 4: {
      out.resize(ZSTD_compressBound(in.size()));
      const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
      out.resize(n);
      return out;
    }
  }
  return in;
}

// The xerial framing Java producers put around snappy blocks.
std::string Xerial(const std::string& in, size_t block) {
  std::string out("\x82SNAPPY\0", 8);
  WireWriter w;
  w.I32(1);
  w.I32(1);
  out += w.bytes();
  for (size_t at = 0; at < in.size(); at += block) {
    std::string b = Compress(2, in.substr(at, block));
    WireWriter len;
    len.I32(static_cast<int32_t>(b.size()));
    out += len.bytes() + b;
  }
  return out;
}

struct BatchSpec {
  int64_t base_offset = 0;
  std::vector<TestRecord> records;
  int16_t attributes = 0;  // codec | timestamp type | transactional | control
  int64_t producer_id = -1;
  int64_t base_timestamp = 1'700'000'000'000;
  int64_t max_timestamp = 1'700'000'000'999;
  int8_t magic = 2;
  bool xerial = false;
};

std::string Batch(const BatchSpec& s) {
  std::string recs;
  for (size_t i = 0; i < s.records.size(); ++i) {
    const TestRecord& r = s.records[i];
    std::string body;
    body.push_back(0);
    PutVarint(body, r.ts_delta);
    PutVarint(body, static_cast<int64_t>(i));
    if (r.key) {
      PutVarint(body, static_cast<int64_t>(r.key->size()));
      body += *r.key;
    } else {
      PutVarint(body, -1);
    }
    PutVarint(body, static_cast<int64_t>(r.value.size()));
    body += r.value;
    PutVarint(body, 1);  // one header, which the reader passes over
    PutVarint(body, 1);
    body += "h";
    PutVarint(body, 2);
    body += "hv";
    PutVarint(recs, static_cast<int64_t>(body.size()));
    recs += body;
  }
  const int codec = s.attributes & 7;
  if (codec == 2 && s.xerial) {
    recs = Xerial(recs, 7);
  } else if (codec != 0) {
    recs = Compress(codec, recs);
  }
  WireWriter w;
  w.I64(s.base_offset);
  w.I32(static_cast<int32_t>(49 + recs.size()));
  w.I32(0);
  w.I8(s.magic);
  w.I32(0);  // CRC, not checked
  w.I16(s.attributes);
  w.I32(static_cast<int32_t>(s.records.size()) - 1);
  w.I64(s.base_timestamp);
  w.I64(s.max_timestamp);
  w.I64(s.producer_id);
  w.I16(0);
  w.I32(0);
  w.I32(static_cast<int32_t>(s.records.size()));
  return w.bytes() + recs;
}

// A control batch of one marker: type 0 aborts, 1 commits.
std::string Marker(int64_t offset, int64_t producer_id, int16_t type) {
  BatchSpec s;
  s.base_offset = offset;
  s.attributes = 0x10 | 0x20;
  s.producer_id = producer_id;
  WireWriter key;
  key.I16(0);
  key.I16(type);
  s.records.push_back(TestRecord{key.bytes(), std::string("\0\0\0\0\0\0", 6)});
  return Batch(s);
}

struct Read {
  std::vector<int64_t> offsets;
  std::vector<std::string> values;
  std::vector<std::optional<std::string>> keys;
  std::vector<int64_t> timestamps;
  int64_t position = 0;
};

Read ReadAll(std::string_view set, int64_t from, std::vector<AbortedTransaction> aborted = {}) {
  RecordSetCursor c;
  c.Reset(set, from, std::move(aborted));
  Read out;
  FetchedRecord f;
  for (;;) {
    Result<bool> got = c.Next(&f);
    EXPECT_TRUE(got.ok()) << got.status().message();
    if (!got.ok() || !*got) break;
    out.offsets.push_back(f.offset);
    out.values.emplace_back(f.value);
    out.keys.push_back(f.key ? std::optional<std::string>(std::string(*f.key)) : std::nullopt);
    out.timestamps.push_back(f.timestamp_ms);
  }
  out.position = c.position();
  return out;
}

std::vector<TestRecord> Numbered(int n, const std::string& prefix) {
  std::vector<TestRecord> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(TestRecord{i % 3 == 0 ? std::nullopt : std::optional<std::string>("k" + std::to_string(i)),
                             prefix + std::to_string(i) + std::string(static_cast<size_t>(i % 40), 'x'),
                             i * 10});
  }
  return out;
}

TEST(RecordSet, ReadsAnUncompressedBatchWithKeysValuesAndTimestamps) {
  BatchSpec s;
  s.base_offset = 100;
  s.records = Numbered(5, "v");
  const Read r = ReadAll(Batch(s), 100);
  ASSERT_EQ(r.offsets, (std::vector<int64_t>{100, 101, 102, 103, 104}));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(r.values[i], s.records[i].value);
    EXPECT_EQ(r.keys[i], s.records[i].key);
    EXPECT_EQ(r.timestamps[i], s.base_timestamp + i * 10);
  }
  EXPECT_EQ(r.position, 105);
}

TEST(RecordSet, EveryCodecReadsTheSameRecords) {
  BatchSpec plain;
  plain.base_offset = 7;
  plain.records = Numbered(300, "value-");
  const Read want = ReadAll(Batch(plain), 7);
  ASSERT_EQ(want.offsets.size(), 300u);
  for (int codec = 1; codec <= 4; ++codec) {
    for (bool xerial : {false, true}) {
      if (xerial && codec != 2) continue;
      BatchSpec s = plain;
      s.attributes = static_cast<int16_t>(codec);
      s.xerial = xerial;
      // Two batches back to back, the second one compressed too, so the cursor's buffer is
      // reused.
      BatchSpec second = s;
      second.base_offset = 307;
      const Read r = ReadAll(Batch(s) + Batch(second), 7);
      ASSERT_EQ(r.offsets.size(), 600u) << "codec " << codec;
      for (size_t i = 0; i < 300; ++i) {
        EXPECT_EQ(r.values[i], want.values[i]) << "codec " << codec;
        EXPECT_EQ(r.values[i + 300], want.values[i]) << "codec " << codec;
        EXPECT_EQ(r.offsets[i + 300], 307 + static_cast<int64_t>(i));
      }
      EXPECT_EQ(r.position, 607);
    }
  }
}

TEST(RecordSet, StartsMidBatchAndStopsAtABatchCutShort) {
  BatchSpec a;
  a.base_offset = 10;
  a.records = Numbered(4, "a");
  BatchSpec b;
  b.base_offset = 14;
  b.records = Numbered(4, "b");
  const std::string whole = Batch(a) + Batch(b);
  const std::string cut = whole.substr(0, whole.size() - 3);
  const Read r = ReadAll(cut, 12);
  EXPECT_EQ(r.offsets, (std::vector<int64_t>{12, 13}));
  EXPECT_EQ(r.position, 14);
  EXPECT_EQ(*NextFetchOffset(cut, 12), 14);
  EXPECT_EQ(*NextFetchOffset(whole, 12), 18);
  EXPECT_EQ(*NextFetchOffset(whole.substr(0, 30), 12), 12);  // not even a header
}

TEST(RecordSet, DropsAbortedTransactionsAndMarkers) {
  constexpr int64_t kProducer = 7;
  BatchSpec aborted;
  aborted.base_offset = 0;
  aborted.records = Numbered(3, "aborted");
  aborted.attributes = 0x10;
  aborted.producer_id = kProducer;
  BatchSpec other;  // another producer's, not transactional
  other.base_offset = 3;
  other.records = Numbered(2, "other");
  BatchSpec committed = aborted;
  committed.base_offset = 6;
  committed.records = Numbered(2, "committed");
  const std::string set = Batch(aborted) + Batch(other) + Marker(5, kProducer, 0) +
                          Batch(committed) + Marker(8, kProducer, 1);
  const Read r = ReadAll(set, 0, {AbortedTransaction{kProducer, 0}});
  EXPECT_EQ(r.offsets, (std::vector<int64_t>{3, 4, 6, 7}));
  EXPECT_EQ(r.values[2], "committed0");
  EXPECT_EQ(r.position, 9);  // past the commit marker
  // Without the aborted list (read_uncommitted's view) the aborted records would be read.
  EXPECT_EQ(ReadAll(set, 0).offsets.size(), 7u);
}

TEST(RecordSet, LogAppendTimeStampsEveryRecordWithTheBatchTime) {
  BatchSpec s;
  s.records = Numbered(3, "v");
  s.attributes = 0x08;
  const Read r = ReadAll(Batch(s), 0);
  EXPECT_EQ(r.timestamps, (std::vector<int64_t>(3, s.max_timestamp)));
}

TEST(RecordSet, RefusesOldFormatsAndMalformedBatchesByName) {
  BatchSpec s;
  s.base_offset = 42;
  s.records = Numbered(3, "v");
  s.magic = 1;
  RecordSetCursor c;
  const std::string old = Batch(s);
  c.Reset(old, 42, {});
  FetchedRecord f;
  Result<bool> got = c.Next(&f);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("message format v1"), std::string::npos);
  EXPECT_NE(got.status().message().find("BRAID_KAFKA_READER=librdkafka"), std::string::npos);
  EXPECT_FALSE(NextFetchOffset(old, 42).ok());

  s.magic = 2;
  std::string bad = Batch(s);
  bad[61] = 0x7e;  // the first record's length: far past the batch's end
  c.Reset(bad, 42, {});
  got = c.Next(&f);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("offset 42"), std::string::npos);

  s.attributes = 3;
  std::string garbled = Batch(s);
  garbled[garbled.size() - 5] ^= 0x55;
  garbled[70] ^= 0x55;
  c.Reset(garbled, 42, {});
  got = c.Next(&f);
  if (got.ok()) {
    // A flipped byte lz4 cannot see may still decode; then the records must not be read past
    // their bounds (ASan checks), which the loop below does.
    while (got.ok() && *got) got = c.Next(&f);
  } else {
    EXPECT_NE(got.status().message().find("lz4"), std::string::npos) << got.status().message();
  }
}

}  // namespace
}  // namespace braid
