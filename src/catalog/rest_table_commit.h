#pragma once
// RestTableCommit: the body of an Iceberg REST commit (CommitTableRequest) for the difference
// between the metadata a writer started from (`base`) and the metadata it wants (`updated`):
//   requirements: assert-table-uuid (base's uuid), assert-ref-snapshot-id for main (base's
//                 head, or null when the table had no snapshot)
//   updates:      add-snapshot for each snapshot of `updated` that `base` lacks (in order),
//                 set-snapshot-ref main when its head moved, set-properties / remove-properties
//                 for changed properties, remove-snapshots for snapshots `updated` dropped
//                 (snapshot expiry; the server trims its snapshot log itself).
// The server applies the updates to its current metadata only if the requirements hold, so a
// concurrent writer's commit turns ours into 409 instead of being overwritten.

#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "table/table_identifier.h"
#include "table/table_operations.h"

namespace braid {

class RestTableCommit {
 public:
  /// The CommitTableRequest JSON ({"identifier", "requirements", "updates"}). InvalidArgument
  /// when `updated` changes something these updates cannot express (table-uuid, location,
  /// schemas, partition specs, sort orders, format version, refs other than main), naming it.
  static Result<nlohmann::json> Build(const TableIdentifier& id, const TableState& base,
                                      const TableMetadata& updated);

  /// The snapshots of `updated` that `base` does not have: what the commit adds.
  static std::vector<SnapshotId> AddedSnapshots(const TableMetadata& base, const TableMetadata& updated);

  /// The REST form of a namespace: its dot-separated levels ("a.b" → ["a", "b"]).
  static nlohmann::json NamespaceLevels(const std::string& ns);
};

}  // namespace braid
