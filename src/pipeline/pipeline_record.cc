#include "pipeline/pipeline_record.h"

#include <unistd.h>

#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "base/time_format.h"
#include "pipeline/pipeline_runner.h"
#include "table/snapshot_summary.h"

namespace braid {
namespace {

constexpr const char* kSeq = "commit-seq";
constexpr const char* kOffsets = "offsets";
constexpr const char* kWatermark = "watermark";
constexpr const char* kState = "state-location";
constexpr const char* kDataLoss = "data-loss";
constexpr const char* kAt = "committed-at-ms";
constexpr const char* kWriter = "writer";

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

int64_t ToInt(const std::string& s) { return s.empty() ? 0 : std::strtoll(s.c_str(), nullptr, 10); }

}  // namespace

std::map<std::string, std::string> PipelineRecord::ToProperties(const std::string& id) const {
  const std::string p = "braid.pipeline." + id + ".";
  std::map<std::string, std::string> out{{p + kSeq, std::to_string(commit_seq)},
                                         {p + kOffsets, offsets},
                                         {p + kAt, std::to_string(committed_at_ms)},
                                         {p + kWriter, writer}};
  if (!watermark.empty()) out[p + kWatermark] = watermark;
  if (!state_location.empty()) out[p + kState] = state_location;
  if (!data_loss.empty()) out[p + kDataLoss] = data_loss;
  return out;
}

std::map<std::string, std::string> PipelineRecord::ToSummary(const std::string& id) const {
  std::map<std::string, std::string> out{{kPipelineIdKey, id},
                                         {kCommitSeqKey, std::to_string(commit_seq)},
                                         {kOffsetsKey, offsets},
                                         {"braid.writer", writer}};
  if (!watermark.empty()) out[kWatermarkKey] = watermark;
  if (!state_location.empty()) out[kStateLocationKey] = state_location;
  if (!data_loss.empty()) out["braid.data-loss"] = data_loss;
  return out;
}

std::optional<PipelineRecord> PipelineRecord::Find(const TableMetadata& md, const std::string& id) {
  const std::string p = "braid.pipeline." + id + ".";
  PipelineRecord r;
  if (md.properties.count(p + kSeq) > 0) {
    r.commit_seq = ToInt(Get(md.properties, p + kSeq));
    r.offsets = Get(md.properties, p + kOffsets);
    r.watermark = Get(md.properties, p + kWatermark);
    r.state_location = Get(md.properties, p + kState);
    r.data_loss = Get(md.properties, p + kDataLoss);
    r.committed_at_ms = ToInt(Get(md.properties, p + kAt));
    r.writer = Get(md.properties, p + kWriter);
    return r;
  }
  const Snapshot* s = FindSnapshotSummary(
      md, [&](const Snapshot& snap) { return Get(snap.summary, kPipelineIdKey) == id; });
  if (s == nullptr) return std::nullopt;
  r.commit_seq = ToInt(Get(s->summary, kCommitSeqKey));
  r.offsets = Get(s->summary, kOffsetsKey);
  r.watermark = Get(s->summary, kWatermarkKey);
  r.state_location = Get(s->summary, kStateLocationKey);
  r.committed_at_ms = s->timestamp_ms;
  r.writer = Get(s->summary, "braid.writer");
  return r;
}

std::vector<std::string> PipelineRecord::PipelineIds(const TableMetadata& md) {
  // Every record has a commit-seq key; matching on its suffix alone keeps ids with dots
  // (the default id is namespace.table) whole.
  const std::string prefix = "braid.pipeline.";
  const std::string suffix = std::string(".") + kSeq;
  std::set<std::string> ids;
  for (const auto& [key, value] : md.properties) {
    if (key.size() > prefix.size() + suffix.size() && key.starts_with(prefix) &&
        key.ends_with(suffix)) {
      ids.insert(key.substr(prefix.size(), key.size() - prefix.size() - suffix.size()));
    }
  }
  // The walk collects and never matches, so it visits all of main's ancestry.
  (void)FindSnapshotSummary(md, [&](const Snapshot& snap) {
    std::string id = Get(snap.summary, kPipelineIdKey);
    if (!id.empty()) ids.insert(std::move(id));
    return false;
  });
  return {ids.begin(), ids.end()};
}

std::string PipelineRecord::Describe() const {
  return fmt::format("commit {} by {} at {}", commit_seq, writer.empty() ? "an unknown writer" : writer,
                     FormatTimestamp(Timestamp(committed_at_ms * 1000)));
}

std::string WriterName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}", host[0] ? host : "unknown-host", static_cast<long>(getpid()));
}

}  // namespace braid
