#pragma once
// TableOperations: how table code reaches a table's catalog without depending on it: load the
// current metadata, and swap it for a new version atomically. Catalogs (src/catalog) implement
// it; the appender and readers use it. Implementations are not required to be thread-safe.

#include <string>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/table_identifier.h"
#include "table/table_metadata.h"

namespace braid {

/// A table as loaded: its metadata and the metadata file it was read from.
struct TableState {
  TableMetadata metadata;
  std::string metadata_location;  // absolute location of the metadata JSON
};

class TableOperations {
 public:
  virtual ~TableOperations() = default;

  /// The table's identifier, for messages.
  virtual const TableIdentifier& id() const = 0;

  /// Loads the table's current metadata. NotFound if the table no longer exists.
  virtual Result<TableState> Refresh() = 0;

  /// Makes `updated` the table's current metadata if `base` is still current, and returns
  /// the new state. Conflict if another writer committed first (nothing changed: reload and
  /// retry); other errors mean the commit did not happen either.
  virtual Result<TableState> Commit(const TableState& base, const TableMetadata& updated) = 0;

  /// The file system holding the table's files. Lives as long as this object.
  virtual FileSystem& io() = 0;
};

}  // namespace braid
