#include "table/table_appender.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "base/crash_point.h"
#include "storage/location.h"
#include "table/manifest_list_reader.h"
#include "table/manifest_list_writer.h"
#include "table/manifest_merge.h"
#include "table/manifest_schemas.h"
#include "table/manifest_writer.h"
#include "table/partition_splitter.h"
#include "table/random_ids.h"
#include "table/snapshot_summary.h"

namespace braid {
namespace {

constexpr int64_t kDefaultTargetFileSize = int64_t{512} * 1024 * 1024;  // Iceberg's default

}  // namespace

Status CheckWritable(const TableOperations& table, const TableMetadata& m) {
  if (m.format_version != 2) {
    return Status::InvalidArgument(fmt::format(
        "table {} is Iceberg format v{}: braid appends to format v2 tables only",
        table.id().ToString(), m.format_version));
  }
  if (m.CurrentSchema() == nullptr) {
    return Status::Corruption(fmt::format("table {} has no current schema", table.id().ToString()));
  }
  const PartitionSpec* spec = m.DefaultSpec();
  if (spec == nullptr) {
    return Status::Corruption(fmt::format("table {} has no default partition spec", table.id().ToString()));
  }
  if (spec->unpartitioned()) return Status::Ok();
  Result<RowSchema> rows = m.CurrentSchema()->ToRowSchema();
  Status st = rows.ok() ? PartitionSplitter::Create(*spec, *rows).status() : rows.status();
  if (st.ok()) st = PartitionAvroFields(*spec, *m.CurrentSchema()).status();
  if (!st.ok()) {
    return Status::InvalidArgument(fmt::format("table {} is partitioned in a way braid cannot write ({}): {}",
                                               table.id().ToString(), spec->FieldsJson().dump(), st.message()));
  }
  return Status::Ok();
}


Status CheckAppendSchema(const RowSchema& schema, const IcebergSchema& table_schema,
                         const std::string& table_name) {
  for (const ColumnSpec& c : schema) {
    const SchemaField* f = table_schema.FindField(c.field_id);
    if (f == nullptr || f->name != c.name || !f->type.is_string() ||
        f->type.get<std::string>() != IcebergTypeName(c.type)) {
      return Status::InvalidArgument(fmt::format(
          "column {} (field id {}, {}) does not match table {}'s schema {}", c.name, c.field_id,
          IcebergTypeName(c.type), table_name, table_schema.ToJson().dump()));
    }
  }
  for (const SchemaField& f : table_schema.fields) {
    if (!f.required) continue;
    bool present = false;
    for (const ColumnSpec& c : schema) present = present || c.field_id == f.id;
    if (!present) {
      return Status::InvalidArgument(
          fmt::format("required column {} of table {} is missing from the rows", f.name, table_name));
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<TableAppender>> TableAppender::Create(TableAppenderOptions options) {
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<DataFileWriter> writer, DataFileWriter::Create(options.writer));
  return std::unique_ptr<TableAppender>(new TableAppender(std::move(writer), options));
}

Result<std::unique_ptr<TableAppender>> TableAppender::Sibling() {
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<DataFileWriter> writer, writer_->Sibling());
  return std::unique_ptr<TableAppender>(new TableAppender(std::move(writer), options_));
}

Result<std::vector<DataFile>> TableAppender::WriteDataFiles(TableOperations& table, const TableState& state,
                                                            const RowBatch& batch) {
  BRAID_RETURN_IF_ERROR(CheckWritable(table, state.metadata));
  BRAID_RETURN_IF_ERROR(
      CheckAppendSchema(batch.schema(), *state.metadata.CurrentSchema(), table.id().ToString()));
  const PartitionSpec& spec = *state.metadata.DefaultSpec();
  int64_t target = options_.target_file_size;
  if (target <= 0) {
    BRAID_ASSIGN_OR_RETURN(target, state.metadata.PositiveProperty("write.target-file-size-bytes",
                                                                   kDefaultTargetFileSize));
  }
  std::vector<DataFile> files;
  if (spec.unpartitioned() && static_cast<int64_t>(batch.ByteSize()) <= target) {
    // The common case, written from the batch itself: no rows are copied.
    BRAID_ASSIGN_OR_RETURN(DataFile f, WriteOne(table, state, batch, {}));
    files.push_back(std::move(f));
    return files;
  }
  BRAID_ASSIGN_OR_RETURN(PartitionSplitter splitter, PartitionSplitter::Create(spec, batch.schema()));
  for (PartitionedRows& piece : splitter.Split(batch, target)) {
    BRAID_ASSIGN_OR_RETURN(DataFile f, WriteOne(table, state, piece.rows, std::move(piece.partition)));
    files.push_back(std::move(f));
  }
  return files;
}

Result<DataFile> TableAppender::WriteDataFile(TableOperations& table, const TableState& state,
                                              const RowBatch& batch, std::vector<AvroDatum> partition) {
  BRAID_RETURN_IF_ERROR(CheckWritable(table, state.metadata));
  BRAID_RETURN_IF_ERROR(
      CheckAppendSchema(batch.schema(), *state.metadata.CurrentSchema(), table.id().ToString()));
  if (partition.size() != state.metadata.DefaultSpec()->fields.size()) {
    return Status::InvalidArgument(fmt::format("table {}: a partition tuple of {} values for a spec of {} fields",
                                               table.id().ToString(), partition.size(),
                                               state.metadata.DefaultSpec()->fields.size()));
  }
  return WriteOne(table, state, batch, std::move(partition));
}

Result<DataFile> TableAppender::WriteOne(TableOperations& table, const TableState& state, const RowBatch& batch,
                                         std::vector<AvroDatum> partition) {
  // A compression braid cannot write is refused before anything is written.
  BRAID_ASSIGN_OR_RETURN(ParquetCompression compression, ParquetCompression::Of(state.metadata));
  FileSystem& fs = table.io();
  std::string data_dir = state.metadata.DataLocation();
  BRAID_RETURN_IF_ERROR(fs.CreateDirectories(data_dir));
  std::string location = JoinLocation(data_dir, RandomUuid() + ".parquet");
  BRAID_ASSIGN_OR_RETURN(std::string local, fs.LocalPathForWrite(location));
  BRAID_ASSIGN_OR_RETURN(DataFile file, writer_->Write(batch, local, location, compression));
  BRAID_RETURN_IF_ERROR(fs.FinishLocalWrite(local, location));
  file.spec_id = state.metadata.default_spec_id;
  file.partition = std::move(partition);
  CrashPoint("after-data-file");
  return file;
}

Result<AppendResult> TableAppender::Append(TableOperations& table,
                                           const std::vector<const RowBatch*>& batches,
                                           const CommitRequest& request,
                                           std::vector<DataFile> written) {
  BRAID_ASSIGN_OR_RETURN(TableState state, table.Refresh());
  // Checked before any file is written too: a writer that is no longer the pipeline's writes nothing.
  if (request.check_base) BRAID_RETURN_IF_ERROR(request.check_base(state.metadata));
  std::vector<DataFile> files = std::move(written);
  for (const RowBatch* batch : batches) {
    if (batch == nullptr || batch->empty()) continue;
    BRAID_ASSIGN_OR_RETURN(std::vector<DataFile> written, WriteDataFiles(table, state, *batch));
    for (DataFile& f : written) files.push_back(std::move(f));
  }
  return Commit(table, std::move(files), request);
}

Result<AppendResult> TableAppender::Commit(TableOperations& table, std::vector<DataFile> files,
                                           const CommitRequest& request) {
  FileSystem& fs = table.io();
  SnapshotId snapshot_id = RandomSnapshotId();
  std::optional<ManifestFile> manifest;  // written once; its ADDED entries inherit sequence numbers
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    BRAID_ASSIGN_OR_RETURN(TableState base, table.Refresh());
    const TableMetadata& m = base.metadata;
    BRAID_RETURN_IF_ERROR(CheckWritable(table, m));
    for (const DataFile& f : files) {
      if (f.spec_id != m.default_spec_id) {
        // Another writer changed the partition spec after the files were written.
        return Status::Conflict(fmt::format(
            "table {}: data file {} was written for partition spec {}, the table's is now {}; nothing was committed",
            table.id().ToString(), f.file_path, f.spec_id, m.default_spec_id));
      }
    }
    const std::string metadata_dir = m.MetadataLocation();
    BRAID_RETURN_IF_ERROR(fs.CreateDirectories(metadata_dir));
    if (const Snapshot* mine = m.SnapshotById(snapshot_id); mine != nullptr) {
      if (attempt > 1) {
        // A previous attempt whose answer was lost (a timeout, a 5xx) did land: committing
        // again would add the rows twice.
        return AppendResult{snapshot_id, mine->sequence_number, base.metadata_location,
                            std::move(files), attempt - 1};
      }
      snapshot_id = RandomSnapshotId();  // another writer drew the same random id
      manifest.reset();
    }
    if (request.check_base) BRAID_RETURN_IF_ERROR(request.check_base(m));
    if (!files.empty() && !manifest) {
      BRAID_ASSIGN_OR_RETURN(
          manifest, ManifestWriter::Write(fs, JoinLocation(metadata_dir, RandomUuid() + "-m0.avro"),
                                          *m.CurrentSchema(), *m.DefaultSpec(), snapshot_id, files));
      CrashPoint("after-manifest");
    }
    const Snapshot* parent = m.CurrentSnapshot();
    const int64_t sequence_number = m.last_sequence_number + 1;
    std::vector<ManifestFile> manifests;
    MergedManifests merged;
    if (manifest) {
      manifest->sequence_number = sequence_number;
      manifest->min_sequence_number = sequence_number;
      manifests.push_back(*manifest);
    }
    if (parent != nullptr) {
      if (parent->manifest_list.empty()) {
        return Status::InvalidArgument(fmt::format(
            "table {}: snapshot {} has no manifest list", table.id().ToString(), parent->id.value()));
      }
      BRAID_ASSIGN_OR_RETURN(std::vector<ManifestFile> previous,
                             ManifestListReader::Read(fs, parent->manifest_list));
      std::erase_if(previous, OnlyDeletedEntries);
      BRAID_ASSIGN_OR_RETURN(ManifestMergePolicy policy, ManifestMergePolicy::FromProperties(m));
      BRAID_ASSIGN_OR_RETURN(merged, ManifestMerge::Merge(fs, m, policy, snapshot_id, manifests.size(),
                                                          std::move(previous), metadata_dir));
      for (ManifestFile& mf : merged.manifests) {
        if (mf.added_snapshot_id == snapshot_id) ManifestWriter::SetSequenceNumber(mf, sequence_number);
        manifests.push_back(std::move(mf));
      }
    }
    BRAID_ASSIGN_OR_RETURN(SummaryTotals before, SnapshotSummary::TotalsOf(fs, parent));
    BRAID_ASSIGN_OR_RETURN(auto snapshot_summary, SnapshotSummary::ForAppend(before, files, request.summary));

    std::string list_location = JoinLocation(
        metadata_dir, fmt::format("snap-{}-{}-{}.avro", snapshot_id.value(), attempt, RandomUuid()));
    BRAID_RETURN_IF_ERROR(ManifestListWriter::Write(
        fs, list_location, snapshot_id, parent ? std::optional(parent->id) : std::nullopt,
        sequence_number, manifests));
    CrashPoint("after-manifest-list");

    Snapshot snapshot = m.NextSnapshot(snapshot_id, list_location, std::move(snapshot_summary));
    TableMetadata updated = m;
    for (const auto& [k, v] : request.properties) updated.properties[k] = v;
    updated.AddSnapshot(std::move(snapshot), base.metadata_location);

    CrashPoint("before-commit");
    Result<TableState> committed = table.Commit(base, updated);
    if (committed.ok()) {
      CrashPoint("after-commit");
      return AppendResult{snapshot_id, sequence_number, committed->metadata_location,
                          std::move(files), attempt};
    }
    // Any failure but a lost race may have landed (an unanswered request whose outcome the
    // catalog could not settle): the files stay then, as orphans at worst.
    if (committed.status().kind() != StatusKind::kConflict) return committed.status();
    (void)fs.DeleteFile(list_location);
    for (const std::string& w : merged.written) (void)fs.DeleteFile(w);
    // Lost a race: back off a little (growing, jittered by the attempt count) and rebuild on the new base.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 * attempt * attempt, 500)));
  }
  return Status::Conflict(fmt::format("table {}: gave up after {} commit attempts lost to other writers",
                                      table.id().ToString(), options_.max_attempts));
}

}  // namespace braid
