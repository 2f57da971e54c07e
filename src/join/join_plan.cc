#include "join/join_plan.h"

#include <algorithm>

#include <fmt/format.h>

namespace braid {
namespace {

ColumnType OutputType(FieldType t) {
  switch (t) {
    case FieldType::kString: return ColumnType::kString;
    case FieldType::kDouble: return ColumnType::kDouble;
    case FieldType::kLong: return ColumnType::kInt64;
    case FieldType::kTimestamp: return ColumnType::kTimestampTz;
    case FieldType::kBoolean: return ColumnType::kBoolean;
  }
  return ColumnType::kString;
}

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

}  // namespace

Result<JoinPlan> JoinPlan::Compile(const JoinSpec& spec) {
  JoinPlan plan;
  plan.spec_ = spec;
  if (spec.enriching.size() > 63) return Invalid("at most 63 enriching streams are supported");
  if (spec.watermark_delay < Duration(0)) return Invalid("watermark_delay must not be negative");
  if (spec.idle_timeout < Duration(0)) return Invalid("idle_timeout must not be negative");
  if (spec.alignment_bound && *spec.alignment_bound < Duration(0)) {
    return Invalid("alignment bound must not be negative");
  }
  plan.streams_.push_back(StreamPlan{spec.driving, true, JoinKind::kInner, Duration(0), {}, {}});
  for (const EnrichSpec& e : spec.enriching) {
    if (e.window < Duration(0)) {
      return Invalid(fmt::format("stream \"{}\": the join window must not be negative",
                                 e.stream.name));
    }
    plan.streams_.push_back(StreamPlan{e.stream, false, e.kind, e.window, {}, {}});
    plan.max_window_ = std::max(plan.max_window_, e.window);
    if (e.kind == JoinKind::kLeft) plan.left_mask_ |= uint64_t{1} << (plan.streams_.size() - 1);
  }
  const StreamSpec& drv = spec.driving;
  if (drv.key_fields.size() > 16) return Invalid("at most 16 key fields are supported");
  for (size_t i = 0; i < plan.streams_.size(); ++i) {
    const StreamSpec& s = plan.streams_[i].spec;
    BRAID_RETURN_IF_ERROR(s.Validate());
    for (size_t j = 0; j < i; ++j) {
      const StreamSpec& o = plan.streams_[j].spec;
      if (o.name == s.name) return Invalid(fmt::format("two streams are named \"{}\"", s.name));
      if (o.topic == s.topic) {
        return Invalid(fmt::format("streams \"{}\" and \"{}\" read the same topic \"{}\"",
                                   o.name, s.name, s.topic));
      }
    }
    if (s.key_fields.size() != drv.key_fields.size()) {
      return Invalid(fmt::format("stream \"{}\" has {} key fields, the driving stream \"{}\" {}",
                                 s.name, s.key_fields.size(), drv.name, drv.key_fields.size()));
    }
    for (size_t k = 0; k < s.key_fields.size(); ++k) {
      FieldType t = s.fields[s.FieldIndex(s.key_fields[k])].type;
      if (i == 0) {
        plan.key_types_.push_back(t);
      } else if (t != plan.key_types_[k]) {
        return Invalid(fmt::format("key field \"{}\" of stream \"{}\" is {}, but {} in \"{}\"",
                                   s.key_fields[k], s.name, FieldTypeName(t),
                                   FieldTypeName(plan.key_types_[k]), drv.name));
      }
    }
  }
  if (spec.columns.empty()) return Invalid("the pipeline has no output columns");
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    const OutputColumnSpec& col = spec.columns[c];
    if (col.name.empty()) return Invalid(fmt::format("output column {} has no name", c + 1));
    if (col.name == spec.processing_time_column) {
      return Invalid(fmt::format("output column \"{}\" clashes with the processing time column",
                                 col.name));
    }
    for (size_t d = 0; d < c; ++d) {
      if (spec.columns[d].name == col.name) {
        return Invalid(fmt::format("output column \"{}\" is declared twice", col.name));
      }
    }
    auto it = std::find_if(plan.streams_.begin(), plan.streams_.end(),
                           [&](const StreamPlan& p) { return p.spec.name == col.stream; });
    if (it == plan.streams_.end()) {
      return Invalid(fmt::format("output column \"{}\" refers to unknown stream \"{}\"", col.name,
                                 col.stream));
    }
    StreamPlan& sp = *it;
    const int field = sp.spec.FieldIndex(col.field);
    if (field < 0) {
      return Invalid(fmt::format("output column \"{}\": stream \"{}\" has no field \"{}\"",
                                 col.name, col.stream, col.field));
    }
    ColumnSource src{static_cast<size_t>(it - plan.streams_.begin()), ColumnSource::kValue, 0,
                     sp.spec.fields[field].type};
    auto key = std::find(sp.spec.key_fields.begin(), sp.spec.key_fields.end(), col.field);
    if (key != sp.spec.key_fields.end()) {
      src.kind = ColumnSource::kKeyPart;
      src.index = static_cast<size_t>(key - sp.spec.key_fields.begin());
    } else if (col.field == sp.spec.timestamp_field) {
      src.kind = ColumnSource::kTimestamp;
    } else {
      auto slot = std::find(sp.stored_fields.begin(), sp.stored_fields.end(), col.field);
      src.index = static_cast<size_t>(slot - sp.stored_fields.begin());
      if (slot == sp.stored_fields.end()) {
        sp.stored_fields.push_back(col.field);
        sp.stored_types.push_back(src.type);
      }
    }
    plan.sources_.push_back(src);
    plan.output_schema_.push_back(
        ColumnSpec{col.name, OutputType(src.type), static_cast<int>(c + 1), false});
  }
  plan.output_schema_.push_back(ColumnSpec{spec.processing_time_column, ColumnType::kTimestampTz,
                                           static_cast<int>(spec.columns.size() + 1), false});
  return plan;
}

int JoinPlan::StreamOfTopic(std::string_view topic) const {
  for (size_t i = 0; i < streams_.size(); ++i) {
    if (streams_[i].spec.topic == topic) return static_cast<int>(i);
  }
  return -1;
}

std::string JoinPlan::Layout() const {
  std::string out = "braid join layout 1\nkey";
  for (FieldType t : key_types_) out += fmt::format(" {}", FieldTypeName(t));
  for (const StreamPlan& s : streams_) {
    const char* role = s.driving ? "driving" : s.kind == JoinKind::kLeft ? "left" : "inner";
    out += fmt::format("\nstream {} topic {} {} stored", s.spec.name, s.spec.topic, role);
    for (size_t i = 0; i < s.stored_fields.size(); ++i) {
      out += fmt::format(" {}:{}", s.stored_fields[i], FieldTypeName(s.stored_types[i]));
    }
  }
  return out + "\n";
}

}  // namespace braid
