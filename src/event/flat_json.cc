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
    : p_(json.data()), end_(json.data() + json.size()) {
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
  switch (*p_) {
    case '"':
      value->kind = FlatJsonValue::Kind::kString;
      value->integer = false;
      return ReadString(&value->text) || Decline();
    case 't': return ReadLiteral("true", FlatJsonValue::Kind::kTrue, value);
    case 'f': return ReadLiteral("false", FlatJsonValue::Kind::kFalse, value);
    case 'n': return ReadLiteral("null", FlatJsonValue::Kind::kNull, value);
    default: return ReadNumber(value);
  }
}

// Outside strings the grammar admits ASCII only, so the text is UTF-8 exactly when every
// string is: a string holding a byte >= 0x80 is checked on its own.
bool FlatJsonReader::ReadString(std::string_view* out) {
  const char* begin = ++p_;  // past the opening quote
  bool ascii = true;
#if defined(__SSE2__)
  // 16 bytes at a time: the first quote, backslash or control character ends the scan.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1F);
  while (end_ - p_ >= 16) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
    const __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, quote), _mm_cmpeq_epi8(c, backslash)),
                     _mm_cmpeq_epi8(_mm_min_epu8(c, control), c));  // c <= 0x1F
    const unsigned stops = static_cast<unsigned>(_mm_movemask_epi8(stop));
    const unsigned high = static_cast<unsigned>(_mm_movemask_epi8(c));
    if (stops != 0) {
      const int at = __builtin_ctz(stops);
      if (high & ((1u << at) - 1)) ascii = false;
      p_ += at;
      break;
    }
    if (high) ascii = false;
    p_ += 16;
  }
#endif
  for (; p_ != end_; ++p_) {
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      const size_t n = static_cast<size_t>(p_ - begin);
      if (!ascii && !simdjson::validate_utf8(begin, n)) return false;
      *out = std::string_view(begin, n);
      ++p_;
      return true;
    }
    if (c == '\\' || c < 0x20) return false;  // an escape or a raw control character
    if (c >= 0x80) ascii = false;
  }
  return false;  // unterminated
}

// RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
bool FlatJsonReader::ReadNumber(FlatJsonValue* out) {
  const char* begin = p_;
  if (*p_ == '-') ++p_;
  if (p_ == end_ || !IsDigit(*p_)) return Decline();
  if (*p_ == '0') {
    ++p_;
  } else {
    while (p_ != end_ && IsDigit(*p_)) ++p_;
  }
  bool integer = true;
  if (p_ != end_ && *p_ == '.') {
    integer = false;
    ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Decline();
    while (p_ != end_ && IsDigit(*p_)) ++p_;
  }
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    integer = false;
    ++p_;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Decline();
    while (p_ != end_ && IsDigit(*p_)) ++p_;
  }
  out->kind = FlatJsonValue::Kind::kNumber;
  out->text = std::string_view(begin, static_cast<size_t>(p_ - begin));
  out->integer = integer;
  return true;
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
