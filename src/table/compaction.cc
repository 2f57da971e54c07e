#include "table/compaction.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "base/crash_point.h"
#include "storage/location.h"
#include "table/manifest_list_writer.h"
#include "table/manifest_reader.h"
#include "table/manifest_writer.h"
#include "table/parquet_compression.h"
#include "table/partition_splitter.h"
#include "table/random_ids.h"
#include "table/snapshot_summary.h"
#include "table/table_appender.h"
#include "table/table_scan.h"

namespace braid {
namespace {

constexpr int kMaxAttempts = 20;
constexpr int64_t kDefaultTargetFileSize = int64_t{512} * 1024 * 1024;

// Manifests are immutable: each is read once per compaction however many attempts it takes.
class ManifestCache {
 public:
  Result<const std::vector<ManifestEntry>*> Read(FileSystem& fs, const ManifestFile& mf) {
    auto it = cache_.find(mf.manifest_path);
    if (it == cache_.end()) {
      BRAID_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ManifestReader::Read(fs, mf));
      it = cache_.emplace(mf.manifest_path, std::move(entries)).first;
    }
    return &it->second;
  }

 private:
  std::map<std::string, std::vector<ManifestEntry>> cache_;
};

Status RefuseDeletes(const TableOperations& table, const std::string& what) {
  return Status::InvalidArgument(fmt::format(
      "table {} has delete files ({}): braid does not compact merge-on-read tables",
      table.id().ToString(), what));
}

// Local copies of input files that live in an object store, removed when done. Local inputs
// are read where they are.
class LocalInputs {
 public:
  ~LocalInputs() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Result<std::string> Get(FileSystem& fs, const std::string& location) {
    if (IsLocalLocation(location)) return LocalPath(location);
    if (dir_.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "braid-compact-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) return Status::IoError("cannot create a temporary directory");
      dir_ = pattern;
    }
    BRAID_ASSIGN_OR_RETURN(std::string bytes, fs.ReadFile(location));
    std::string path = fmt::format("{}/{}.parquet", dir_, next_++);
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.good()) return Status::IoError(fmt::format("cannot write a local copy of {} to {}", location, path));
    return path;
  }

 private:
  std::string dir_;
  int next_ = 0;
};

// The bins of small files to rewrite, each of two or more files and at most `target` bytes.
std::vector<std::vector<DataFile>> PlanBins(const TableMetadata& m, const std::vector<ManifestEntry>& live,
                                            int64_t target, int64_t added_before_ms) {
  std::vector<std::vector<DataFile>> bins;
  std::vector<int64_t> bin_bytes;
  std::map<std::string, size_t> open;  // partition tuple → its bin being filled
  const bool partitioned = !m.DefaultSpec()->unpartitioned();
  for (const ManifestEntry& e : live) {
    const DataFile& f = e.data_file;
    if (f.file_size_in_bytes >= target / 4 * 3) continue;
    std::string format = f.file_format;
    std::transform(format.begin(), format.end(), format.begin(), ::toupper);
    if (format != "PARQUET") continue;
    if (added_before_ms > 0 && e.snapshot_id) {
      const Snapshot* added = m.SnapshotById(*e.snapshot_id);  // expired: old enough
      if (added != nullptr && added->timestamp_ms >= added_before_ms) continue;
    }
    // Files are merged only with files of the same partition: a merged file has one tuple.
    // Into an unpartitioned spec any files merge (the new file is written under it); files of
    // an older spec of a partitioned table keep their layout.
    if (partitioned && f.spec_id != m.default_spec_id) continue;
    const std::string key = partitioned ? PartitionKey(f.partition) : std::string();
    auto it = open.find(key);
    if (it == open.end() || bin_bytes[it->second] + f.file_size_in_bytes > target) {
      bins.emplace_back();
      bin_bytes.push_back(0);
      it = open.insert_or_assign(key, bins.size() - 1).first;
    }
    bins[it->second].push_back(f);
    bin_bytes[it->second] += f.file_size_in_bytes;
  }
  std::erase_if(bins, [](const std::vector<DataFile>& b) { return b.size() < 2; });
  return bins;
}

// Deletes files this compaction wrote and no commit references.
void DeleteAll(FileSystem& fs, const std::vector<std::string>& locations) {
  for (const std::string& l : locations) (void)fs.DeleteFile(l);
}

}  // namespace

Result<int64_t> CompactionTargetSize(const TableMetadata& m, const CompactOptions& options) {
  if (options.target_file_size > 0) return options.target_file_size;
  return m.PositiveProperty("write.target-file-size-bytes", kDefaultTargetFileSize);
}

Result<CompactResult> Compact(TableOperations& table, DataFileWriter& writer, const CompactOptions& options) {
  return Compact(table, [&writer]() -> Result<DataFileWriter*> { return &writer; }, options);
}

Result<CompactResult> Compact(TableOperations& table, const DataFileWriterSource& writer_source,
                              const CompactOptions& options) {
  FileSystem& fs = table.io();
  BRAID_ASSIGN_OR_RETURN(TableState start, table.Refresh());
  const TableMetadata& m = start.metadata;
  BRAID_RETURN_IF_ERROR(CheckWritable(table, m));
  CompactResult result;
  BRAID_ASSIGN_OR_RETURN(result.target_file_size, CompactionTargetSize(m, options));
  BRAID_ASSIGN_OR_RETURN(RowSchema schema, m.CurrentSchema()->ToRowSchema());
  BRAID_ASSIGN_OR_RETURN(ParquetCompression compression, ParquetCompression::Of(m));
  const Snapshot* head = m.CurrentSnapshot();
  if (head == nullptr) return result;

  ManifestCache cache;
  std::vector<ManifestEntry> live;
  BRAID_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, TableScan::Manifests(fs, *head));
  for (const ManifestFile& mf : manifests) {
    if (mf.content != 0) return RefuseDeletes(table, mf.manifest_path);
    BRAID_ASSIGN_OR_RETURN(const std::vector<ManifestEntry>* entries, cache.Read(fs, mf));
    for (const ManifestEntry& e : *entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (e.data_file.content != 0) return RefuseDeletes(table, e.data_file.file_path);
      live.push_back(e);
    }
  }
  result.live_files = live.size();
  std::vector<std::vector<DataFile>> bins = PlanBins(m, live, result.target_file_size, options.added_before_ms);
  std::vector<DataFile> replaced;
  std::set<std::string> replaced_paths;
  for (const std::vector<DataFile>& bin : bins) {
    for (const DataFile& f : bin) {
      replaced.push_back(f);
      replaced_paths.insert(CanonicalLocation(f.file_path));
      result.rewritten_bytes += f.file_size_in_bytes;
      result.rows += f.record_count;
    }
  }
  result.rewritten_files = replaced.size();
  if (bins.empty() || options.dry_run) {
    result.written_files = bins.size();
    return result;
  }

  BRAID_ASSIGN_OR_RETURN(DataFileWriter* const writer, writer_source());
  // The new files, and the manifest that adds them: written once, whatever the attempts.
  std::vector<std::string> written;
  std::vector<DataFile> added;
  const std::string data_dir = m.DataLocation();
  BRAID_RETURN_IF_ERROR(fs.CreateDirectories(data_dir));
  for (const std::vector<DataFile>& bin : bins) {
    LocalInputs inputs;
    std::vector<std::string> local_inputs;
    Status st;
    for (const DataFile& f : bin) {
      Result<std::string> local = inputs.Get(fs, f.file_path);
      if (!local.ok()) {
        st = local.status().WithContext(fmt::format("reading {}", f.file_path));
        break;
      }
      local_inputs.push_back(*local);
    }
    const std::string location = JoinLocation(data_dir, RandomUuid() + ".parquet");
    Result<DataFile> file = Status::Internal("not written");
    if (st.ok()) {
      Result<std::string> local = fs.LocalPathForWrite(location);
      if (!local.ok()) {
        st = local.status();
      } else if (file = writer->Rewrite(schema, bin, local_inputs, *local, location, compression); !file.ok()) {
        st = file.status();
      } else {
        st = fs.FinishLocalWrite(*local, location);
      }
    }
    if (!st.ok()) {
      DeleteAll(fs, written);
      (void)fs.DeleteFile(location);
      return st;
    }
    written.push_back(location);
    file->spec_id = m.default_spec_id;
    if (!m.DefaultSpec()->unpartitioned()) file->partition = bin.front().partition;
    result.written_bytes += file->file_size_in_bytes;
    added.push_back(std::move(*file));
    CrashPoint("compact-after-data-file");
  }
  result.written_files = added.size();

  const SnapshotId snapshot_id = RandomSnapshotId();
  const std::string metadata_dir = m.MetadataLocation();
  BRAID_RETURN_IF_ERROR(fs.CreateDirectories(metadata_dir));
  Result<ManifestFile> added_manifest =
      ManifestWriter::Write(fs, JoinLocation(metadata_dir, RandomUuid() + "-m0.avro"), *m.CurrentSchema(),
                            *m.DefaultSpec(), snapshot_id, added);
  if (!added_manifest.ok()) {
    DeleteAll(fs, written);
    return added_manifest.status();
  }
  written.push_back(added_manifest->manifest_path);

  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    result.attempts = attempt;
    Result<TableState> base = table.Refresh();
    if (!base.ok()) {
      DeleteAll(fs, written);
      return base.status();
    }
    const TableMetadata& now = base->metadata;
    if (now.SnapshotById(snapshot_id) != nullptr) {  // an earlier attempt's lost answer did land
      result.snapshot = snapshot_id;
      return result;
    }
    std::vector<std::string> attempt_files;
    auto fail = [&](Status st) {
      DeleteAll(fs, attempt_files);
      DeleteAll(fs, written);
      return st;
    };
    const int64_t sequence_number = now.last_sequence_number + 1;
    std::vector<ManifestFile> list;
    ManifestFile first = *added_manifest;
    ManifestWriter::SetSequenceNumber(first, sequence_number);
    list.push_back(first);
    // Rebuild the manifest list on the current head: the manifests listing a replaced file are
    // rewritten as one, with those entries DELETED and the rest EXISTING; every other manifest
    // is carried but one whose entries are all DELETED (an earlier compaction's record).
    size_t found = 0;
    std::vector<ManifestEntry> rewritten;
    const Snapshot* current = now.CurrentSnapshot();
    Result<std::vector<ManifestFile>> current_manifests =
        current ? TableScan::Manifests(fs, *current) : Result<std::vector<ManifestFile>>(std::vector<ManifestFile>{});
    if (!current_manifests.ok()) return fail(current_manifests.status());
    for (const ManifestFile& mf : *current_manifests) {
      if (OnlyDeletedEntries(mf)) continue;
      if (mf.content != 0) return fail(RefuseDeletes(table, mf.manifest_path));
      Result<const std::vector<ManifestEntry>*> entries = cache.Read(fs, mf);
      if (!entries.ok()) return fail(entries.status());
      size_t hits = 0;
      for (const ManifestEntry& e : **entries) {
        hits += e.status != EntryStatus::kDeleted && replaced_paths.count(CanonicalLocation(e.data_file.file_path));
      }
      if (hits == 0) {
        list.push_back(mf);
        continue;
      }
      found += hits;
      for (const ManifestEntry& e : **entries) {
        if (e.status == EntryStatus::kDeleted) continue;
        ManifestEntry copy = e;
        if (replaced_paths.count(CanonicalLocation(e.data_file.file_path))) {
          copy.status = EntryStatus::kDeleted;
          copy.snapshot_id = snapshot_id;
        } else {
          copy.status = EntryStatus::kExisting;
        }
        rewritten.push_back(std::move(copy));
      }
    }
    if (!rewritten.empty()) {
      Result<ManifestFile> rw = ManifestWriter::Write(fs, JoinLocation(metadata_dir, RandomUuid() + "-m1.avro"),
                                                      *now.CurrentSchema(), *now.DefaultSpec(), snapshot_id, rewritten);
      if (!rw.ok()) return fail(rw.status());
      attempt_files.push_back(rw->manifest_path);
      ManifestWriter::SetSequenceNumber(*rw, sequence_number);
      list.insert(list.begin() + 1, std::move(*rw));
    }
    if (found != replaced.size()) {
      return fail(Status::Conflict(fmt::format(
          "table {}: another commit removed {} of the {} files this compaction rewrote; nothing was "
          "committed (run compact again)", table.id().ToString(), replaced.size() - found, replaced.size())));
    }
    Result<SummaryTotals> totals = SnapshotSummary::TotalsOf(fs, current);
    if (!totals.ok()) return fail(totals.status());
    const std::string list_location = JoinLocation(
        metadata_dir, fmt::format("snap-{}-{}-{}.avro", snapshot_id.value(), attempt, RandomUuid()));
    Status listed = ManifestListWriter::Write(fs, list_location, snapshot_id,
                                              current ? std::optional(current->id) : std::nullopt,
                                              sequence_number, list);
    if (!listed.ok()) return fail(listed);
    attempt_files.push_back(list_location);

    Snapshot snapshot = now.NextSnapshot(snapshot_id, list_location,
                                         SnapshotSummary::ForReplace(*totals, added, replaced));
    TableMetadata updated = now;
    updated.AddSnapshot(std::move(snapshot), base->metadata_location);
    CrashPoint("compact-before-commit");
    Result<TableState> committed = table.Commit(*base, updated);
    if (committed.ok()) {
      result.snapshot = snapshot_id;
      return result;
    }
    // Any failure but a lost race may have landed (an unanswered request): delete nothing then.
    if (committed.status().kind() != StatusKind::kConflict) return committed.status();
    DeleteAll(fs, attempt_files);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 * attempt * attempt, 500)));
  }
  DeleteAll(fs, written);
  return Status::Conflict(fmt::format("table {}: gave up compacting after {} commits lost to other writers",
                                      table.id().ToString(), kMaxAttempts));
}

}  // namespace braid
