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
const char* ScanFlatString(const char* p, const char* end, std::string_view* out,
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

}  // namespace braid
