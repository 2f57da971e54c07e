#include "event/flat_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>
#include <vector>

#include "event/event_decoder.h"

namespace braid {
namespace {

// "key=kind:text" per member, or "declined" / "unfinished".
std::string Members(std::string_view json) {
  FlatJsonReader reader(json);
  std::string out;
  std::string_view key;
  FlatJsonValue v;
  while (reader.Next(&key, &v)) {
    static const char* kKinds[] = {"s", "n", "t", "f", "0"};
    out += std::string(key) + "=" + kKinds[static_cast<int>(v.kind)] +
           (v.kind == FlatJsonValue::Kind::kNumber && v.integer ? "i" : "") + ":" +
           std::string(v.text) + " ";
  }
  return reader.done() ? out : "declined";
}

TEST(FlatJsonReader, ReadsTheMembersOfAFlatObject) {
  EXPECT_EQ(Members(R"({"a":"x y","b":-12,"c":3.5e-2,"d":true,"e":false,"f":null,"g":""})"),
            "a=s:x y b=ni:-12 c=n:3.5e-2 d=t:true e=f:false f=0:null g=s: ");
  EXPECT_EQ(Members(" \t\r\n{ \"a\" :\n0 , \"b\":\"\xc3\xa9\" } \n"), "a=ni:0 b=s:\xc3\xa9 ");
  EXPECT_EQ(Members("{}"), "");
  EXPECT_EQ(Members(" { } "), "");
  EXPECT_EQ(Members(R"({"a":1E+5,"b":-0.0})"), "a=n:1E+5 b=n:-0.0 ");
}

TEST(FlatJsonReader, DeclinesEverythingElse) {
  for (const char* json : {
           "",                       // nothing
           "[1]", "\"s\"", "1", "null",  // not an object
           R"({"a":{"b":1}})", R"({"a":[1]})",  // nested
           R"({"a\n":1})", R"({"a":"x\"y"})",  // escapes
           "{\"a\":\"x\ty\"}",                   // a raw control character
           R"({"a":1,})", R"({"a":1 "b":2})", R"({"a" 1})", R"({"a":})", R"({,})",  // grammar
           R"({"a":01})", R"({"a":1.})", R"({"a":.5})", R"({"a":-})", R"({"a":1e})",
           R"({"a":+1})", R"({"a":0x1})", R"({"a":1x})",  // numbers
           R"({"a":tru})", R"({"a":nul})", R"({"a":True})",  // literals
           R"({"a":"x)", R"({"a":1)", "{", R"({"a":1}})", R"({"a":1} x)",  // ends
           "{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}",  // not UTF-8
       }) {
    EXPECT_EQ(Members(json), "declined") << json;
  }
}

// The one-pass decode and simdjson's agree on every value: the same reject (kind, reason,
// event time) or the same event, over random records in many spellings and random damage.
StreamSpec AllTypes(TimeFormat ts_format) {
  StreamSpec s{"s",
               "t",
               {{"id", FieldType::kString},
                {"n", FieldType::kLong},
                {"amount", FieldType::kDouble},
                {"note", FieldType::kString, /*required=*/false},
                {"count", FieldType::kLong, /*required=*/false},
                {"ok", FieldType::kBoolean, /*required=*/false},
                {"at", FieldType::kTimestamp, /*required=*/false},
                {"ts", FieldType::kTimestamp}},
               {"id", "n"},
               "ts"};
  s.fields.back().time_format = ts_format;
  return s;
}

std::string RandomRecord(std::mt19937_64& r, TimeFormat ts_format) {
  auto pick = [&r](const std::vector<std::string>& xs) { return xs[r() % xs.size()]; };
  // Mostly one of the first `good` (values every field of its kind takes), else any.
  auto value = [&r](const std::vector<std::string>& xs, size_t good) {
    return xs[r() % 8 ? r() % good : r() % xs.size()];
  };
  const std::vector<std::string> strings = {"\"u1\"", "\"\"", "\"caf\xc3\xa9\"", "\"a b\"",
                                            "\"x\\\"y\"", "\"\\u0041\"", "null", "7", "true"};
  const std::vector<std::string> numbers = {"0", "-0", "42", "-7", "19.99", "1e3", "2.5E-3",
                                            "9223372036854775807", "9223372036854775808",
                                            "1e400", "0.1", "-0.0", "123456789012345678901234567",
                                            "null", "\"3\"", "false", "1.5"};
  const std::vector<std::string> iso_times = {
      "\"2025-01-16T10:20:30.123456\"", "\"2025-01-16 10:20:30Z\"", "\"2025-01-16T10:20:30+05:30\"",
      "\"2025-02-30T00:00:00\"", "\"yesterday\"", "17", "null"};
  const std::vector<std::string> epoch_times = {"1737022830123", "-5", "0", "1e3",
                                                "99999999999999999", "\"1737022830\"", "null", "1.5"};
  const std::vector<std::string>& times = ts_format == TimeFormat::kIso8601 ? iso_times : epoch_times;
  std::vector<std::string> members = {
      "\"id\":" + value(strings, 6), "\"n\":" + value(numbers, 4),
      "\"amount\":" + value(numbers, 7), "\"note\":" + value(strings, 7),
      "\"count\":" + value(numbers, 4), "\"ok\":" + value({"true", "false", "null", "1"}, 3),
      "\"at\":" + value(iso_times, 3), "\"ts\":" + value(times, 3),
      "\"extra\":" + value({"1", "\"e\"", "null", "{\"x\":[1]}", "[]"}, 3)};
  std::shuffle(members.begin(), members.end(), r);
  if (r() % 4 == 0) members.resize(members.size() - 1 - r() % 2);  // some absent
  if (r() % 8 == 0) members.push_back(members[r() % members.size()]);  // a repeat
  const std::vector<std::string> spaces = {"", " ", "\n\t", "  "};
  std::string json = pick(spaces) + "{";
  for (size_t i = 0; i < members.size(); ++i) {
    std::string m = members[i];
    if (r() % 4 == 0) m.insert(m.find(':') + 1, pick(spaces));
    json += (i ? "," + pick(spaces) : pick(spaces)) + m;
  }
  return json + pick(spaces) + "}" + pick(spaces);
}

void Damage(std::mt19937_64& r, std::string* v) {
  for (int k = std::uniform_int_distribution<int>(1, 2)(r); k > 0 && !v->empty(); --k) {
    const size_t at = std::uniform_int_distribution<size_t>(0, v->size() - 1)(r);
    switch (r() % 3) {
      case 0: (*v)[at] = static_cast<char>(r()); break;
      case 1: v->erase(at, 1); break;
      default: v->insert(at, 1, "{}[]\":,\\0e.- \x01\xc3"[r() % 16]); break;
    }
  }
}

// The inline scan gives ScanFlatStringAnyLength's answer — where the string ends, its
// contents, or nullptr — for texts of every length up to 48 bytes holding quotes, escapes,
// control characters, multi-byte UTF-8 and invalid bytes at random places, scanned from every
// start.
TEST(ScanFlatString, InlineScanAgreesWithTheGeneralOne) {
  std::mt19937_64 r(9);
  const std::vector<std::string> pieces = {"a", "Z", "0", " ", "\"", "\\", "\x01", "\x1f",
                                           "\x7f", "\xc3\xa9", "\xf0\x9f\x98\x80", "\xff"};
  int strings = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t len = r() % 49;
    while (text.size() < len) {
      text += r() % 4 ? pieces[r() % 3] : pieces[r() % pieces.size()];
    }
    for (size_t start = 0; start <= text.size(); ++start) {
      const char* p = text.data() + start;
      const char* end = text.data() + text.size();
      std::string_view a, b;
      const char* got = ScanFlatString(p, end, &a, text.data());
      const char* want = ScanFlatStringAnyLength(p, end, &b, text.data());
      ASSERT_EQ(got, want) << "text " << text << " start " << start;
      if (want != nullptr) {
        ASSERT_EQ(a, b);
        ++strings;
      }
    }
  }
  EXPECT_GT(strings, 20000);
}

TEST(FlatDecodeDifferential, SameAnswerAsSimdjsonOnRandomRecords) {
  for (TimeFormat format : {TimeFormat::kIso8601, TimeFormat::kEpochMillis}) {
    auto fast = EventDecoder::Create(AllTypes(format), {"amount", "note", "count", "ok", "at"});
    auto full = EventDecoder::Create(AllTypes(format), {"amount", "note", "count", "ok", "at"});
    ASSERT_TRUE(fast.ok() && full.ok());
    std::mt19937_64 r(format == TimeFormat::kIso8601 ? 11 : 12);
    int flat_accepted = 0, flat_declined_accepted = 0, rejected = 0;
    DecodedEvent a, b;
    for (int iter = 0; iter < 40000; ++iter) {
      std::string v = RandomRecord(r, format);
      if (iter % 3 == 0) Damage(r, &v);
      std::optional<Reject> ra = (*fast)->Decode(v, &a);
      std::optional<Reject> rb = (*full)->DecodeWithParser(v, &b);
      ASSERT_EQ(ra.has_value(), rb.has_value()) << v << " | " << (ra ? ra->reason : rb->reason);
      if (ra) {
        ++rejected;
        EXPECT_EQ(ra->kind, rb->kind) << v;
        EXPECT_EQ(ra->reason, rb->reason) << v;
        EXPECT_EQ(ra->event_time, rb->event_time) << v;
        continue;
      }
      EXPECT_EQ(a.key, b.key) << v;
      EXPECT_EQ(a.ts, b.ts) << v;
      EXPECT_EQ(a.values, b.values) << v;
      FlatJsonReader reader(v);
      std::string_view key;
      FlatJsonValue value;
      while (reader.Next(&key, &value)) {
      }
      ++(reader.done() ? flat_accepted : flat_declined_accepted);
    }
    // Both ways were taken many times: the comparison covers the one-pass read.
    SCOPED_TRACE(testing::Message() << "flat " << flat_accepted << ", declined "
                                    << flat_declined_accepted << ", rejected " << rejected);
    EXPECT_GT(flat_accepted, 2000);
    EXPECT_GT(flat_declined_accepted, 500);
    EXPECT_GT(rejected, 5000);
  }
}


// ScanFlatString reads 16 bytes at a time, and its last bytes in one load that ends where the
// text ends (and may begin before the string). Against a byte-by-byte reading of the same
// rules, on strings of every length at every place in texts of every size.
TEST(ScanFlatString, AgreesWithAByteByByteReading) {
  auto reference = [](const char* p, const char* end, std::string_view* out) -> const char* {
    for (const char* q = p; q != end; ++q) {
      const auto c = static_cast<unsigned char>(*q);
      if (c == '"') {
        *out = std::string_view(p, static_cast<size_t>(q - p));
        return simdjson::validate_utf8(p, static_cast<size_t>(q - p)) ? q + 1 : nullptr;
      }
      if (c == '\\' || c < 0x20) return nullptr;
    }
    return nullptr;
  };
  const std::string bytes = std::string("abcdefgh0123 :,{}\"\\\x01\x1f\x7f") + "\xc3\xa9\xe2\x82\xac\xff\x80";
  std::mt19937_64 r(3);
  int found = 0, refused = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string text(r() % 48, 'x');
    for (char& c : text) c = r() % 4 == 0 ? bytes[r() % bytes.size()] : "abcxyz"[r() % 6];
    if (text.empty()) continue;
    const size_t from = r() % text.size();
    const char* p = text.data() + from;
    const char* end = text.data() + text.size();
    std::string_view got_text, want_text;
    const char* got = ScanFlatString(p, end, &got_text, text.data());
    const char* want = reference(p, end, &want_text);
    ASSERT_EQ(got, want) << "text \"" << text << "\" from " << from;
    if (want != nullptr) {
      ASSERT_EQ(got_text, want_text);
      ++found;
    } else {
      ++refused;
    }
  }
  EXPECT_GT(found, 5000);
  EXPECT_GT(refused, 20000);
}

}  // namespace
}  // namespace braid
