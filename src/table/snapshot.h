#pragma once
// Snapshot: one committed state of a table, as its metadata JSON lists it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/types.h"

namespace braid {

struct Snapshot {
  SnapshotId id;
  std::optional<SnapshotId> parent_id;  // none for a table's first snapshot
  int64_t sequence_number = 0;          // 0 in v1 tables
  int64_t timestamp_ms = 0;             // wall clock of the commit, milliseconds since the epoch
  std::string manifest_list;            // absolute location of the manifest list
  std::vector<std::string> v1_manifests;  // old v1 snapshots list manifests here instead
  std::optional<int> schema_id;
  /// "operation" plus the summary keys, all strings ("added-records", "braid.pipeline", ...).
  std::map<std::string, std::string> summary;
  nlohmann::json extra = nlohmann::json::object();  // keys braid does not know, kept on rewrite

  /// summary["operation"], or "" when absent.
  std::string operation() const {
    auto it = summary.find("operation");
    return it == summary.end() ? std::string() : it->second;
  }
};

/// A named branch or tag.
struct SnapshotRef {
  SnapshotId snapshot_id;
  std::string type = "branch";
  nlohmann::json extra = nlohmann::json::object();  // retention settings, kept on rewrite
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  SnapshotId snapshot_id;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
};

}  // namespace braid
