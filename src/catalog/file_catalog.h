#pragma once
// FileCatalog: the embedded default catalog, a warehouse directory laid out like Iceberg's
// Hadoop catalog:
//   <warehouse>/<namespace>/<table>/metadata/v<N>.metadata.json   (one per commit)
//   <warehouse>/<namespace>/<table>/metadata/version-hint.text    (N, no newline)
//   <warehouse>/<namespace>/<table>/metadata/*.avro               (manifests, manifest lists)
//   <warehouse>/<namespace>/<table>/data/*.parquet
// A commit creates v<N+1> atomically only if it does not exist yet (so of two writers on the
// same base exactly one wins; the other gets Conflict; on S3 through If-None-Match), then rewrites version-hint.text.
// Readers trust the hint only as a start and probe for newer versions, so a crash between the
// two steps loses nothing. Safe for concurrent writers on a local file system and on object stores
// that honour If-None-Match (Open refuses the others). Thread-safe.

#include <memory>
#include <string>

#include "catalog/catalog.h"

namespace braid {

class FileCatalog final : public Catalog {
 public:
  /// Opens (creating if needed) the warehouse at `warehouse`: a local directory, a file:// URI
  /// or an s3:// location. `fs` replaces the file system the location calls for (OpenCatalog
  /// passes one configured from the catalog properties; tests inject faults through it).
  /// InvalidArgument when the file system does not honour atomic create-if-absent (some object
  /// stores ignore If-None-Match): commits would not be safe there. With kReadOnly a local
  /// warehouse must exist (NotFound otherwise) and nothing is created or probed.
  static Result<std::unique_ptr<FileCatalog>> Open(const std::string& warehouse,
                                                   std::string name = "braid",
                                                   std::shared_ptr<FileSystem> fs = nullptr,
                                                   CatalogAccess access = CatalogAccess::kReadWrite);

  const std::string& name() const override { return name_; }
  Result<std::vector<std::string>> ListNamespaces() override;
  Status CreateNamespace(const std::string& ns) override;
  Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) override;
  Result<TableState> LoadTable(const TableIdentifier& id) override;
  Result<TableState> CreateTable(const TableIdentifier& id, const RowSchema& schema,
                                 const std::map<std::string, std::string>& properties = {},
                                 const PartitionSpec& spec = {}) override;
  Result<TableState> CommitTable(const TableIdentifier& id, const TableState& base,
                                 const TableMetadata& updated) override;
  Status DropTable(const TableIdentifier& id) override;
  /// The catalog's own file system, for every location.
  Result<std::shared_ptr<FileSystem>> FileSystemFor(const std::string& location) override;

  /// The warehouse as a file:// URI.
  const std::string& warehouse() const { return warehouse_; }
  /// The table's directory: <warehouse>/<ns>/<table> as a file:// URI.
  std::string TableLocation(const TableIdentifier& id) const;

 private:
  FileCatalog(std::string warehouse, std::string name, std::shared_ptr<FileSystem> fs)
      : warehouse_(std::move(warehouse)), name_(std::move(name)), fs_(std::move(fs)) {}

  /// The newest metadata version of a table, or NotFound.
  Result<int64_t> CurrentVersion(const std::string& metadata_dir, const TableIdentifier& id);
  Result<bool> IsTableDirectory(const std::string& location);

  std::string warehouse_;
  std::string name_;
  std::shared_ptr<FileSystem> fs_;
};

}  // namespace braid
