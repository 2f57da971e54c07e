// Fuzz target: a Kafka record's JSON value (EventDecoder::Decode), through a stream with every
// field type and a string+long key, one with nested paths, booleans and epoch times, and
// through the seed pipeline's three streams.
// Properties of an accepted event: the key holds exactly one well-formed part per key field
// (8 bytes for a long), the stored values are well-formed for the stored types (what a
// checkpoint load checks), the event time is in the range checkpoints accept, and decoding the
// same bytes again (with the reused buffers) gives the same event. For every input, the
// one-pass read of flat records and simdjson's give the same answer (DecodeWithParser).

#include <memory>
#include <vector>

#include "event/event_decoder.h"
#include "event/event_key.h"
#include "event/timestamp_parser.h"
#include "fuzz_check.h"
#include "join/join_spec.h"

namespace braid {
namespace {

struct Target {
  std::unique_ptr<EventDecoder> decoder;
  std::vector<bool> key_is_long;
};

Target Make(const StreamSpec& spec) {
  std::vector<std::string> stored;
  for (const FieldSpec& f : spec.fields) {
    bool is_key = false;
    for (const std::string& k : spec.key_fields) is_key |= k == f.name;
    if (!is_key && f.name != spec.timestamp_field) stored.push_back(f.name);
  }
  Target t;
  t.decoder = EventDecoder::Create(spec, stored).value();
  for (const std::string& k : spec.key_fields) {
    t.key_is_long.push_back(spec.fields[spec.FieldIndex(k)].type == FieldType::kLong);
  }
  return t;
}

std::vector<Target> MakeAll() {
  std::vector<Target> all;
  all.push_back(Make(StreamSpec{"every_type",
                                "t",
                                {{"user", FieldType::kString},
                                 {"n", FieldType::kLong},
                                 {"s", FieldType::kString, /*required=*/false},
                                 {"d", FieldType::kDouble},
                                 {"l", FieldType::kLong, /*required=*/false},
                                 {"when", FieldType::kTimestamp, /*required=*/false},
                                 {"ts", FieldType::kTimestamp}},
                                {"user", "n"},
                                "ts"}));
  // Nested paths (sharing an object), booleans and epoch times in every unit.
  all.push_back(Make(StreamSpec{"nested",
                                "n",
                                {{"order.id", FieldType::kString},
                                 {"customer.id", FieldType::kLong},
                                 {"customer.vip", FieldType::kBoolean, /*required=*/false},
                                 {"a.b.c", FieldType::kDouble, /*required=*/false},
                                 {"flag", FieldType::kBoolean},
                                 {"due", FieldType::kTimestamp, false, TimeFormat::kEpochSeconds},
                                 {"seen", FieldType::kTimestamp, false, TimeFormat::kEpochMicros},
                                 {"meta.at", FieldType::kTimestamp, true, TimeFormat::kEpochMillis}},
                                {"order.id", "customer.id"},
                                "meta.at"}));
  const JoinSpec seed = SeedPipeline();
  all.push_back(Make(seed.driving));
  for (const EnrichSpec& e : seed.enriching) all.push_back(Make(e.stream));
  return all;
}

void Check(Target& t, std::string_view input) {
  DecodedEvent event;
  const std::optional<Reject> reject = t.decoder->Decode(input, &event);
  DecodedEvent parsed;
  const std::optional<Reject> parser_reject = t.decoder->DecodeWithParser(input, &parsed);
  BRAID_FUZZ_CHECK(reject.has_value() == parser_reject.has_value());
  if (reject) {
    BRAID_FUZZ_CHECK(reject->kind == parser_reject->kind && reject->reason == parser_reject->reason &&
                     reject->event_time == parser_reject->event_time);
  } else {
    BRAID_FUZZ_CHECK(parsed.key == event.key && parsed.ts == event.ts &&
                     parsed.values == event.values);
  }
  if (reject) {
    BRAID_FUZZ_CHECK(!reject->reason.empty());
    BRAID_FUZZ_CHECK(!reject->event_time ||
                     (*reject->event_time >= kMinEventTime && *reject->event_time <= kMaxEventTime));
    return;
  }
  EventKey key(event.key);
  for (bool is_long : t.key_is_long) {
    std::string_view part;
    BRAID_FUZZ_CHECK(key.Next(&part));
    BRAID_FUZZ_CHECK(!is_long || part.size() == 8);
  }
  BRAID_FUZZ_CHECK(key.AtEnd());
  BRAID_FUZZ_CHECK(EventValues::IsValid(event.values, t.decoder->stored_types()));
  BRAID_FUZZ_CHECK(event.ts >= kMinEventTime && event.ts <= kMaxEventTime);
  DecodedEvent again;
  BRAID_FUZZ_CHECK(!t.decoder->Decode(input, &again));
  BRAID_FUZZ_CHECK(again.key == event.key && again.ts == event.ts && again.values == event.values);
}

}  // namespace
}  // namespace braid

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::vector<braid::Target> targets = braid::MakeAll();
  for (braid::Target& t : targets) braid::Check(t, braid::fuzz::AsView(data, size));
  return 0;
}
