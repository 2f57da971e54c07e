#pragma once
// JoinSpec: a join pipeline as a pipeline file declares it (DESIGN §1-§3). The engine is driven
// by this description only; the seed's field names appear in SeedPipeline and nowhere else.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/types.h"
#include "event/stream_spec.h"

namespace braid {

enum class JoinKind { kInner, kLeft };

/// One enriching stream: joined to the driving stream on the key, with event times at most
/// `window` apart (both bounds inclusive).
struct EnrichSpec {
  StreamSpec stream;
  JoinKind kind = JoinKind::kInner;
  Duration window = Duration::Seconds(120);
};

/// One output column: `stream`.`field` written as `name`. `field` may be a key field or the
/// timestamp field. The Iceberg field id is the column's position + 1.
struct OutputColumnSpec {
  std::string stream;
  std::string field;
  std::string name;
};

/// A join pipeline: one driving stream, any number of enriching streams on the same key
/// (positionally: the i-th key field of each stream), the output columns, and event-time
/// settings. After the declared columns the engine appends `processing_time_column`
/// (timestamptz, NULL until the committer fills it).
struct JoinSpec {
  StreamSpec driving;
  std::vector<EnrichSpec> enriching;
  std::vector<OutputColumnSpec> columns;
  std::string processing_time_column = "processing_time";
  Duration watermark_delay = Duration::Seconds(30);
  Duration idle_timeout = Duration::Seconds(10);
  /// Partitions whose watermark runs ahead of the pipeline's by more than this are reported
  /// for pausing (docs/watermarks.md, "Alignment"); nullopt disables alignment.
  std::optional<Duration> alignment_bound = Duration::Seconds(120);

  /// The watermark delay and idle timeout of the stream reading `topic`: its own when it sets
  /// one (StreamSpec), else the pipeline's above (also for a topic that is no input).
  Duration WatermarkDelayOf(std::string_view topic) const;
  Duration IdleTimeoutOf(std::string_view topic) const;

 private:
  const StreamSpec* StreamOfTopic(std::string_view topic) const;
};

/// Topic names of the seed pipeline (the seed's defaults).
struct SeedTopics {
  std::string actions = "user_actions";
  std::string purchases = "purchases";
  std::string sessions = "sessions";
};

/// The seed pipeline (DESIGN §1-§2): actions(user_id, session_id, action, page_url, timestamp)
/// drives; purchases(user_id, session_id, product_id, amount: double, timestamp) LEFT within
/// `purchase_window`; sessions(session_id, user_id, device, timestamp) INNER within
/// `session_window`; key (user_id, session_id); output unified_activity's columns user_id,
/// session_id, action_type, page_url, purchase_amount, product_id, device_type,
/// event_timestamp, processing_time (field ids 1-9). Stream names: actions, purchases, sessions.
JoinSpec SeedPipeline(const SeedTopics& topics = {},
                      Duration purchase_window = Duration::Seconds(120),
                      Duration session_window = Duration::Seconds(120),
                      Duration watermark_delay = Duration::Seconds(30),
                      Duration idle_timeout = Duration::Seconds(10));

}  // namespace braid
