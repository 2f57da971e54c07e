#include "catalog/sql_catalog.h"

#include <charconv>
#include <set>

#include <fmt/format.h>

#include "catalog/postgres_backend.h"
#include "catalog/sql_uri.h"
#include "catalog/sqlite_backend.h"
#include "storage/location.h"
#include "table/random_ids.h"

namespace braid {
namespace {

// The layout pyiceberg's SqlCatalog creates (SQLAlchemy's create_all); Java's JdbcCatalog
// creates the same columns, with iceberg_type added by its V1 migration.
constexpr char kCreateTables[] =
    "CREATE TABLE IF NOT EXISTS iceberg_tables ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "table_namespace VARCHAR(255) NOT NULL, "
    "table_name VARCHAR(255) NOT NULL, "
    "metadata_location VARCHAR(1000), "
    "previous_metadata_location VARCHAR(1000), "
    "iceberg_type VARCHAR(5), "
    "PRIMARY KEY (catalog_name, table_namespace, table_name))";
constexpr char kCreateNamespaceProperties[] =
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "namespace VARCHAR(255) NOT NULL, "
    "property_key VARCHAR(255) NOT NULL, "
    "property_value VARCHAR(1000) NOT NULL, "
    "PRIMARY KEY (catalog_name, namespace, property_key))";
constexpr char kTableType[] = "TABLE";

Status CheckId(const TableIdentifier& id) {
  if (id.ns.empty() || id.name.empty()) {
    return Status::InvalidArgument(fmt::format("table \"{}\" needs a namespace and a name", id.ToString()));
  }
  return Status::Ok();
}

// LIKE pattern for sub-namespaces of `ns` ("a.b" → "a.b.%"), with '!' as the escape character.
std::string SubNamespacePattern(const std::string& ns) {
  std::string out;
  for (char c : ns) {
    if (c == '!' || c == '_' || c == '%') out.push_back('!');
    out.push_back(c);
  }
  return out + ".%";
}

}  // namespace

std::string SqlMetadataFileName(int64_t version, const std::string& uuid) {
  return fmt::format("{:05d}-{}.metadata.json", version, uuid);
}

int64_t SqlMetadataVersion(std::string_view location) {
  std::string_view name = BaseName(location);
  size_t dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0 || !name.ends_with(".metadata.json")) return -1;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + dash, v);
  if (ec != std::errc() || ptr != name.data() + dash || v < 0) return -1;
  return v;
}

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Open(const std::map<std::string, std::string>& properties,
                                                     CatalogAccess access) {
  BRAID_ASSIGN_OR_RETURN(SqlUri uri, SqlUri::Parse(properties));
  auto warehouse = properties.find("warehouse");
  if (warehouse == properties.end() || warehouse->second.empty()) {
    return Status::InvalidArgument(
        "the sql catalog needs a \"warehouse\" property: the directory or URI new tables go under");
  }
  std::unique_ptr<SqlBackend> backend;
  if (uri.kind == SqlUri::Kind::kSqlite) {
    BRAID_ASSIGN_OR_RETURN(backend, SqliteBackend::Open(uri.path, access == CatalogAccess::kReadWrite));
  } else {
    BRAID_ASSIGN_OR_RETURN(backend, PostgresBackend::Connect(uri));
  }
  return Open(std::move(backend), properties);
}

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Open(std::unique_ptr<SqlBackend> backend,
                                                     const std::map<std::string, std::string>& properties) {
  auto warehouse = properties.find("warehouse");
  if (warehouse == properties.end() || warehouse->second.empty()) {
    return Status::InvalidArgument(
        "the sql catalog needs a \"warehouse\" property: the directory or URI new tables go under");
  }
  std::string wh = warehouse->second.find("://") == std::string::npos && !warehouse->second.starts_with("file:")
                       ? FileUri(warehouse->second)
                       : warehouse->second;
  while (wh.size() > 8 && wh.back() == '/') wh.pop_back();
  auto name = properties.find("name");
  std::unique_ptr<SqlCatalog> catalog(new SqlCatalog(
      std::move(backend), name == properties.end() || name->second.empty() ? "default" : name->second,
      std::move(wh), properties));
  BRAID_RETURN_IF_ERROR(catalog->EnsureTables());
  return catalog;
}

Status SqlCatalog::EnsureTables() {
  std::lock_guard lock(mu_);
  for (const char* ddl : {kCreateTables, kCreateNamespaceProperties}) {
    Result<int64_t> r = backend_->Execute(ddl, {});
    // Two processes creating the tables at once: PostgreSQL may report the loser's CREATE as a
    // duplicate even with IF NOT EXISTS; the table is there either way.
    if (!r.ok() && r.status().kind() != StatusKind::kAlreadyExists) {
      return r.status().WithContext("creating the SQL catalog's tables");
    }
  }
  has_type_column_ = backend_->Query("SELECT iceberg_type FROM iceberg_tables WHERE 1 = 0", {}).ok();
  return Status::Ok();
}

std::string SqlCatalog::TypeFilter() const {
  return has_type_column_ ? fmt::format(" AND (iceberg_type = '{}' OR iceberg_type IS NULL)", kTableType) : "";
}

Result<std::shared_ptr<FileSystem>> SqlCatalog::FileSystemFor(const std::string& location) {
  return ::braid::FileSystemFor(location, properties_);
}

Result<bool> SqlCatalog::NamespaceExists(const std::string& ns) {
  std::string pattern = SubNamespacePattern(ns);
  BRAID_ASSIGN_OR_RETURN(
      auto rows, backend_->Query("SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND "
                                 "(table_namespace = ? OR table_namespace LIKE ? ESCAPE '!') LIMIT 1",
                                 {name_, ns, pattern}));
  if (!rows.empty()) return true;
  BRAID_ASSIGN_OR_RETURN(
      rows, backend_->Query("SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ? AND "
                            "(namespace = ? OR namespace LIKE ? ESCAPE '!') LIMIT 1",
                            {name_, ns, pattern}));
  return !rows.empty();
}

Result<std::vector<std::string>> SqlCatalog::ListNamespaces() {
  std::lock_guard lock(mu_);
  BRAID_ASSIGN_OR_RETURN(
      auto rows, backend_->Query("SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ? UNION "
                                 "SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?",
                                 {name_, name_}));
  std::set<std::string> names;
  for (const SqlRow& r : rows) {
    if (r[0]) names.insert(*r[0]);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Status SqlCatalog::CreateNamespace(const std::string& ns) {
  if (ns.empty()) return Status::InvalidArgument("a namespace name cannot be empty");
  std::lock_guard lock(mu_);
  BRAID_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
  if (exists) return Status::Ok();
  Result<int64_t> r = backend_->Execute(
      "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) "
      "VALUES (?, ?, 'exists', 'true')",
      {name_, ns});
  if (!r.ok() && r.status().kind() != StatusKind::kAlreadyExists) return r.status();
  return Status::Ok();
}

Result<std::vector<TableIdentifier>> SqlCatalog::ListTables(const std::string& ns) {
  std::lock_guard lock(mu_);
  BRAID_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
  if (!exists) {
    return Status::NotFound(fmt::format("namespace {} does not exist in catalog \"{}\" ({})", ns, name_,
                                        backend_->description()));
  }
  BRAID_ASSIGN_OR_RETURN(
      auto rows, backend_->Query("SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND "
                                 "table_namespace = ?" + TypeFilter() + " ORDER BY table_name",
                                 {name_, ns}));
  std::vector<TableIdentifier> out;
  for (const SqlRow& r : rows) {
    if (r[0]) out.push_back({ns, *r[0]});
  }
  return out;
}

Status SqlCatalog::TableNotFound(const TableIdentifier& id) {
  std::string hint;
  Result<std::vector<SqlRow>> others = backend_->Query(
      "SELECT DISTINCT catalog_name FROM iceberg_tables WHERE table_namespace = ? AND table_name = ?",
      {id.ns, id.name});
  if (others.ok() && !others->empty() && (*others)[0][0]) {
    hint = fmt::format("; the database has it under catalog name \"{}\": set the catalog property name={}",
                       *(*others)[0][0], *(*others)[0][0]);
  }
  return Status::NotFound(fmt::format("table {} does not exist in catalog \"{}\" ({}){}", id.ToString(),
                                      name_, backend_->description(), hint));
}

Result<std::string> SqlCatalog::CurrentLocation(const TableIdentifier& id) {
  BRAID_ASSIGN_OR_RETURN(
      auto rows, backend_->Query("SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND "
                                 "table_namespace = ? AND table_name = ?" + TypeFilter(),
                                 {name_, id.ns, id.name}));
  if (rows.empty()) return TableNotFound(id);
  if (!rows[0][0] || rows[0][0]->empty()) {
    return Status::Corruption(fmt::format("table {} has no metadata_location in {}", id.ToString(),
                                          backend_->description()));
  }
  return *rows[0][0];
}

Result<TableState> SqlCatalog::LoadLocked(const TableIdentifier& id) {
  BRAID_RETURN_IF_ERROR(CheckId(id));
  BRAID_ASSIGN_OR_RETURN(std::string location, CurrentLocation(id));
  BRAID_ASSIGN_OR_RETURN(std::shared_ptr<FileSystem> fs, FileSystemFor(location));
  Result<std::string> text = fs->ReadFile(location);
  if (!text.ok()) return text.status().WithContext(fmt::format("table {}", id.ToString()));
  BRAID_ASSIGN_OR_RETURN(TableMetadata metadata, ParseTableMetadata(*text, location));
  return TableState{std::move(metadata), std::move(location)};
}

Result<TableState> SqlCatalog::LoadTable(const TableIdentifier& id) {
  std::lock_guard lock(mu_);
  return LoadLocked(id);
}

Result<std::string> SqlCatalog::TableLocation(const TableIdentifier& id) {
  // pyiceberg puts a table under its namespace's "location" property when there is one.
  BRAID_ASSIGN_OR_RETURN(
      auto rows, backend_->Query("SELECT property_value FROM iceberg_namespace_properties WHERE "
                                 "catalog_name = ? AND namespace = ? AND property_key = 'location'",
                                 {name_, id.ns}));
  if (!rows.empty() && rows[0][0] && !rows[0][0]->empty()) {
    std::string base = *rows[0][0];
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    return JoinLocation(base, id.name);
  }
  return JoinLocation(JoinLocation(warehouse_, id.ns), id.name);
}

Result<TableState> SqlCatalog::CreateTable(const TableIdentifier& id, const RowSchema& schema,
                                           const std::map<std::string, std::string>& properties,
                                           const PartitionSpec& spec) {
  BRAID_RETURN_IF_ERROR(CheckId(id));
  std::lock_guard lock(mu_);
  Result<TableState> existing = LoadLocked(id);
  if (existing.ok() || existing.status().kind() != StatusKind::kNotFound) return existing;

  BRAID_ASSIGN_OR_RETURN(std::string location, TableLocation(id));
  TableMetadata metadata = TableMetadata::NewTable(location, schema, properties, NowMillis(), spec);
  std::string metadata_dir = metadata.MetadataLocation();
  std::string file = JoinLocation(metadata_dir, SqlMetadataFileName(0, RandomUuid()));
  BRAID_ASSIGN_OR_RETURN(std::shared_ptr<FileSystem> fs, FileSystemFor(file));
  BRAID_RETURN_IF_ERROR(fs->CreateDirectories(metadata_dir));
  BRAID_RETURN_IF_ERROR(fs->CreateFileExclusive(file, SerializeTableMetadata(metadata)));

  Status st = [&]() -> Status {
    BRAID_RETURN_IF_ERROR(backend_->Begin());
    BRAID_ASSIGN_OR_RETURN(bool ns_exists, NamespaceExists(id.ns));
    if (!ns_exists) {
      BRAID_RETURN_IF_ERROR(backend_->Execute(
          "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) "
          "VALUES (?, ?, 'exists', 'true')", {name_, id.ns}).status());
    }
    std::vector<SqlValue> row = {name_, id.ns, id.name, file};
    std::string insert =
        "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
        "previous_metadata_location";
    if (has_type_column_) {
      insert += ", iceberg_type) VALUES (?, ?, ?, ?, NULL, ?)";
      row.emplace_back(kTableType);
    } else {
      insert += ") VALUES (?, ?, ?, ?, NULL)";
    }
    BRAID_RETURN_IF_ERROR(backend_->Execute(insert, row).status());
    return backend_->Commit();
  }();
  if (!st.ok()) {
    backend_->Rollback();
    (void)fs->DeleteFile(file);
    if (st.kind() == StatusKind::kAlreadyExists) return LoadLocked(id);  // created concurrently
    return st.WithContext(fmt::format("creating table {}", id.ToString()));
  }
  return TableState{std::move(metadata), std::move(file)};
}

Result<TableState> SqlCatalog::CommitTable(const TableIdentifier& id, const TableState& base,
                                           const TableMetadata& updated) {
  BRAID_RETURN_IF_ERROR(CheckId(id));
  if (updated.table_uuid != base.metadata.table_uuid) {
    return Status::InvalidArgument(fmt::format("table {}: a commit cannot change table-uuid", id.ToString()));
  }
  std::lock_guard lock(mu_);
  int64_t version = SqlMetadataVersion(base.metadata_location) + 1;
  std::string file = JoinLocation(updated.MetadataLocation(), SqlMetadataFileName(version, RandomUuid()));
  BRAID_ASSIGN_OR_RETURN(std::shared_ptr<FileSystem> fs, FileSystemFor(file));
  BRAID_RETURN_IF_ERROR(fs->CreateFileExclusive(file, SerializeTableMetadata(updated)));

  Result<int64_t> changed = backend_->Execute(
      "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? "
      "WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?",
      {file, base.metadata_location, name_, id.ns, id.name, base.metadata_location});
  if (changed.ok() && *changed == 1) return TableState{updated, std::move(file)};

  // Lost, or unknown when the statement failed (the connection may have dropped after the
  // server applied it): the row says which.
  Result<std::string> current = CurrentLocation(id);
  if (current.ok() && *current == file) return TableState{updated, std::move(file)};
  if (!changed.ok() && !current.ok()) {
    return changed.status().WithContext(fmt::format(
        "committing table {} (the commit may or may not have happened; reload the table to see)",
        id.ToString()));
  }
  (void)fs->DeleteFile(file);  // nobody points at it
  if (!current.ok()) return current.status();
  if (!changed.ok()) return changed.status().WithContext(fmt::format("committing table {}", id.ToString()));
  if (*changed > 1) {
    return Status::Internal(fmt::format("table {}: the commit changed {} rows of iceberg_tables, not one",
                                        id.ToString(), *changed));
  }
  return Status::Conflict(fmt::format(
      "table {}: another writer committed first (current metadata {}, ours was based on {}); reload and retry",
      id.ToString(), *current, base.metadata_location));
}

Status SqlCatalog::DropTable(const TableIdentifier& id) {
  BRAID_RETURN_IF_ERROR(CheckId(id));
  std::lock_guard lock(mu_);
  BRAID_ASSIGN_OR_RETURN(std::string location, CurrentLocation(id));  // NotFound without a row
  Result<TableState> state = LoadLocked(id);
  BRAID_ASSIGN_OR_RETURN(
      int64_t changed, backend_->Execute("DELETE FROM iceberg_tables WHERE catalog_name = ? AND "
                                         "table_namespace = ? AND table_name = ?" + TypeFilter(),
                                         {name_, id.ns, id.name}));
  if (changed == 0) return TableNotFound(id);
  if (!state.ok()) return Status::Ok();  // the row is gone; its unreadable metadata names no files
  BRAID_ASSIGN_OR_RETURN(std::shared_ptr<FileSystem> fs, FileSystemFor(state->metadata.location));
  return fs->DeleteRecursively(state->metadata.location);
}

}  // namespace braid
