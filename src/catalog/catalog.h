#pragma once
// Catalog: where tables are found and committed. Implementations: FileCatalog (the embedded
// default, a warehouse directory); the SQL (JDBC tables) and REST catalogs come later behind the
// same interface. Catalog properties use Iceberg's own names (type, uri, warehouse, ...).
//
// Implementations are not thread-safe unless they say so; commits are safe against other
// processes as each implementation documents.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/row_batch.h"
#include "storage/file_system.h"
#include "table/table_identifier.h"
#include "table/table_operations.h"

namespace braid {

/// One table's part of a multi-table commit: make `updated` current if `base` still is.
struct TableCommit {
  TableIdentifier id;
  TableState base;
  TableMetadata updated;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  /// The catalog's name, for messages.
  virtual const std::string& name() const = 0;

  /// Namespaces, sorted.
  virtual Result<std::vector<std::string>> ListNamespaces() = 0;

  /// Creates namespace `ns` if it does not exist (existing is fine).
  virtual Status CreateNamespace(const std::string& ns) = 0;

  /// The tables of `ns`, sorted. NotFound if the namespace does not exist.
  virtual Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) = 0;

  /// The table's current metadata. NotFound if it does not exist.
  virtual Result<TableState> LoadTable(const TableIdentifier& id) = 0;

  /// Creates an empty v2 table with `schema` (and its namespace), partitioned by `spec`
  /// (unpartitioned by default), if the table does not exist, and returns its state; an
  /// existing table is returned as it is (its schema and spec may differ: appends check theirs
  /// against it).
  virtual Result<TableState> CreateTable(const TableIdentifier& id, const RowSchema& schema,
                                         const std::map<std::string, std::string>& properties = {},
                                         const PartitionSpec& spec = {}) = 0;

  /// Makes `updated` the table's current metadata if `base` is still current, and returns the
  /// new state. Conflict if another writer committed first (nothing changed).
  virtual Result<TableState> CommitTable(const TableIdentifier& id, const TableState& base,
                                         const TableMetadata& updated) = 0;

  /// Commits several tables atomically: all or none. The default fails with InvalidArgument
  /// ("not supported"); the REST catalog implements it where the server offers
  /// POST /v1/{prefix}/transactions/commit. Conflict when a base is no longer current.
  virtual Status CommitTransaction(const std::vector<TableCommit>& commits);

  /// Drops the table and deletes its files. NotFound if it does not exist.
  virtual Status DropTable(const TableIdentifier& id) = 0;

  /// The file system serving `location` (a file of one of this catalog's tables).
  virtual Result<std::shared_ptr<FileSystem>> FileSystemFor(const std::string& location);

  /// A handle through which table code (appends, scans) loads and commits table `id`. Loads
  /// the table once to find its file system: NotFound if it does not exist. The handle refers
  /// to this catalog, which must outlive it.
  Result<std::unique_ptr<TableOperations>> OpenTable(const TableIdentifier& id);
};

/// Whether opening a catalog may create its storage. Reading commands (sql, report, validate,
/// table describe) open kReadOnly: a warehouse directory or SQLite catalog file that does not
/// exist is NotFound rather than created empty (a mistyped --warehouse must not leave a
/// directory behind and then report "no such table"), and nothing is written.
enum class CatalogAccess { kReadWrite, kReadOnly };

/// Opens the catalog `properties` describe, with Iceberg's property names: "type" ("file", the
/// default, with "warehouse", a directory or file:// URI; "sql" or "jdbc", or catalog-impl =
/// org.apache.iceberg.jdbc.JdbcCatalog, for SqlCatalog with its "uri"; "rest" with "uri", see
/// RestCatalogProperties for Nessie's and Spark's names). InvalidArgument naming the property
/// for a missing or unsupported setting, and for a property the catalog does not read
/// (CatalogProperties::Check).
Result<std::unique_ptr<Catalog>> OpenCatalog(const std::map<std::string, std::string>& properties,
                                             CatalogAccess access = CatalogAccess::kReadWrite);

}  // namespace braid
