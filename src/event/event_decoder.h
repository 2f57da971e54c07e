#pragma once
// EventDecoder: a Kafka record's JSON value → a typed event of one stream, or a Reject that
// says precisely why not. The hot path of the pipeline: one call per record.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/short_bytes.h"
#include "event/event_values.h"
#include "event/record_shape.h"
#include "event/rejects.h"
#include "event/stream_spec.h"
#include "event/timestamp_parser.h"

namespace braid {

struct FlatJsonValue;

/// One decoded event. Buffers are reused across Decode calls.
struct DecodedEvent {
  std::string key;     // EventKey encoding of the key fields, in key order
  Timestamp ts;        // the timestamp field
  std::string values;  // EventValues encoding of the stored fields, in slot order
};

/// Decodes the JSON values of one stream. Owns one simdjson On-Demand parser and one padded
/// input buffer, reused for every record. Not thread-safe: use one decoder per thread.
///
/// Rules (DESIGN §1): the value must be one JSON object; unknown fields are ignored (their
/// values are checked for structure only, as On-Demand skips them); declared fields must have
/// their declared type — a double field also takes integers, a key field declared string takes
/// only strings (the number 1 and the string "1" are different keys, so braid does not guess).
/// A field given twice is rejected. Required fields must be present and not null; optional ones
/// decode as NULL when absent or null. A nested field ("user.id") is looked up through its
/// objects: one that is absent or null makes the field absent or null, one that is not an
/// object rejects the record. Booleans take only true/false; an epoch timestamp only an
/// integer within years 0001-9999.
class EventDecoder {
 public:
  /// `stored_fields` names the fields kept in DecodedEvent::values, in slot order; they must
  /// be declared and must not be key fields or the timestamp field. Fails with
  /// InvalidArgument if the spec is invalid or a stored field is not usable.
  ~EventDecoder();

  static Result<std::unique_ptr<EventDecoder>> Create(
      const StreamSpec& spec, const std::vector<std::string>& stored_fields);

  /// Decodes `value` (borrowed) into `*event`. Returns nullopt on success, else the reject
  /// (with the event time when the timestamp could be read). A flat record whose fields all
  /// read as declared is decoded in one pass (FlatJsonReader); any other goes to
  /// DecodeWithParser, which alone decides what is wrong with a record.
  [[nodiscard]] std::optional<Reject> Decode(std::string_view value, DecodedEvent* event);
  /// Decode by simdjson On-Demand alone (`value` is copied into the padded buffer). The same
  /// answer as Decode for every value: tests compare the two.
  [[nodiscard]] std::optional<Reject> DecodeWithParser(std::string_view value,
                                                       DecodedEvent* event);

  const StreamSpec& spec() const { return spec_; }
  /// Types of the stored slots, in slot order.
  const std::vector<FieldType>& stored_types() const { return stored_types_; }

 private:
  struct FieldPlan {
    FieldType type;
    bool required;
    bool is_timestamp;
    TimeFormat time_format;
  };
  // One JSON key looked for: a declared field (`field` >= 0) or an object on the way to nested
  // fields (`field` -1). `parent` is the enclosing object's node, -1 at the top level. A flat
  // stream has exactly one node per field, in field order.
  struct PathNode {
    std::string key;
    int parent;
    int field;
  };
  struct FieldValue {
    enum : uint8_t { kAbsent, kNull, kPresent } state;
    std::string_view s;
    double d;
    int64_t i;
  };

  struct Json;  // the simdjson parser and helpers, kept out of this header

  // The one-pass read of a flat record into scratch_: false if it declines (anything but a
  // flat record whose declared fields are all present as declared, each once).
  bool DecodeFlat(std::string_view value);
  // The read of a record that has shape_ (RecordShape) into scratch_: false on a miss, or
  // where DecodeFlat would decline.
  bool DecodeShaped(std::string_view value);
  // The first required field scratch_ has no value for, or -1.
  int FirstMissingField() const;
  bool ReadFlatValue(const FieldPlan& plan, const FlatJsonValue& v, FieldValue* out);
  // out->s = v.text (ScanFlatString has just stored it: WordCopy).
  static void CopyText(const FlatJsonValue& v, FieldValue* out) { out->s = WordCopy(v.text); }

  explicit EventDecoder(StreamSpec spec);
  int Lookup(int parent, std::string_view key) const { return LookupFrom(parent, key, 0); }
  // Lookup, trying node `from` first and then the ones after it, wrapping around.
  int LookupFrom(int parent, std::string_view key, size_t from) const;
  bool IsUnder(int field, int node) const;
  std::string PathOf(int node) const;  // "user.address", for reasons
  void Build(DecodedEvent* event);

  StreamSpec spec_;
  std::vector<FieldPlan> plans_;        // one per declared field
  std::vector<int> key_fields_;         // declared-field index per key part
  std::vector<int> stored_fields_;      // declared-field index per stored slot
  std::vector<FieldType> stored_types_;
  int timestamp_field_ = -1;
  std::vector<PathNode> nodes_;
  size_t next_node_ = 0;  // the node after the last one a member matched: records of a topic
                          // mostly list their fields in the same order
  std::vector<int> field_nodes_;              // node per declared field
  std::vector<std::string> timestamp_path_;   // the timestamp field's keys, outermost first
  bool nested_ = false;                       // any field below the top level

  std::unique_ptr<Json> json_;
  std::vector<char> buffer_;  // the value plus SIMDJSON_PADDING bytes
  std::vector<FieldValue> scratch_;
  RecordShape shape_;                              // of the last record DecodeFlat read
  std::vector<RecordShape::Member> flat_members_;  // DecodeFlat's members, to learn from
  std::vector<uint8_t> objects_seen_;  // per node: that object key was met in this record
  EventValuesBuilder builder_;
  TimestampParser time_parser_;  // the flat reads' timestamps
};

}  // namespace braid
