#include "catalog/rest_table_commit.h"

#include <fmt/format.h>

namespace braid {
namespace {

using nlohmann::json;

Status Unsupported(const TableIdentifier& id, std::string_view what) {
  return Status::InvalidArgument(fmt::format(
      "table {}: the commit changes {}, which braid's REST catalog does not send; only appends "
      "and property changes are supported", id.ToString(), what));
}

std::optional<SnapshotId> MainHead(const TableMetadata& m) {
  const Snapshot* s = m.CurrentSnapshot();
  return s ? std::optional(s->id) : std::nullopt;
}

}  // namespace

json RestTableCommit::NamespaceLevels(const std::string& ns) {
  json levels = json::array();
  size_t start = 0;
  while (true) {
    size_t dot = ns.find('.', start);
    levels.push_back(ns.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return levels;
    start = dot + 1;
  }
}

std::vector<SnapshotId> RestTableCommit::AddedSnapshots(const TableMetadata& base,
                                                        const TableMetadata& updated) {
  std::vector<SnapshotId> out;
  for (const Snapshot& s : updated.snapshots) {
    if (base.SnapshotById(s.id) == nullptr) out.push_back(s.id);
  }
  return out;
}

Result<json> RestTableCommit::Build(const TableIdentifier& id, const TableState& base_state,
                                    const TableMetadata& updated) {
  const TableMetadata& base = base_state.metadata;
  if (updated.table_uuid != base.table_uuid) return Unsupported(id, "table-uuid");
  if (updated.location != base.location) return Unsupported(id, "the location");
  if (updated.format_version != base.format_version) return Unsupported(id, "the format version");
  if (updated.current_schema_id != base.current_schema_id || updated.schemas.size() != base.schemas.size()) {
    return Unsupported(id, "the schema");
  }
  if (updated.default_spec_id != base.default_spec_id ||
      updated.partition_specs.size() != base.partition_specs.size()) {
    return Unsupported(id, "the partition spec");
  }
  if (updated.sort_orders != base.sort_orders || updated.default_sort_order_id != base.default_sort_order_id) {
    return Unsupported(id, "the sort order");
  }
  json removed_snapshots = json::array();
  for (const Snapshot& s : base.snapshots) {
    if (updated.SnapshotById(s.id) == nullptr) removed_snapshots.push_back(s.id.value());
  }
  for (const auto& [name, ref] : updated.refs) {
    if (name == "main") continue;
    auto old = base.refs.find(name);
    if (old == base.refs.end() || old->second.snapshot_id != ref.snapshot_id) {
      return Unsupported(id, fmt::format("ref {}", name));
    }
  }

  json requirements = json::array();
  requirements.push_back({{"type", "assert-table-uuid"}, {"uuid", base.table_uuid}});
  std::optional<SnapshotId> base_head = MainHead(base);
  requirements.push_back({{"type", "assert-ref-snapshot-id"},
                          {"ref", "main"},
                          {"snapshot-id", base_head ? json(base_head->value()) : json(nullptr)}});

  json updates = json::array();
  std::vector<SnapshotId> added = AddedSnapshots(base, updated);
  if (!added.empty()) {
    // The snapshot JSON exactly as braid writes it into metadata files.
    json serialized = json::parse(SerializeTableMetadata(updated));
    for (SnapshotId sid : added) {
      for (const json& s : serialized["snapshots"]) {
        if (s["snapshot-id"].get<int64_t>() == sid.value()) {
          updates.push_back({{"action", "add-snapshot"}, {"snapshot", s}});
        }
      }
    }
  }
  if (!removed_snapshots.empty()) {
    updates.push_back({{"action", "remove-snapshots"}, {"snapshot-ids", removed_snapshots}});
  }
  std::optional<SnapshotId> head = MainHead(updated);
  if (head != base_head) {
    if (!head) return Unsupported(id, "main (removed)");
    updates.push_back({{"action", "set-snapshot-ref"},
                       {"ref-name", "main"},
                       {"type", "branch"},
                       {"snapshot-id", head->value()}});
  }
  json set = json::object();
  json removed = json::array();
  for (const auto& [k, v] : updated.properties) {
    auto old = base.properties.find(k);
    if (old == base.properties.end() || old->second != v) set[k] = v;
  }
  for (const auto& [k, v] : base.properties) {
    if (!updated.properties.count(k)) removed.push_back(k);
  }
  if (!set.empty()) updates.push_back({{"action", "set-properties"}, {"updates", set}});
  if (!removed.empty()) updates.push_back({{"action", "remove-properties"}, {"removals", removed}});

  return json{{"identifier", {{"namespace", NamespaceLevels(id.ns)}, {"name", id.name}}},
              {"requirements", requirements},
              {"updates", updates}};
}

}  // namespace braid
