#pragma once
// StaticTable: a table opened straight from one metadata JSON file, without a catalog (like
// pyiceberg's StaticTable): for reading tables other engines wrote. Read-only.

#include <memory>
#include <string>

#include "base/result.h"
#include "storage/file_system.h"
#include "table/table_operations.h"

namespace braid {

class StaticTable final : public TableOperations {
 public:
  /// Opens the table whose metadata file is `metadata_location` (a file: URI or absolute path).
  /// NotFound if the file is missing, Corruption if it is not valid metadata.
  static Result<std::unique_ptr<StaticTable>> Open(const std::string& metadata_location);

  const TableIdentifier& id() const override { return id_; }
  /// Re-reads the same metadata file.
  Result<TableState> Refresh() override;
  /// Always InvalidArgument: a static table cannot be committed to.
  Result<TableState> Commit(const TableState& base, const TableMetadata& updated) override;
  FileSystem& io() override { return *fs_; }

  const TableState& state() const { return state_; }

 private:
  StaticTable() = default;

  TableIdentifier id_;
  std::shared_ptr<FileSystem> fs_;
  TableState state_;
};

/// Reads and parses the metadata file at `location`.
Result<TableState> ReadTableState(FileSystem& fs, const std::string& location);

}  // namespace braid
