#include "catalog/catalog.h"

#include <fmt/format.h>

#include "catalog/catalog_properties.h"
#include "catalog/file_catalog.h"
#include "catalog/rest_catalog.h"
#include "catalog/sql_catalog.h"

namespace braid {
namespace {

// TableOperations over a catalog: table code loads and commits without knowing the catalog.
class CatalogTableOperations final : public TableOperations {
 public:
  CatalogTableOperations(Catalog& catalog, TableIdentifier id, std::shared_ptr<FileSystem> fs)
      : catalog_(catalog), id_(std::move(id)), fs_(std::move(fs)) {}

  const TableIdentifier& id() const override { return id_; }
  Result<TableState> Refresh() override { return catalog_.LoadTable(id_); }
  Result<TableState> Commit(const TableState& base, const TableMetadata& updated) override {
    return catalog_.CommitTable(id_, base, updated);
  }
  FileSystem& io() override { return *fs_; }

 private:
  Catalog& catalog_;
  TableIdentifier id_;
  std::shared_ptr<FileSystem> fs_;
};

}  // namespace

Result<std::shared_ptr<FileSystem>> Catalog::FileSystemFor(const std::string& location) {
  return ::braid::FileSystemFor(location);
}

Status Catalog::CommitTransaction(const std::vector<TableCommit>&) {
  return Status::InvalidArgument(fmt::format(
      "catalog {} does not support multi-table commits: commit each table on its own", name()));
}

Result<std::unique_ptr<TableOperations>> Catalog::OpenTable(const TableIdentifier& id) {
  BRAID_ASSIGN_OR_RETURN(TableState state, LoadTable(id));
  BRAID_ASSIGN_OR_RETURN(std::shared_ptr<FileSystem> fs, FileSystemFor(state.metadata.location));
  return std::unique_ptr<TableOperations>(new CatalogTableOperations(*this, id, std::move(fs)));
}

Result<std::unique_ptr<Catalog>> OpenCatalog(const std::map<std::string, std::string>& properties,
                                             CatalogAccess access) {
  BRAID_RETURN_IF_ERROR(CatalogProperties::Check(properties));
  if (RestCatalogProperties::Selects(properties)) {
    BRAID_ASSIGN_OR_RETURN(std::unique_ptr<RestCatalog> rest, RestCatalog::Open(properties));
    return std::unique_ptr<Catalog>(std::move(rest));
  }
  auto type = properties.find("type");
  std::string kind = type == properties.end() ? "file" : type->second;
  auto impl = properties.find("catalog-impl");
  if (kind == "sql" || kind == "jdbc" ||
      (impl != properties.end() && impl->second == "org.apache.iceberg.jdbc.JdbcCatalog")) {
    BRAID_ASSIGN_OR_RETURN(std::unique_ptr<SqlCatalog> sql, SqlCatalog::Open(properties, access));
    return std::unique_ptr<Catalog>(std::move(sql));
  }
  if (impl != properties.end() && impl->second != "org.apache.iceberg.hadoop.HadoopCatalog") {
    return Status::InvalidArgument(fmt::format(
        "catalog-impl \"{}\" is not supported: braid speaks to file (HadoopCatalog), sql "
        "(JdbcCatalog) and rest catalogs (RESTCatalog, NessieCatalog)", impl->second));
  }
  if (kind != "file" && kind != "hadoop") {
    return Status::InvalidArgument(fmt::format(
        "catalog type \"{}\" is not supported yet: use type = \"file\" with a warehouse directory", kind));
  }
  auto warehouse = properties.find("warehouse");
  if (warehouse == properties.end() || warehouse->second.empty()) {
    return Status::InvalidArgument("the file catalog needs a \"warehouse\" directory");
  }
  auto name = properties.find("name");
  // The warehouse's file system is configured by the catalog's properties (s3.endpoint, ...).
  BRAID_ASSIGN_OR_RETURN(std::shared_ptr<FileSystem> fs, ::braid::FileSystemFor(warehouse->second, properties));
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<FileCatalog> catalog,
                         FileCatalog::Open(warehouse->second,
                                           name == properties.end() ? "braid" : name->second, std::move(fs), access));
  return std::unique_ptr<Catalog>(std::move(catalog));
}

}  // namespace braid
