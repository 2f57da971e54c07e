#pragma once
// FlatJsonReader: the members of a JSON object in the shape nearly every event record has —
// one object whose keys hold no escape sequence and whose values are strings without escape
// sequences, numbers, true, false or null — read in one pass over the text, in place.
//
// It reads only that shape, strictly (RFC 8259 grammar, UTF-8 checked): whatever else it
// meets (a nested object or array, an escape, a control character, a grammar error, bytes
// after the object) it declines, and the caller parses the record with a general parser, which
// decides what the record means. So this reader never decides that a record is bad; it only
// makes the common good ones cheap. simdjson On-Demand spends most of its time here on setup
// and iteration that records of a handful of flat members do not need.

#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace braid {

struct FlatJsonValue {
  enum class Kind : uint8_t { kString, kNumber, kTrue, kFalse, kNull };
  Kind kind = Kind::kNull;
  /// A string's contents (between the quotes; no escapes) or a number's token.
  std::string_view text;
  /// Numbers: no fraction and no exponent.
  bool integer = false;
  /// The whole value token in the text (a string with its quotes).
  std::string_view raw;
};

/// The scans the reader is made of, for readers of the same shape (RecordShape):
/// ScanFlatString starts past a string's opening quote and returns the byte after its closing
/// quote, with `*out` its contents; nullptr at an escape, a control character, invalid UTF-8 or
/// the end of the text. ScanFlatNumber starts at a number (RFC 8259 grammar) and returns the
/// byte after it, with `*out` set; nullptr if no number starts there. `text` is where the text
/// starts (at or before p): the string's last bytes are read in one load that may begin there.
inline const char* ScanFlatString(const char* p, const char* end, std::string_view* out,
                                  const char* text);
// ScanFlatString's every case; ScanFlatString itself reads an ASCII string of up to 31 bytes
// inline (nearly every string of an event record) and calls this for the rest.
const char* ScanFlatStringAnyLength(const char* p, const char* end, std::string_view* out,
                                    const char* text);
const char* ScanFlatNumber(const char* p, const char* end, FlatJsonValue* out);

class FlatJsonReader {
 public:
  /// Starts reading `json` (borrowed: it must outlive the reader and the views it gives).
  explicit FlatJsonReader(std::string_view json);

  /// The next member, in text order. False once the object has ended, or when the text is not
  /// of the shape read here; done() tells the two apart.
  bool Next(std::string_view* key, FlatJsonValue* value);
  /// The whole text was one flat object, read to its end (whitespace after it allowed).
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State : uint8_t { kFirst, kMembers, kDone, kDeclined };
  bool Decline() {
    state_ = State::kDeclined;
    return false;
  }
  bool Close();  // at '}': checks that only whitespace follows
  void SkipSpace();
  bool ReadString(std::string_view* out);  // at '"'
  bool ReadNumber(FlatJsonValue* out);
  bool ReadLiteral(std::string_view word, FlatJsonValue::Kind kind, FlatJsonValue* out);

  const char* begin_;
  const char* p_;
  const char* end_;
  State state_ = State::kFirst;
};

// -- inline ---------------------------------------------------------------------------------

#if defined(__SSE2__)
namespace flat_json_detail {
// Bit i of `*stops`: byte i of the 16 at `at` is a quote, a backslash or a control character;
// of the result: it is >= 0x80.
inline unsigned Classify(const char* at, unsigned* stops) {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  const __m128i stop = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('"')), _mm_cmpeq_epi8(c, _mm_set1_epi8('\\'))),
      _mm_cmpeq_epi8(_mm_min_epu8(c, _mm_set1_epi8(0x1F)), c));  // c <= 0x1F
  *stops = static_cast<unsigned>(_mm_movemask_epi8(stop));
  return static_cast<unsigned>(_mm_movemask_epi8(c));
}
}  // namespace flat_json_detail
#endif

// Inline: called per string of every record (a call and its frame were a fifth of its cost).
// The first 32 bytes from p (the 16 that end the text for the second 16, where fewer are left)
// are classified at once; a string that ends there, ASCII and free of escapes and control
// characters, is read here.
inline const char* ScanFlatString(const char* p, const char* end, std::string_view* out,
                                  const char* text) {
#if defined(__SSE2__)
  if (end - p >= 16) {
    unsigned stops, stops2 = 0;
    unsigned high = flat_json_detail::Classify(p, &stops);
    if (stops == 0 && end - p > 16) {
      // Bytes p+16 on: at p+16, or in the 16 that end the text with those before p+16 shifted out.
      const char* second = end - p >= 32 ? p + 16 : end - 16;
      const int skip = static_cast<int>(p + 16 - second);
      const unsigned high2 = flat_json_detail::Classify(second, &stops2) >> skip;
      stops = (stops2 >> skip) << 16;
      high |= high2 << 16;
    }
    if (stops != 0) {
      const int at = __builtin_ctz(stops);
      if (p[at] == '"' && (high & ((1u << at) - 1)) == 0) {
        *out = std::string_view(p, static_cast<size_t>(at));
        return p + at + 1;
      }
    }
  }
#endif
  return ScanFlatStringAnyLength(p, end, out, text);
}

}  // namespace braid
