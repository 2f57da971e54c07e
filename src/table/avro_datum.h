#pragma once
// AvroDatum: one Avro value, decoded from a file or built to be encoded, interpreted through
// the schema it belongs to (a record's fields come in schema order).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace braid {

struct AvroDatum {
  enum class Kind : uint8_t { kNull, kBool, kLong, kDouble, kBytes, kRecord, kArray, kMap };

  Kind kind = Kind::kNull;
  int64_t long_value = 0;      // kBool (0 or 1), kLong (int, long; enum: the symbol index)
  double double_value = 0;     // kDouble (float, double)
  std::string bytes;           // kBytes (bytes, string, fixed; enum: the symbol)
  std::vector<AvroDatum> items;  // kRecord: fields in schema order; kArray: items; kMap: values
  std::vector<std::string> keys;  // kMap: keys, parallel to items

  static AvroDatum Null() { return AvroDatum(); }
  static AvroDatum Bool(bool v) { return Scalar(Kind::kBool, v ? 1 : 0); }
  static AvroDatum Long(int64_t v) { return Scalar(Kind::kLong, v); }
  static AvroDatum Double(double v) {
    AvroDatum d;
    d.kind = Kind::kDouble;
    d.double_value = v;
    return d;
  }
  static AvroDatum Bytes(std::string v) {
    AvroDatum d;
    d.kind = Kind::kBytes;
    d.bytes = std::move(v);
    return d;
  }
  static AvroDatum Record(std::vector<AvroDatum> fields) { return Nested(Kind::kRecord, std::move(fields)); }
  static AvroDatum Array(std::vector<AvroDatum> items) { return Nested(Kind::kArray, std::move(items)); }

  bool is_null() const { return kind == Kind::kNull; }

 private:
  static AvroDatum Scalar(Kind k, int64_t v) {
    AvroDatum d;
    d.kind = k;
    d.long_value = v;
    return d;
  }
  static AvroDatum Nested(Kind k, std::vector<AvroDatum> items) {
    AvroDatum d;
    d.kind = k;
    d.items = std::move(items);
    return d;
  }
};

}  // namespace braid
