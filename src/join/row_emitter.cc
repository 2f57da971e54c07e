#include "join/row_emitter.h"

#include <array>
#include <cassert>

#include "event/event_key.h"
#include "event/event_values.h"

namespace braid {

void RowEmitter::Emit(std::string_view key, std::span<const StoredEvent* const> events,
                      RowBatch* out) const {
  assert(events.size() == plan_.num_streams() && events[0] != nullptr);
  std::array<std::string_view, 16> parts;  // JoinPlan allows at most 16 key fields
  EventKey reader(key);
  for (size_t i = 0; i < plan_.key_types().size(); ++i) {
    [[maybe_unused]] bool ok = reader.Next(&parts[i]);
    assert(ok && "keys are validated when decoded or loaded");
  }
  for (const ColumnSource& src : plan_.sources()) {
    const StoredEvent* e = events[src.stream];
    if (e == nullptr) {
      out->AppendNull();
      continue;
    }
    switch (src.kind) {
      case ColumnSource::kKeyPart:
        if (src.type == FieldType::kLong) {
          out->AppendInt(EventKey::LongFromPart(parts[src.index]));
        } else {
          out->AppendString(parts[src.index]);
        }
        break;
      case ColumnSource::kTimestamp:
        out->AppendTimestamp(e->ts);
        break;
      case ColumnSource::kValue: {
        const EventValues values(e->values, plan_.stream(src.stream).stored_types.size());
        if (values.IsNull(src.index)) {
          out->AppendNull();
          break;
        }
        switch (src.type) {
          case FieldType::kString: out->AppendString(values.GetString(src.index)); break;
          case FieldType::kDouble: out->AppendDouble(values.GetDouble(src.index)); break;
          case FieldType::kLong:
          case FieldType::kTimestamp:
          case FieldType::kBoolean: out->AppendInt(values.GetInt(src.index)); break;
        }
        break;
      }
    }
  }
  out->AppendNull();  // processing_time: the committer fills it
  out->EndRow();
}

}  // namespace braid
