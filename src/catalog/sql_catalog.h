#pragma once
// SqlCatalog: Iceberg's SQL (JDBC) catalog: table pointers kept in a database shared with
// Java's JdbcCatalog and pyiceberg's SqlCatalog, in their two tables
//   iceberg_tables(catalog_name, table_namespace, table_name, metadata_location,
//                  previous_metadata_location, iceberg_type)
//   iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)
// created only when missing (a database Java or pyiceberg initialised is used as it is; one
// without iceberg_type, the older layout, is used without it). Rows belong to the catalog
// named by the property "name" (default "default", pyiceberg's usual catalog name).
//
// A table lives at <warehouse>/<namespace>/<table> (or under its namespace's "location"
// property), its metadata files at <table>/metadata/NNNNN-<uuid>.metadata.json, NNNNN counting
// commits from 00000. A commit writes the new file, then swaps the pointer with
//   UPDATE iceberg_tables SET metadata_location = new, previous_metadata_location = old
//   WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = old
// and has won only if exactly one row changed, so concurrent writers in any process (braid,
// Java, pyiceberg) never lose each other's snapshots. Thread-safe (calls are serialized).

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "catalog/catalog.h"
#include "catalog/sql_backend.h"

namespace braid {

class SqlCatalog final : public Catalog {
 public:
  /// Opens the catalog `properties` describe: "uri" (see SqlUri), "warehouse" (where new tables
  /// go: a directory, file:// or object-store URI), "name". Creates the catalog tables if
  /// missing. InvalidArgument for a missing or malformed property; Unavailable/IoError naming
  /// the database when it cannot be reached.
  /// With kReadOnly a SQLite database file that does not exist is NotFound, not created.
  static Result<std::unique_ptr<SqlCatalog>> Open(const std::map<std::string, std::string>& properties,
                                                  CatalogAccess access = CatalogAccess::kReadWrite);

  /// As Open, over an already connected `backend` (tests).
  static Result<std::unique_ptr<SqlCatalog>> Open(std::unique_ptr<SqlBackend> backend,
                                                  const std::map<std::string, std::string>& properties);

  const std::string& name() const override { return name_; }
  /// Namespaces that have a property row or a table in this catalog, as stored (dotted
  /// multi-level names included), sorted.
  Result<std::vector<std::string>> ListNamespaces() override;
  /// Writes the property exists=true (as pyiceberg and Java do) unless the namespace exists.
  Status CreateNamespace(const std::string& ns) override;
  Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) override;
  Result<TableState> LoadTable(const TableIdentifier& id) override;
  Result<TableState> CreateTable(const TableIdentifier& id, const RowSchema& schema,
                                 const std::map<std::string, std::string>& properties = {},
                                 const PartitionSpec& spec = {}) override;
  /// Conflict when `base` is no longer the table's metadata file; the file written for
  /// `updated` is then deleted (best effort).
  Result<TableState> CommitTable(const TableIdentifier& id, const TableState& base,
                                 const TableMetadata& updated) override;
  /// Removes the table's row, then deletes its directory (as FileCatalog does).
  Status DropTable(const TableIdentifier& id) override;
  /// The file system for `location`, configured by this catalog's properties (s3.*, ...).
  Result<std::shared_ptr<FileSystem>> FileSystemFor(const std::string& location) override;

  /// The warehouse as a URI (local directories as file://).
  const std::string& warehouse() const { return warehouse_; }
  /// Where a new table `id` is created.
  Result<std::string> TableLocation(const TableIdentifier& id);
  /// Whether iceberg_tables has the iceberg_type column (Java's and pyiceberg's current layout).
  bool has_type_column() const { return has_type_column_; }

 private:
  SqlCatalog(std::unique_ptr<SqlBackend> backend, std::string name, std::string warehouse,
             std::map<std::string, std::string> properties)
      : backend_(std::move(backend)), name_(std::move(name)), warehouse_(std::move(warehouse)),
        properties_(std::move(properties)) {}

  Status EnsureTables();
  Result<bool> NamespaceExists(const std::string& ns);
  Result<std::string> CurrentLocation(const TableIdentifier& id);
  Result<TableState> LoadLocked(const TableIdentifier& id);
  /// NotFound for `id`, telling which catalog names the database does hold when the row is
  /// under another name.
  Status TableNotFound(const TableIdentifier& id);
  std::string TypeFilter() const;

  std::mutex mu_;
  std::unique_ptr<SqlBackend> backend_;  // guarded by mu_
  std::string name_;
  std::string warehouse_;
  std::map<std::string, std::string> properties_;
  bool has_type_column_ = false;
};

/// The metadata file name for commit `version` of a table: "%05d-<uuid>.metadata.json".
std::string SqlMetadataFileName(int64_t version, const std::string& uuid);

/// The commit number of a metadata file named NNNNN-<uuid>.metadata.json (any location), or -1
/// when the name has no such number (files other catalogs named, e.g. v3.metadata.json).
int64_t SqlMetadataVersion(std::string_view location);

}  // namespace braid
