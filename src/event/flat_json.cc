#include "event/flat_json.h"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace braid {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

FlatJsonReader::FlatJsonReader(std::string_view json)
    : begin_(json.data()), p_(json.data()), end_(json.data() + json.size()) {
  SkipSpace();
  if (p_ == end_ || *p_ != '{') {
    Decline();
    return;
  }
  ++p_;
  SkipSpace();
  if (p_ != end_ && *p_ == '}') Close();
}

void FlatJsonReader::SkipSpace() {
  while (p_ != end_ && IsSpace(*p_)) ++p_;
}

bool FlatJsonReader::Close() {
  ++p_;  // the '}'
  SkipSpace();
  if (p_ != end_) return Decline();
  state_ = State::kDone;
  return false;
}

bool FlatJsonReader::Next(std::string_view* key, FlatJsonValue* value) {
  if (state_ == State::kMembers) {
    SkipSpace();
    if (p_ == end_) return Decline();
    if (*p_ == '}') return Close();
    if (*p_ != ',') return Decline();
    ++p_;
    SkipSpace();
  } else if (state_ != State::kFirst) {
    return false;
  }
  state_ = State::kMembers;
  if (p_ == end_ || *p_ != '"' || !ReadString(key)) return Decline();
  SkipSpace();
  if (p_ == end_ || *p_ != ':') return Decline();
  ++p_;
  SkipSpace();
  if (p_ == end_) return Decline();
  const char* start = p_;
  bool read = false;
  switch (*p_) {
    case '"':
      value->kind = FlatJsonValue::Kind::kString;
      value->integer = false;
      read = ReadString(&value->text) || Decline();
      break;
    case 't': read = ReadLiteral("true", FlatJsonValue::Kind::kTrue, value); break;
    case 'f': read = ReadLiteral("false", FlatJsonValue::Kind::kFalse, value); break;
    case 'n': read = ReadLiteral("null", FlatJsonValue::Kind::kNull, value); break;
    default: read = ReadNumber(value); break;
  }
  value->raw = std::string_view(start, static_cast<size_t>(p_ - start));
  return read;
}

bool FlatJsonReader::ReadString(std::string_view* out) {
  const char* after = ScanFlatString(p_ + 1, end_, out, begin_);
  if (after == nullptr) return false;
  p_ = after;
  return true;
}

bool FlatJsonReader::ReadNumber(FlatJsonValue* out) {
  const char* after = ScanFlatNumber(p_, end_, out);
  if (after == nullptr) return Decline();
  p_ = after;
  return true;
}

// Outside strings the grammar admits ASCII only, so the text is UTF-8 exactly when every
// string is: a string holding a byte >= 0x80 is checked on its own.
const char* ScanFlatStringAnyLength(const char* p, const char* end, std::string_view* out,
                                    const char* text) {
  const char* begin = p;
  bool ascii = true;
#if defined(__SSE2__)
  // 16 bytes at a time: the first quote, backslash or control character ends the scan.
  auto classify = [](const char* at, unsigned* stops, unsigned* high) {
    *high = flat_json_detail::Classify(at, stops);
  };
  unsigned stops = 0, high = 0;
  while (end - p >= 16) {
    classify(p, &stops, &high);
    if (stops != 0) break;
    if (high) ascii = false;
    p += 16;
  }
  if (stops == 0 && p != end && end - text >= 16) {
    // Fewer than 16 bytes left: the 16 that end the text, the bytes before p shifted out.
    classify(end - 16, &stops, &high);
    const int skip = static_cast<int>(16 - (end - p));
    stops >>= skip;
    high >>= skip;
    if (stops == 0) return nullptr;  // unterminated
  }
  if (stops != 0) {
    const int at = __builtin_ctz(stops);
    if (high & ((1u << at) - 1)) ascii = false;
    p += at;  // the quote, or a byte the loop below refuses
  }
#endif
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') {
      const size_t n = static_cast<size_t>(p - begin);
      if (!ascii && !simdjson::validate_utf8(begin, n)) return nullptr;
      *out = std::string_view(begin, n);
      return p + 1;
    }
    if (c == '\\' || c < 0x20) return nullptr;  // an escape or a raw control character
    if (c >= 0x80) ascii = false;
  }
  return nullptr;  // unterminated
}

// RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
const char* ScanFlatNumber(const char* p, const char* end, FlatJsonValue* out) {
  const char* begin = p;
  if (p != end && *p == '-') ++p;
  if (p == end || !IsDigit(*p)) return nullptr;
  if (*p == '0') {
    ++p;
  } else {
    while (p != end && IsDigit(*p)) ++p;
  }
  bool integer = true;
  if (p != end && *p == '.') {
    integer = false;
    ++p;
    if (p == end || !IsDigit(*p)) return nullptr;
    while (p != end && IsDigit(*p)) ++p;
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    integer = false;
    ++p;
    if (p != end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !IsDigit(*p)) return nullptr;
    while (p != end && IsDigit(*p)) ++p;
  }
  out->kind = FlatJsonValue::Kind::kNumber;
  out->text = std::string_view(begin, static_cast<size_t>(p - begin));
  out->integer = integer;
  return p;
}

bool FlatJsonReader::ReadLiteral(std::string_view word, FlatJsonValue::Kind kind,
                                 FlatJsonValue* out) {
  if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
    return Decline();
  }
  p_ += word.size();
  out->kind = kind;
  out->text = word;
  out->integer = false;
  return true;
}

}  // namespace braid
