#include <gtest/gtest.h>

#include <limits>

#include "table/avro_encoding.h"
#include "table/avro_reader.h"
#include "table/avro_writer.h"

namespace braid {
namespace {

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

TEST(AvroEncoding, ZigzagVarintsMatchTheSpecExamples) {
  // Avro spec, "Binary Encoding": 0→00, -1→01, 1→02, -2→03, 2→04, -64→7f, 64→80 01.
  const std::pair<int64_t, std::string> cases[] = {
      {0, Bytes({0x00})},  {-1, Bytes({0x01})}, {1, Bytes({0x02})},        {-2, Bytes({0x03})},
      {2, Bytes({0x04})},  {-64, Bytes({0x7f})}, {64, Bytes({0x80, 0x01})},
  };
  for (const auto& [value, bytes] : cases) {
    std::string out;
    AppendAvroLong(value, &out);
    EXPECT_EQ(out, bytes) << value;
  }
}

TEST(AvroEncoding, LongsRoundTripAtTheEdges) {
  const int64_t values[] = {0, 1, -1, 63, 64, -65, 127, 128, 1LL << 31, -(1LL << 31), 1LL << 62,
                            std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
  std::string buf;
  for (int64_t v : values) AppendAvroLong(v, &buf);
  AvroDecoder dec(buf);
  for (int64_t v : values) {
    Result<int64_t> got = dec.ReadLong();
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, v);
  }
  EXPECT_EQ(dec.remaining(), 0u);
  std::string max;
  AppendAvroLong(std::numeric_limits<int64_t>::max(), &max);
  EXPECT_EQ(max.size(), 10u);
}

TEST(AvroEncoding, RejectsTruncatedAndOverlongInput) {
  const std::string one_byte = Bytes({0x80}), eleven_bytes(11, '\x80'), short_value = Bytes({0x10, 'a'});
  AvroDecoder truncated(one_byte);
  EXPECT_EQ(truncated.ReadLong().status().kind(), StatusKind::kCorruption);
  AvroDecoder overlong(eleven_bytes);
  EXPECT_EQ(overlong.ReadLong().status().kind(), StatusKind::kCorruption);
  AvroDecoder lying_length(short_value);  // says 8 bytes, has 1
  EXPECT_EQ(lying_length.ReadBytes().status().kind(), StatusKind::kCorruption);
}

// Found by the avro fuzz target: an int field decoded a varint beyond 32 bits, which the
// manifest list reader then cut to an int32 count (and AvroWriter refuses to write back).
TEST(AvroEncoding, IntsOutsideTheirRangeAreCorruption) {
  auto schema = ParseAvroSchema(R"("int")", "test");
  ASSERT_TRUE(schema.ok());
  std::string too_big, fits;
  AppendAvroLong(int64_t{1} << 31, &too_big);
  AppendAvroLong(-(int64_t{1} << 31), &fits);
  AvroDecoder big(too_big);
  EXPECT_EQ(big.ReadDatum(**schema).status().kind(), StatusKind::kCorruption);
  AvroDecoder ok(fits);
  auto d = ok.ReadDatum(**schema);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->long_value, -(int64_t{1} << 31));
  auto long_schema = ParseAvroSchema(R"("long")", "test");
  AvroDecoder as_long(too_big);
  EXPECT_EQ(as_long.ReadDatum(**long_schema)->long_value, int64_t{1} << 31);
}

constexpr char kSchema[] = R"({"type":"record","name":"r","fields":[
  {"name":"i","type":"int","field-id":1},
  {"name":"l","type":["null","long"],"default":null,"field-id":2},
  {"name":"s","type":"string","field-id":3},
  {"name":"b","type":["null","bytes"],"default":null,"field-id":4},
  {"name":"d","type":"double","field-id":5},
  {"name":"f","type":"float","field-id":6},
  {"name":"t","type":"boolean","field-id":7},
  {"name":"x","type":{"type":"fixed","name":"f16","size":2},"field-id":8},
  {"name":"a","type":{"type":"array","items":"long","element-id":9},"field-id":10},
  {"name":"m","type":{"type":"map","values":"int"},"field-id":11},
  {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"field-id":12},
  {"name":"n","type":{"type":"record","name":"inner","fields":[{"name":"q","type":"f16"}]},"field-id":13}
]})";

AvroDatum Sample(int64_t k) {
  AvroDatum map;
  map.kind = AvroDatum::Kind::kMap;
  map.keys = {"one", "two"};
  map.items = {AvroDatum::Long(1), AvroDatum::Long(k)};
  return AvroDatum::Record({
      AvroDatum::Long(-k), k % 2 ? AvroDatum::Null() : AvroDatum::Long(k << 40),
      AvroDatum::Bytes("héllo " + std::to_string(k)), AvroDatum::Bytes(std::string("\0\1", 2)),
      AvroDatum::Double(0.1 * k), AvroDatum::Double(1.5), AvroDatum::Bool(k % 3 == 0),
      AvroDatum::Bytes("xy"), AvroDatum::Array({AvroDatum::Long(k), AvroDatum::Long(-k)}), map,
      AvroDatum::Bytes("B"), AvroDatum::Record({AvroDatum::Bytes("zz")}),
  });
}

TEST(AvroFile, WritesAndReadsBackEveryType) {
  Result<AvroWriter> w = AvroWriter::Create(kSchema, {{"format-version", "2"}, {"content", "data"}});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (int k = 0; k < 5; ++k) ASSERT_TRUE(w->Append(Sample(k)).ok());
  std::string file = w->Finish();

  Result<AvroReader> r = AvroReader::Open(file, "test.avro");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metadata().at("format-version"), "2");
  EXPECT_EQ(r->metadata().at("avro.codec"), "null");
  EXPECT_EQ(r->metadata().at("avro.schema"), kSchema);  // verbatim: field ids survive
  EXPECT_EQ(r->schema().fields[9].type->type, AvroType::kMap);
  EXPECT_EQ(r->schema().FieldIndexById(13), 11);
  EXPECT_EQ(r->schema().fields[8].type->element_id, 9);
  Result<std::vector<AvroDatum>> records = r->ReadAll();
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 5u);
  const AvroDatum& third = (*records)[3];
  EXPECT_EQ(third.items[0].long_value, -3);
  EXPECT_TRUE(third.items[1].is_null());
  EXPECT_EQ((*records)[2].items[1].long_value, 2LL << 40);
  EXPECT_EQ(third.items[2].bytes, "héllo 3");
  EXPECT_EQ(third.items[3].bytes, std::string("\0\1", 2));
  EXPECT_DOUBLE_EQ(third.items[4].double_value, 0.3);
  EXPECT_EQ(third.items[5].double_value, 1.5);
  EXPECT_EQ(third.items[6].long_value, 1);
  EXPECT_EQ(third.items[7].bytes, "xy");
  EXPECT_EQ(third.items[8].items[1].long_value, -3);
  EXPECT_EQ(third.items[9].keys[1], "two");
  EXPECT_EQ(third.items[9].items[1].long_value, 3);
  EXPECT_EQ(third.items[10].bytes, "B");
  EXPECT_EQ(third.items[11].items[0].bytes, "zz");
}

TEST(AvroFile, RefusesValuesThatDoNotFitTheSchema) {
  Result<AvroWriter> w = AvroWriter::Create(kSchema, {});
  ASSERT_TRUE(w.ok());
  AvroDatum bad = Sample(1);
  bad.items[0] = AvroDatum::Long(1LL << 40);  // int out of range
  EXPECT_EQ(w->Append(bad).kind(), StatusKind::kInvalidArgument);
  bad = Sample(1);
  bad.items[2] = AvroDatum::Null();  // required string
  EXPECT_EQ(w->Append(bad).kind(), StatusKind::kInvalidArgument);
  ASSERT_TRUE(w->Append(Sample(1)).ok());
  EXPECT_EQ(w->count(), 1u);
  Result<AvroReader> r = AvroReader::Open(w->Finish(), "t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ReadAll()->size(), 1u);  // the refused records left nothing behind
}

TEST(AvroFile, DetectsCorruption) {
  Result<AvroWriter> w = AvroWriter::Create(kSchema, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Append(Sample(2)).ok());
  std::string file = w->Finish();
  EXPECT_EQ(AvroReader::Open("Obj", "t").status().kind(), StatusKind::kCorruption);
  EXPECT_EQ(AvroReader::Open("PAR1xxxx", "t").status().kind(), StatusKind::kCorruption);
  // A truncated file fails to open or to read, except when cut right after the header (a
  // valid file without blocks); none crashes.
  for (size_t cut = 0; cut < file.size(); ++cut) {
    Result<AvroReader> r = AvroReader::Open(file.substr(0, cut), "t");
    if (!r.ok()) continue;
    Result<std::vector<AvroDatum>> records = r->ReadAll();
    EXPECT_TRUE(!records.ok() || records->empty()) << cut;
  }
  std::string bad_sync = file;
  bad_sync[bad_sync.size() - 1] ^= 0x55;
  Result<AvroReader> r = AvroReader::Open(bad_sync, "t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ReadAll().status().kind(), StatusKind::kCorruption);
}

// Builds a container file by hand with the deflate codec, the block held in one stored
// (uncompressed) DEFLATE block: what Java and pyiceberg write, minus the compression.
TEST(AvroFile, ReadsTheDeflateCodec) {
  std::string schema = R"({"type":"record","name":"r","fields":[{"name":"v","type":"long"}]})";
  std::string block;
  AppendAvroLong(21, &block);
  AppendAvroLong(-7, &block);
  std::string deflated = Bytes({0x01, static_cast<int>(block.size()), 0x00,
                                static_cast<int>(~block.size() & 0xff), 0xff}) + block;
  std::string sync(16, 'S');
  std::string file("Obj\x01", 4);
  AppendAvroLong(2, &file);
  AppendAvroBytes("avro.schema", &file);
  AppendAvroBytes(schema, &file);
  AppendAvroBytes("avro.codec", &file);
  AppendAvroBytes("deflate", &file);
  AppendAvroLong(0, &file);
  file += sync;
  AppendAvroLong(2, &file);
  AppendAvroBytes(deflated, &file);
  file += sync;
  Result<AvroReader> r = AvroReader::Open(file, "deflate.avro");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Result<std::vector<AvroDatum>> records = r->ReadAll();
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].items[0].long_value, 21);
  EXPECT_EQ((*records)[1].items[0].long_value, -7);

  std::string broken = file;
  broken[broken.size() - 16 - block.size() - 5] = 0x07;  // invalid block type
  Result<AvroReader> b = AvroReader::Open(broken, "deflate.avro");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->ReadAll().status().kind(), StatusKind::kCorruption);
}

TEST(AvroSchema, RejectsMalformedSchemas) {
  EXPECT_FALSE(ParseAvroSchema("{", "t").ok());
  EXPECT_FALSE(ParseAvroSchema(R"({"type":"nope"})", "t").ok());
  EXPECT_FALSE(ParseAvroSchema(R"({"type":"record","name":"a","fields":[{"name":"x","type":"a"}]})", "t").ok());
  EXPECT_FALSE(ParseAvroSchema(R"({"type":"array"})", "t").ok());
  EXPECT_TRUE(ParseAvroSchema(R"(["null","long"])", "t").ok());
  EXPECT_EQ(AvroReader::Open(std::string("Obj\x01\x02\x16", 6), "t").status().kind(), StatusKind::kCorruption);
}

}  // namespace
}  // namespace braid
