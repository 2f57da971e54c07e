#pragma once
// MemoryTable: a table whose "catalog" is a list of metadata versions in memory, for the table
// tests. Shared by the appender and maintenance tests.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "storage/local_file_system.h"
#include "storage/location.h"
#include "table/random_ids.h"
#include "table/table_operations.h"

namespace braid {

// A table whose "catalog" is a list of metadata versions in memory: Commit succeeds only on
// the newest version, like every real catalog. `before_commit` runs once, just before the next
// commit is checked, to let another writer win the race.
class MemoryTable final : public TableOperations {
 public:
  MemoryTable(const std::string& location, const RowSchema& schema) {
    TableMetadata m = TableMetadata::NewTable(location, schema, {}, NowMillis());
    versions_.push_back({m, JoinLocation(location, "metadata/v1.metadata.json")});
  }
  const TableIdentifier& id() const override { return id_; }
  Result<TableState> Refresh() override { return versions_.back(); }
  Result<TableState> Commit(const TableState& base, const TableMetadata& updated) override {
    if (before_commit) std::exchange(before_commit, nullptr)();
    if (base.metadata_location != versions_.back().metadata_location) return Status::Conflict("lost the race");
    std::string location = fmt::format("{}/metadata/v{}.metadata.json", updated.location, versions_.size() + 1);
    versions_.push_back({updated, location});
    return versions_.back();
  }
  FileSystem& io() override { return fs_; }

  std::function<void()> before_commit;
  std::vector<TableState> versions_;

 private:
  TableIdentifier id_{"test", "t"};
  LocalFileSystem fs_;
};

}  // namespace braid
