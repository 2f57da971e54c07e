#include "catalog/file_catalog.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "base/crash_point.h"
#include "storage/location.h"
#include "table/random_ids.h"

namespace braid {
namespace {

constexpr char kVersionHint[] = "version-hint.text";

// Namespace and table names become directory names: keep them to one safe path component.
Status CheckName(std::string_view kind, std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.front() == '.' ||
      name.find_first_of(std::string_view("/\\\0", 3)) != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format(
        "{} name \"{}\" is not usable as a directory name (no '/', no leading '.')", kind, name));
  }
  return Status::Ok();
}

Status CheckId(const TableIdentifier& id) {
  BRAID_RETURN_IF_ERROR(CheckName("namespace", id.ns));
  return CheckName("table", id.name);
}

std::optional<int64_t> ParseVersion(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 1) return std::nullopt;
  return v;
}

// "v12.metadata.json" → 12.
std::optional<int64_t> VersionOfFile(std::string_view name) {
  constexpr std::string_view kSuffix = ".metadata.json";
  if (!name.starts_with("v") || !name.ends_with(kSuffix)) return std::nullopt;
  return ParseVersion(name.substr(1, name.size() - 1 - kSuffix.size()));
}

std::string VersionFile(const std::string& metadata_dir, int64_t version) {
  return JoinLocation(metadata_dir, fmt::format("v{}.metadata.json", version));
}

}  // namespace

Result<std::unique_ptr<FileCatalog>> FileCatalog::Open(const std::string& warehouse, std::string name,
                                                       std::shared_ptr<FileSystem> fs, CatalogAccess access) {
  // Only a plain path becomes a file:// URI; "s3://b/w" (or a mistyped "s3:/w") must never turn
  // into a local directory named "s3:".
  std::string uri = IsLocalLocation(warehouse) && !warehouse.starts_with("file:") ? FileUri(warehouse) : warehouse;
  while (uri.size() > 8 && uri.back() == '/') uri.pop_back();
  if (!fs) {
    BRAID_ASSIGN_OR_RETURN(fs, ::braid::FileSystemFor(uri));
  }
  if (access == CatalogAccess::kReadOnly) {
    // An object store has no directories to check: a missing warehouse there lists as empty.
    if (IsLocalLocation(uri)) {
      BRAID_ASSIGN_OR_RETURN(bool exists, fs->Exists(uri));
      if (!exists) {
        return Status::NotFound(fmt::format(
            "warehouse directory {} does not exist; give the --warehouse (or [catalog] warehouse) "
            "that braid join wrote to", warehouse));
      }
    }
    return std::unique_ptr<FileCatalog>(new FileCatalog(std::move(uri), std::move(name), std::move(fs)));
  }
  Status st = fs->CreateDirectories(uri);
  if (!st.ok()) return st.WithContext(fmt::format("opening warehouse {}", warehouse));
  // Commits rely on create-if-absent being atomic; where the store ignores it two writers could
  // both "win" and one would silently lose its snapshot.
  Result<bool> exclusive = fs->SupportsExclusiveCreate(uri);
  if (!exclusive.ok()) return exclusive.status().WithContext(fmt::format("opening warehouse {}", warehouse));
  if (!*exclusive) {
    return Status::InvalidArgument(fmt::format(
        "the file catalog needs atomic create-if-absent, which {} does not honour: use a sql or rest catalog",
        fs->StoreName()));
  }
  return std::unique_ptr<FileCatalog>(new FileCatalog(std::move(uri), std::move(name), std::move(fs)));
}

Result<std::shared_ptr<FileSystem>> FileCatalog::FileSystemFor(const std::string&) { return fs_; }

std::string FileCatalog::TableLocation(const TableIdentifier& id) const {
  return JoinLocation(JoinLocation(warehouse_, id.ns), id.name);
}

Result<bool> FileCatalog::IsTableDirectory(const std::string& location) {
  Result<std::vector<FileInfo>> files = fs_->List(JoinLocation(location, "metadata"));
  if (!files.ok()) {
    if (files.status().kind() == StatusKind::kNotFound) return false;
    return files.status();
  }
  for (const FileInfo& f : *files) {
    if (f.name == kVersionHint || VersionOfFile(f.name)) return true;
  }
  return false;
}

Result<std::vector<std::string>> FileCatalog::ListNamespaces() {
  BRAID_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, fs_->List(warehouse_));
  std::vector<std::string> out;
  for (const FileInfo& e : entries) {
    if (!e.is_directory || e.name.starts_with(".")) continue;
    BRAID_ASSIGN_OR_RETURN(bool is_table, IsTableDirectory(JoinLocation(warehouse_, e.name)));
    if (!is_table) out.push_back(e.name);
  }
  return out;
}

Status FileCatalog::CreateNamespace(const std::string& ns) {
  BRAID_RETURN_IF_ERROR(CheckName("namespace", ns));
  return fs_->CreateDirectories(JoinLocation(warehouse_, ns));
}

Result<std::vector<TableIdentifier>> FileCatalog::ListTables(const std::string& ns) {
  BRAID_RETURN_IF_ERROR(CheckName("namespace", ns));
  std::string dir = JoinLocation(warehouse_, ns);
  Result<std::vector<FileInfo>> entries = fs_->List(dir);
  if (!entries.ok()) {
    if (entries.status().kind() == StatusKind::kNotFound) {
      return Status::NotFound(fmt::format("namespace {} does not exist in {}", ns, warehouse_));
    }
    return entries.status();
  }
  std::vector<TableIdentifier> out;
  for (const FileInfo& e : *entries) {
    if (!e.is_directory || e.name.starts_with(".")) continue;
    BRAID_ASSIGN_OR_RETURN(bool is_table, IsTableDirectory(JoinLocation(dir, e.name)));
    if (is_table) out.push_back({ns, e.name});
  }
  return out;
}

Result<int64_t> FileCatalog::CurrentVersion(const std::string& metadata_dir, const TableIdentifier& id) {
  Result<std::string> hint = fs_->ReadFile(JoinLocation(metadata_dir, kVersionHint));
  std::optional<int64_t> version = hint.ok() ? ParseVersion(*hint) : std::nullopt;
  if (version) {
    BRAID_ASSIGN_OR_RETURN(bool exists, fs_->Exists(VersionFile(metadata_dir, *version)));
    if (!exists) version.reset();
  }
  if (!version) {
    // No usable hint: the newest vN.metadata.json present.
    Result<std::vector<FileInfo>> files = fs_->List(metadata_dir);
    if (!files.ok() && files.status().kind() != StatusKind::kNotFound) return files.status();
    int64_t newest = 0;  // versions start at 1
    if (files.ok()) {
      for (const FileInfo& f : *files) newest = std::max(newest, VersionOfFile(f.name).value_or(0));
    }
    if (newest == 0) return Status::NotFound(fmt::format("table {} does not exist", id.ToString()));
    version = newest;
  }
  // The hint is rewritten after each commit; a writer that crashed in between left it stale.
  while (true) {
    BRAID_ASSIGN_OR_RETURN(bool newer, fs_->Exists(VersionFile(metadata_dir, *version + 1)));
    if (!newer) return *version;
    ++*version;
  }
}

Result<TableState> FileCatalog::LoadTable(const TableIdentifier& id) {
  BRAID_RETURN_IF_ERROR(CheckId(id));
  std::string metadata_dir = JoinLocation(TableLocation(id), "metadata");
  BRAID_ASSIGN_OR_RETURN(int64_t version, CurrentVersion(metadata_dir, id));
  std::string location = VersionFile(metadata_dir, version);
  BRAID_ASSIGN_OR_RETURN(std::string text, fs_->ReadFile(location));
  BRAID_ASSIGN_OR_RETURN(TableMetadata metadata, ParseTableMetadata(text, location));
  return TableState{std::move(metadata), location};
}

Result<TableState> FileCatalog::CreateTable(const TableIdentifier& id, const RowSchema& schema,
                                            const std::map<std::string, std::string>& properties,
                                           const PartitionSpec& spec) {
  BRAID_RETURN_IF_ERROR(CheckId(id));
  Result<TableState> existing = LoadTable(id);
  if (existing.ok() || existing.status().kind() != StatusKind::kNotFound) return existing;
  std::string location = TableLocation(id);
  std::string metadata_dir = JoinLocation(location, "metadata");
  BRAID_RETURN_IF_ERROR(fs_->CreateDirectories(metadata_dir));
  TableMetadata metadata = TableMetadata::NewTable(location, schema, properties, NowMillis(), spec);
  std::string first = VersionFile(metadata_dir, 1);
  Status st = fs_->CreateFileExclusive(first, SerializeTableMetadata(metadata));
  if (st.kind() == StatusKind::kAlreadyExists) return LoadTable(id);  // created concurrently
  BRAID_RETURN_IF_ERROR(st);
  (void)fs_->WriteFile(JoinLocation(metadata_dir, kVersionHint), "1");  // readers probe past a stale hint
  return TableState{std::move(metadata), first};
}

Result<TableState> FileCatalog::CommitTable(const TableIdentifier& id, const TableState& base,
                                            const TableMetadata& updated) {
  BRAID_RETURN_IF_ERROR(CheckId(id));
  std::string metadata_dir = JoinLocation(TableLocation(id), "metadata");
  std::optional<int64_t> base_version = VersionOfFile(BaseName(base.metadata_location));
  if (!base_version || ParentLocation(base.metadata_location) != metadata_dir) {
    return Status::InvalidArgument(fmt::format(
        "table {}: base metadata {} is not a version of this table", id.ToString(), base.metadata_location));
  }
  if (updated.table_uuid != base.metadata.table_uuid) {
    return Status::InvalidArgument(fmt::format("table {}: a commit cannot change table-uuid", id.ToString()));
  }
  std::string next = VersionFile(metadata_dir, *base_version + 1);
  Status st = fs_->CreateFileExclusive(next, SerializeTableMetadata(updated));
  if (st.kind() == StatusKind::kAlreadyExists) {
    return Status::Conflict(fmt::format(
        "table {}: another writer committed version {} first; reload and retry", id.ToString(),
        *base_version + 1));
  }
  BRAID_RETURN_IF_ERROR(st);
  CrashPoint("before-version-hint");
  // The commit is done once v<N+1> exists; a failed hint update only makes readers probe.
  (void)fs_->WriteFile(JoinLocation(metadata_dir, kVersionHint), std::to_string(*base_version + 1));
  return TableState{updated, next};
}

Status FileCatalog::DropTable(const TableIdentifier& id) {
  BRAID_RETURN_IF_ERROR(CheckId(id));
  std::string location = TableLocation(id);
  BRAID_ASSIGN_OR_RETURN(bool is_table, IsTableDirectory(location));
  if (!is_table) return Status::NotFound(fmt::format("table {} does not exist", id.ToString()));
  return fs_->DeleteRecursively(location);
}

}  // namespace braid
