#include "event/event_decoder.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/short_bytes.h"
#include "event/event_key.h"
#include "event/flat_json.h"
#include "event/timestamp_parser.h"

namespace braid {
namespace {

namespace od = simdjson::ondemand;

const char* JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "array";
    case od::json_type::object: return "object";
    case od::json_type::number: return "number";
    case od::json_type::string: return "string";
    case od::json_type::boolean: return "boolean";
    case od::json_type::null: return "null";
  }
  return "unknown";
}

std::string ExpectedName(FieldType t, TimeFormat f) {
  switch (t) {
    case FieldType::kString: return "string";
    case FieldType::kDouble: return "number";
    case FieldType::kLong: return "integer";
    case FieldType::kTimestamp:
      if (f == TimeFormat::kIso8601) return "timestamp string";
      return fmt::format("integer {}", TimeFormatName(f));
    case FieldType::kBoolean: return "boolean";
  }
  return "unknown";
}

// The JSON type a field of this type and format is written as.
od::json_type WantedJsonType(FieldType t, TimeFormat f) {
  switch (t) {
    case FieldType::kString: return od::json_type::string;
    case FieldType::kTimestamp:
      return f == TimeFormat::kIso8601 ? od::json_type::string : od::json_type::number;
    case FieldType::kBoolean: return od::json_type::boolean;
    case FieldType::kDouble:
    case FieldType::kLong: break;
  }
  return od::json_type::number;
}

// The keys of a field's path, outermost first ("user.id" -> user, id).
std::vector<std::string> PathKeys(std::string_view name) {
  std::vector<std::string> keys;
  for (size_t begin = 0;;) {
    const size_t dot = name.find('.', begin);
    keys.emplace_back(name.substr(begin, dot == std::string_view::npos ? dot : dot - begin));
    if (dot == std::string_view::npos) return keys;
    begin = dot + 1;
  }
}

// A key's text between its quotes, read in place; a null view if it holds an escape sequence.
// The structural pass has found the closing quote, and the buffer is padded past it.
std::string_view RawKey(od::raw_json_string key) {
  const char* p = key.raw();
  size_t n = 0;
  for (; p[n] != '"'; ++n) {
    if (p[n] == '\\') return {};
  }
  return {p, n};
}

Reject InvalidJson() { return {RejectKind::kInvalidJson, "invalid json", std::nullopt}; }

// Quotes a bad value for a reason text, cut short so that one huge field cannot bloat the
// rejects table's reason column (the payload column has it whole).
std::string Quote(std::string_view v) {
  constexpr size_t kMax = 64;
  if (v.size() <= kMax) return fmt::format("\"{}\"", v);
  return fmt::format("\"{}\"...", v.substr(0, kMax));
}

}  // namespace

struct EventDecoder::Json {
  explicit Json(EventDecoder* d) : decoder(*d) {}
  std::optional<Reject> DecodeObject(od::document& doc);
  std::optional<Reject> DecodeMembers(od::object object, int parent, uint64_t& seen);
  std::optional<Reject> DecodeNested(int node, od::value value, uint64_t& seen);
  std::optional<Reject> DecodeField(size_t index, od::value value);
  std::optional<Reject> DecodeEpoch(const FieldPlan& plan, const std::string& name,
                                    od::value& value, int64_t* micros);
  std::optional<Timestamp> FindTimestamp(od::document& doc);

  EventDecoder& decoder;
  od::parser parser;
};

EventDecoder::EventDecoder(StreamSpec spec)
    : spec_(std::move(spec)), json_(std::make_unique<Json>(this)) {}

EventDecoder::~EventDecoder() = default;

Result<std::unique_ptr<EventDecoder>> EventDecoder::Create(
    const StreamSpec& spec, const std::vector<std::string>& stored_fields) {
  BRAID_RETURN_IF_ERROR(spec.Validate());
  std::unique_ptr<EventDecoder> d(new EventDecoder(spec));
  d->timestamp_field_ = spec.FieldIndex(spec.timestamp_field);
  for (const FieldSpec& f : spec.fields) {
    d->plans_.push_back({f.type, f.required, false, f.time_format});
    // One node per key on the field's path; objects shared by several fields once (Validate
    // has made sure no field is also an object).
    std::vector<std::string> keys = PathKeys(f.name);
    int parent = -1;
    for (size_t k = 0; k + 1 < keys.size(); ++k) {
      int node = d->Lookup(parent, keys[k]);
      if (node < 0) {
        node = static_cast<int>(d->nodes_.size());
        d->nodes_.push_back({keys[k], parent, -1});
        d->nested_ = true;
      }
      parent = node;
    }
    d->field_nodes_.push_back(static_cast<int>(d->nodes_.size()));
    d->nodes_.push_back({keys.back(), parent, static_cast<int>(d->plans_.size() - 1)});
  }
  d->timestamp_path_ = PathKeys(spec.timestamp_field);
  d->plans_[d->timestamp_field_].required = true;
  d->plans_[d->timestamp_field_].is_timestamp = true;
  for (const std::string& k : spec.key_fields) {
    int idx = spec.FieldIndex(k);
    d->key_fields_.push_back(idx);
    d->plans_[idx].required = true;
  }
  for (const std::string& name : stored_fields) {
    int idx = spec.FieldIndex(name);
    if (idx < 0) {
      return Status::InvalidArgument(
          fmt::format("stream \"{}\" has no field \"{}\"", spec.name, name));
    }
    const bool is_key =
        std::find(d->key_fields_.begin(), d->key_fields_.end(), idx) != d->key_fields_.end();
    if (idx == d->timestamp_field_ || is_key) {
      return Status::InvalidArgument(fmt::format(
          "stream \"{}\": field \"{}\" is a key or the timestamp and is not stored as a value",
          spec.name, name));
    }
    d->stored_fields_.push_back(idx);
    d->stored_types_.push_back(spec.fields[idx].type);
  }
  d->scratch_.resize(spec.fields.size());
  d->objects_seen_.resize(d->nodes_.size());
  return d;
}

namespace {

// A JSON number (ScanFlatNumber's grammar) of at most 15 digits and no exponent, such as
// "122.47", read exactly: its digits as an integer (below 2^53, so exact as a double) divided by
// a power of ten (at most 10^15, exact too), and IEEE division rounds the quotient correctly,
// as std::from_chars does (Clinger's fast path). False for anything else, which from_chars reads.
bool ShortDecimal(std::string_view text, double* out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  uint64_t digits = 0;
  int count = 0, fraction = -1;  // fraction: digits after the point, -1 before one is met
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && fraction < 0) {
      fraction = 0;
      continue;
    }
    if (c < '0' || c > '9' || ++count > 15) return false;  // an exponent, or too many digits
    digits = digits * 10 + static_cast<uint64_t>(c - '0');
    if (fraction >= 0) ++fraction;
  }
  if (count == 0) return false;
  const double v = static_cast<double>(digits) / kPow10[fraction < 0 ? 0 : fraction];
  *out = negative ? -v : v;
  return true;
}

}  // namespace

int EventDecoder::LookupFrom(int parent, std::string_view key, size_t from) const {
  const size_t n = nodes_.size();
  for (size_t k = 0, i = from < n ? from : 0; k < n; ++k, i = i + 1 == n ? 0 : i + 1) {
    if (nodes_[i].parent == parent && SameView(nodes_[i].key, key)) return static_cast<int>(i);
  }
  return -1;
}

bool EventDecoder::IsUnder(int field, int node) const {
  for (int n = nodes_[field_nodes_[field]].parent; n >= 0; n = nodes_[n].parent) {
    if (n == node) return true;
  }
  return false;
}

std::optional<Reject> EventDecoder::Decode(std::string_view value, DecodedEvent* event) {
  if (!nested_) {
    bool read = shape_.learnt() && DecodeShaped(value);
    if (!read && DecodeFlat(value)) {
      read = true;
      // The next records of the topic most likely look like this one.
      if (!flat_members_.empty()) shape_.Learn(value, flat_members_);
    }
    if (read) {
      Build(event);
      return std::nullopt;
    }
  }
  return DecodeWithParser(value, event);
}

std::optional<Reject> EventDecoder::DecodeWithParser(std::string_view value,
                                                     DecodedEvent* event) {
  if (value.empty()) return Reject{RejectKind::kInvalidJson, "empty value", std::nullopt};
  // librdkafka's buffers carry no padding, and simdjson reads up to SIMDJSON_PADDING bytes
  // past the end: copy into our own padded buffer.
  if (buffer_.size() < value.size() + simdjson::SIMDJSON_PADDING) {
    buffer_.resize(value.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(buffer_.data(), value.data(), value.size());
  std::memset(buffer_.data() + value.size(), 0, simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (json_->parser.iterate(buffer_.data(), value.size(), buffer_.size()).get(doc)) {
    return InvalidJson();
  }
  for (FieldValue& v : scratch_) v.state = FieldValue::kAbsent;
  if (nested_) std::fill(objects_seen_.begin(), objects_seen_.end(), uint8_t{0});
  if (std::optional<Reject> reject = json_->DecodeObject(doc)) {
    if (reject->kind != RejectKind::kInvalidJson && reject->kind != RejectKind::kNotObject &&
        !reject->event_time) {
      reject->event_time = json_->FindTimestamp(doc);
    }
    return reject;
  }
  Build(event);
  return std::nullopt;
}

std::optional<Reject> EventDecoder::Json::DecodeObject(od::document& doc) {
  const EventDecoder& d = decoder;
  od::json_type root;
  if (doc.type().get(root)) return InvalidJson();
  if (root != od::json_type::object) {
    // Only a well-formed value that is not an object is "not a JSON object"; the type is
    // guessed from the first byte, so read the value to tell "nope" (invalid) from "null".
    bool ok = false;
    switch (root) {
      case od::json_type::array: {
        od::array array;
        ok = !doc.get_array().get(array) && !array.count_elements().error();
        break;
      }
      case od::json_type::number: ok = !doc.get_number().error(); break;
      case od::json_type::string: ok = !doc.get_string().error(); break;
      case od::json_type::boolean: ok = !doc.get_bool().error(); break;
      case od::json_type::null: {
        bool is_null = false;
        ok = !doc.is_null().get(is_null) && is_null;
        break;
      }
      case od::json_type::object: break;
    }
    if (!ok) return InvalidJson();
    return Reject{RejectKind::kNotObject, "not a JSON object", std::nullopt};
  }
  od::object object;
  if (doc.get_object().get(object)) return InvalidJson();
  uint64_t seen = 0;
  if (std::optional<Reject> r = DecodeMembers(object, -1, seen)) return r;
  // Anything after the object (a second value, garbage) makes the record invalid JSON;
  // simdjson 3.0 reports "at the end" as OUT_OF_BOUNDS here.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return InvalidJson();
  if (const int missing = d.FirstMissingField(); missing >= 0) {
    return Reject{RejectKind::kMissingField, "missing " + d.spec_.fields[missing].name,
                  std::nullopt};
  }
  return std::nullopt;
}

// The members of one object: the top level (`parent` -1) or an object on a nested path.
std::optional<Reject> EventDecoder::Json::DecodeMembers(od::object object, int parent,
                                                        uint64_t& seen) {
  EventDecoder& d = decoder;
  for (auto field_result : object) {
    od::field field;
    if (std::move(field_result).get(field)) return InvalidJson();
    std::string_view name = RawKey(field.key());
    // A key with an escape sequence is unescaped (simdjson copies it out); the others, nearly
    // all, are read where they are.
    if (name.data() == nullptr && field.unescaped_key().get(name)) return InvalidJson();
    const int node = d.LookupFrom(parent, name, d.next_node_);
    if (node < 0) continue;  // unknown field: On-Demand skips its value
    d.next_node_ = static_cast<size_t>(node) + 1;
    const int idx = d.nodes_[node].field;
    if (idx < 0) {
      if (d.objects_seen_[node]) {
        return Reject{RejectKind::kDuplicateField, "duplicate field " + d.PathOf(node),
                      std::nullopt};
      }
      d.objects_seen_[node] = 1;
      if (std::optional<Reject> r = DecodeNested(node, field.value(), seen)) return r;
      continue;
    }
    if (seen & (uint64_t{1} << idx)) {
      return Reject{RejectKind::kDuplicateField,
                    fmt::format("duplicate field {}", d.spec_.fields[idx].name), std::nullopt};
    }
    seen |= uint64_t{1} << idx;
    if (std::optional<Reject> r = DecodeField(static_cast<size_t>(idx), field.value())) return r;
  }
  return std::nullopt;
}

// The value of an object on a nested path: its members, or null for every field below it.
std::optional<Reject> EventDecoder::Json::DecodeNested(int node, od::value value,
                                                       uint64_t& seen) {
  EventDecoder& d = decoder;
  od::json_type type;
  if (value.type().get(type)) return InvalidJson();
  if (type == od::json_type::object) {
    od::object object;
    if (value.get_object().get(object)) return InvalidJson();
    return DecodeMembers(object, node, seen);
  }
  if (type == od::json_type::null) {
    bool is_null = false;
    if (value.is_null().get(is_null) || !is_null) return InvalidJson();
    for (size_t i = 0; i < d.plans_.size(); ++i) {
      if (!d.IsUnder(static_cast<int>(i), node)) continue;
      if (d.plans_[i].required) {
        return Reject{RejectKind::kNullField, "null " + d.spec_.fields[i].name, std::nullopt};
      }
      d.scratch_[i].state = FieldValue::kNull;
    }
    return std::nullopt;
  }
  return Reject{RejectKind::kWrongType,
                fmt::format("wrong type for {}: expected object, got {}", d.PathOf(node),
                            JsonTypeName(type)),
                std::nullopt};
}

std::string EventDecoder::PathOf(int node) const {
  std::string path = nodes_[node].key;
  for (int n = nodes_[node].parent; n >= 0; n = nodes_[n].parent) path = nodes_[n].key + "." + path;
  return path;
}

std::optional<Reject> EventDecoder::Json::DecodeField(size_t index, od::value value) {
  const FieldPlan& plan = decoder.plans_[index];
  const std::string& name = decoder.spec_.fields[index].name;
  FieldValue& out = decoder.scratch_[index];
  od::json_type type;
  if (value.type().get(type)) return InvalidJson();
  if (type == od::json_type::null) {
    // A null literal is only recognised once read in full ("nul" is not null).
    bool is_null = false;
    if (value.is_null().get(is_null) || !is_null) return InvalidJson();
    if (plan.required) return Reject{RejectKind::kNullField, "null " + name, std::nullopt};
    out.state = FieldValue::kNull;
    return std::nullopt;
  }
  const od::json_type want = WantedJsonType(plan.type, plan.time_format);
  if (type != want) {
    return Reject{RejectKind::kWrongType,
                  fmt::format("wrong type for {}: expected {}, got {}", name,
                              ExpectedName(plan.type, plan.time_format), JsonTypeName(type)),
                  std::nullopt};
  }
  switch (plan.type) {
    case FieldType::kString:
      if (value.get_string().get(out.s)) return InvalidJson();
      break;
    case FieldType::kBoolean: {
      bool b = false;
      if (value.get_bool().get(b)) return InvalidJson();
      out.i = b ? 1 : 0;
      break;
    }
    case FieldType::kTimestamp: {
      if (plan.time_format != TimeFormat::kIso8601) {
        std::optional<Reject> r = DecodeEpoch(plan, name, value, &out.i);
        if (r) return r;
        break;
      }
      std::string_view text;
      if (value.get_string().get(text)) return InvalidJson();
      std::optional<Timestamp> ts = ParseEventTimestamp(text);
      if (!ts) {
        std::string reason = plan.is_timestamp
                                 ? fmt::format("bad timestamp {}", Quote(text))
                                 : fmt::format("bad timestamp for {}: {}", name, Quote(text));
        return Reject{RejectKind::kBadTimestamp, std::move(reason), std::nullopt};
      }
      out.i = ts->micros();
      break;
    }
    case FieldType::kDouble: {
      simdjson::error_code e = value.get_double().get(out.d);
      if (e == simdjson::NUMBER_OUT_OF_RANGE) {
        return Reject{RejectKind::kOutOfRange, name + " out of range", std::nullopt};
      }
      if (e) return InvalidJson();
      break;
    }
    case FieldType::kLong: {
      od::number_type nt;
      if (value.get_number_type().get(nt)) return InvalidJson();
      if (nt == od::number_type::floating_point_number) {
        return Reject{RejectKind::kWrongType,
                      fmt::format("wrong type for {}: expected integer, got fractional number",
                                  name),
                      std::nullopt};
      }
      simdjson::error_code e = value.get_int64().get(out.i);
      if (e == simdjson::NUMBER_OUT_OF_RANGE || e == simdjson::INCORRECT_TYPE) {
        return Reject{RejectKind::kOutOfRange, name + " out of range", std::nullopt};
      }
      if (e) return InvalidJson();
      break;
    }
  }
  out.state = FieldValue::kPresent;
  return std::nullopt;
}

// An epoch timestamp: an integer count of the plan's unit, within years 0001-9999.
std::optional<Reject> EventDecoder::Json::DecodeEpoch(const FieldPlan& plan,
                                                      const std::string& name, od::value& value,
                                                      int64_t* micros) {
  const char* unit = TimeFormatName(plan.time_format);
  od::number_type nt;
  if (value.get_number_type().get(nt)) return InvalidJson();
  if (nt == od::number_type::floating_point_number) {
    return Reject{RejectKind::kWrongType,
                  fmt::format("wrong type for {}: expected integer {}, got fractional number",
                              name, unit),
                  std::nullopt};
  }
  int64_t count = 0;
  simdjson::error_code e = value.get_int64().get(count);
  if (e && e != simdjson::NUMBER_OUT_OF_RANGE && e != simdjson::INCORRECT_TYPE) {
    return InvalidJson();
  }
  std::optional<Timestamp> ts = e ? std::nullopt : EpochTimestamp(count, plan.time_format);
  if (!ts) {
    std::string_view raw = value.raw_json_token();
    raw = raw.substr(0, raw.find_last_not_of(" \t\r\n") + 1);
    std::string reason =
        plan.is_timestamp
            ? fmt::format("bad timestamp {} {}: out of range", Quote(raw), unit)
            : fmt::format("bad timestamp for {}: {} {}: out of range", name, Quote(raw), unit);
    return Reject{RejectKind::kBadTimestamp, std::move(reason), std::nullopt};
  }
  *micros = ts->micros();
  return std::nullopt;
}

bool EventDecoder::DecodeFlat(std::string_view value) {
  for (FieldValue& v : scratch_) v.state = FieldValue::kAbsent;
  flat_members_.clear();
  FlatJsonReader reader(value);
  std::string_view key;
  FlatJsonValue v;
  uint64_t seen = 0;
  while (reader.Next(&key, &v)) {
    const int node = LookupFrom(-1, key, next_node_);
    if (node < 0) {  // an unknown field
      flat_members_.push_back({v.raw, -1});
      continue;
    }
    next_node_ = static_cast<size_t>(node) + 1;
    const int idx = nodes_[node].field;  // a flat stream's nodes are all fields
    if (seen & (uint64_t{1} << idx)) return false;
    seen |= uint64_t{1} << idx;
    if (!ReadFlatValue(plans_[idx], v, &scratch_[idx])) return false;
    flat_members_.push_back({v.raw, idx});
  }
  return reader.done() && FirstMissingField() < 0;
}

bool EventDecoder::DecodeShaped(std::string_view value) {
  for (FieldValue& v : scratch_) v.state = FieldValue::kAbsent;
  const bool read = shape_.Read(value, [this](int field, const FlatJsonValue& v) {
    if (field < 0) return true;
    // A string for a string field, the common member, without ReadFlatValue's switch: an
    // indirect jump per member, which the members' alternating types kept mispredicted.
    if (plans_[field].type == FieldType::kString && v.kind == FlatJsonValue::Kind::kString) {
      CopyText(v, &scratch_[field]);
      scratch_[field].state = FieldValue::kPresent;
      return true;
    }
    return ReadFlatValue(plans_[field], v, &scratch_[field]);
  });
  // No field is missing: the shape was learnt from a record DecodeFlat read whole (every
  // required field there, each once), a match has the same members, and ReadFlatValue refuses
  // a null for a required field. Not checked again per record.
  assert(!read || FirstMissingField() < 0);
  return read;
}

int EventDecoder::FirstMissingField() const {
  for (size_t i = 0; i < plans_.size(); ++i) {
    if (plans_[i].required && scratch_[i].state == FieldValue::kAbsent) return static_cast<int>(i);
  }
  return -1;
}

// One flat member's value as its field's plan reads it; false where DecodeField would reject
// it, or might read it otherwise.
bool EventDecoder::ReadFlatValue(const FieldPlan& plan, const FlatJsonValue& v, FieldValue* out) {
  using Kind = FlatJsonValue::Kind;
  if (v.kind == Kind::kNull) {
    if (plan.required) return false;
    out->state = FieldValue::kNull;
    return true;
  }
  auto integer = [&v](int64_t* i) {
    if (v.kind != Kind::kNumber || !v.integer) return false;
    const char* end = v.text.data() + v.text.size();
    auto [ptr, ec] = std::from_chars(v.text.data(), end, *i);
    return ec == std::errc() && ptr == end;
  };
  switch (plan.type) {
    case FieldType::kString:
      if (v.kind != Kind::kString) return false;
      CopyText(v, out);
      break;
    case FieldType::kBoolean:
      if (v.kind != Kind::kTrue && v.kind != Kind::kFalse) return false;
      out->i = v.kind == Kind::kTrue ? 1 : 0;
      break;
    case FieldType::kTimestamp: {
      std::optional<Timestamp> ts;
      if (plan.time_format == TimeFormat::kIso8601) {
        if (v.kind != Kind::kString) return false;
        ts = time_parser_.Parse(v.text);
      } else {
        int64_t count = 0;
        if (!integer(&count)) return false;
        ts = EpochTimestamp(count, plan.time_format);
      }
      if (!ts) return false;
      out->i = ts->micros();
      break;
    }
    case FieldType::kDouble: {
      // Both parsers round correctly; a long mantissa is left to simdjson all the same.
      if (v.kind != Kind::kNumber || v.text.size() > 24) return false;
      if (ShortDecimal(v.text, &out->d)) break;
      const char* end = v.text.data() + v.text.size();
      auto [ptr, ec] = std::from_chars(v.text.data(), end, out->d);
      if (ec != std::errc() || ptr != end) return false;
      break;
    }
    case FieldType::kLong:
      if (!integer(&out->i)) return false;
      break;
  }
  out->state = FieldValue::kPresent;
  return true;
}

std::optional<Timestamp> EventDecoder::Json::FindTimestamp(od::document& doc) {
  const FieldValue& v = decoder.scratch_[decoder.timestamp_field_];
  if (v.state == FieldValue::kPresent) return Timestamp(v.i);
  // The record failed before its timestamp was read; look it up for the rejects row.
  doc.rewind();
  const std::vector<std::string>& path = decoder.timestamp_path_;
  simdjson::simdjson_result<od::value> found = doc.find_field_unordered(path[0]);
  for (size_t i = 1; i < path.size(); ++i) found = found.find_field_unordered(path[i]);
  const TimeFormat format = decoder.plans_[decoder.timestamp_field_].time_format;
  if (format != TimeFormat::kIso8601) {
    int64_t count = 0;
    if (found.get_int64().get(count)) return std::nullopt;
    return EpochTimestamp(count, format);
  }
  std::string_view text;
  if (found.get_string().get(text)) return std::nullopt;
  return ParseEventTimestamp(text);
}

// Sizes first, then each string is resized once and written in place: appending part by part
// spent more on the strings' bookkeeping than on the bytes.
void EventDecoder::Build(DecodedEvent* event) {
  auto is_long = [this](int idx) { return plans_[idx].type == FieldType::kLong; };
  size_t key_bytes = 0;
  for (int idx : key_fields_) {
    key_bytes += EventKey::PartBytes(is_long(idx) ? EventKey::kLongBytes : scratch_[idx].s.size());
  }
  event->key.resize(key_bytes);
  char* k = event->key.data();
  for (int idx : key_fields_) {
    const FieldValue& v = scratch_[idx];
    k = is_long(idx) ? EventKey::WriteLong(v.i, k) : EventKey::WriteString(v.s, k);
  }
  event->ts = Timestamp(scratch_[timestamp_field_].i);
  size_t payload = 0;
  for (int idx : stored_fields_) {
    const FieldValue& v = scratch_[idx];
    payload += EventValuesBuilder::SlotBytes(
        v.state != FieldValue::kPresent               ? 0
        : plans_[idx].type == FieldType::kString ? v.s.size()
                                                      : EventValuesBuilder::kFixedBytes);
  }
  builder_.Start(&event->values, stored_fields_.size(), payload);
  for (int idx : stored_fields_) {
    const FieldValue& v = scratch_[idx];
    if (v.state != FieldValue::kPresent) {
      builder_.AddNull();
      continue;
    }
    switch (plans_[idx].type) {
      case FieldType::kString: builder_.AddString(v.s); break;
      case FieldType::kDouble: builder_.AddDouble(v.d); break;
      case FieldType::kLong:
      case FieldType::kTimestamp:
      case FieldType::kBoolean: builder_.AddInt(v.i); break;
    }
  }
  builder_.Finish();
}

}  // namespace braid
