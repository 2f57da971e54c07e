#include "table/static_table.h"

#include <fmt/format.h>

#include "storage/location.h"

namespace braid {

Result<TableState> ReadTableState(FileSystem& fs, const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(location));
  BRAID_ASSIGN_OR_RETURN(TableMetadata metadata, ParseTableMetadata(text, location));
  return TableState{std::move(metadata), location};
}

Result<std::unique_ptr<StaticTable>> StaticTable::Open(const std::string& metadata_location) {
  std::unique_ptr<StaticTable> t(new StaticTable());
  std::string location = metadata_location;
  if (IsLocalLocation(location) && !location.starts_with("file:")) location = FileUri(location);
  BRAID_ASSIGN_OR_RETURN(t->fs_, FileSystemFor(location));
  BRAID_ASSIGN_OR_RETURN(t->state_, ReadTableState(*t->fs_, location));
  // Name it after its directory: <warehouse>/<ns>/<table>/metadata/<file>.
  std::string_view table_dir = ParentLocation(ParentLocation(location));
  t->id_ = {"static", std::string(BaseName(table_dir))};
  return t;
}

Result<TableState> StaticTable::Refresh() { return ReadTableState(*fs_, state_.metadata_location); }

Result<TableState> StaticTable::Commit(const TableState&, const TableMetadata&) {
  return Status::InvalidArgument(fmt::format(
      "{} was opened from a metadata file and is read-only; commit through a catalog",
      state_.metadata_location));
}

}  // namespace braid
