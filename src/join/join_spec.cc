#include "join/join_spec.h"

namespace braid {

const StreamSpec* JoinSpec::StreamOfTopic(std::string_view topic) const {
  if (driving.topic == topic) return &driving;
  for (const EnrichSpec& e : enriching) {
    if (e.stream.topic == topic) return &e.stream;
  }
  return nullptr;
}

Duration JoinSpec::WatermarkDelayOf(std::string_view topic) const {
  const StreamSpec* s = StreamOfTopic(topic);
  return s && s->watermark_delay ? *s->watermark_delay : watermark_delay;
}

Duration JoinSpec::IdleTimeoutOf(std::string_view topic) const {
  const StreamSpec* s = StreamOfTopic(topic);
  return s && s->idle_timeout ? *s->idle_timeout : idle_timeout;
}

JoinSpec SeedPipeline(const SeedTopics& topics, Duration purchase_window,
                      Duration session_window, Duration watermark_delay,
                      Duration idle_timeout) {
  const FieldType kStr = FieldType::kString;
  JoinSpec spec;
  spec.driving = StreamSpec{"actions",
                            topics.actions,
                            {{"user_id", kStr},
                             {"session_id", kStr},
                             {"action", kStr},
                             {"page_url", kStr},
                             {"timestamp", FieldType::kTimestamp}},
                            {"user_id", "session_id"},
                            "timestamp"};
  StreamSpec purchases{"purchases",
                       topics.purchases,
                       {{"user_id", kStr},
                        {"session_id", kStr},
                        {"product_id", kStr},
                        {"amount", FieldType::kDouble},
                        {"timestamp", FieldType::kTimestamp}},
                       {"user_id", "session_id"},
                       "timestamp"};
  StreamSpec sessions{"sessions",
                      topics.sessions,
                      {{"session_id", kStr},
                       {"user_id", kStr},
                       {"device", kStr},
                       {"timestamp", FieldType::kTimestamp}},
                      {"user_id", "session_id"},
                      "timestamp"};
  spec.enriching.push_back({std::move(purchases), JoinKind::kLeft, purchase_window});
  spec.enriching.push_back({std::move(sessions), JoinKind::kInner, session_window});
  spec.columns = {
      {"actions", "user_id", "user_id"},
      {"actions", "session_id", "session_id"},
      {"actions", "action", "action_type"},
      {"actions", "page_url", "page_url"},
      {"purchases", "amount", "purchase_amount"},
      {"purchases", "product_id", "product_id"},
      {"sessions", "device", "device_type"},
      {"actions", "timestamp", "event_timestamp"},
  };
  spec.processing_time_column = "processing_time";
  spec.watermark_delay = watermark_delay;
  spec.idle_timeout = idle_timeout;
  return spec;
}

}  // namespace braid
