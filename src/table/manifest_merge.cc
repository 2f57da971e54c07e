#include "table/manifest_merge.h"

#include <fmt/format.h>

#include "storage/location.h"
#include "table/manifest_reader.h"
#include "table/manifest_writer.h"
#include "table/random_ids.h"

namespace braid {
namespace {

// A merged manifest of the entries of `bin`, written by `snapshot_id`.
Result<ManifestFile> WriteMerged(FileSystem& fs, const TableMetadata& m, SnapshotId snapshot_id,
                                 const std::vector<ManifestFile>& bin, const std::string& location) {
  std::vector<ManifestEntry> entries;
  for (const ManifestFile& mf : bin) {
    BRAID_ASSIGN_OR_RETURN(std::vector<ManifestEntry> read, ManifestReader::Read(fs, mf));
    for (ManifestEntry& e : read) {
      if (e.status == EntryStatus::kDeleted) continue;
      e.status = EntryStatus::kExisting;
      entries.push_back(std::move(e));
    }
  }
  return ManifestWriter::Write(fs, location, *m.CurrentSchema(), *m.DefaultSpec(), snapshot_id, entries);
}

}  // namespace

Result<ManifestMergePolicy> ManifestMergePolicy::FromProperties(const TableMetadata& m) {
  const std::map<std::string, std::string>& p = m.properties;
  ManifestMergePolicy policy;
  if (auto it = p.find("commit.manifest-merge.enabled"); it != p.end()) {
    if (it->second == "true") {
      policy.enabled = true;
    } else if (it->second == "false") {
      policy.enabled = false;
    } else {
      return Status::InvalidArgument(fmt::format(
          "table property commit.manifest-merge.enabled = \"{}\": must be true or false", it->second));
    }
  }
  BRAID_ASSIGN_OR_RETURN(policy.min_count_to_merge,
                         m.PositiveProperty("commit.manifest.min-count-to-merge", policy.min_count_to_merge));
  BRAID_ASSIGN_OR_RETURN(policy.target_size_bytes,
                         m.PositiveProperty("commit.manifest.target-size-bytes", policy.target_size_bytes));
  return policy;
}

Result<MergedManifests> ManifestMerge::Merge(FileSystem& fs, const TableMetadata& metadata,
                                             const ManifestMergePolicy& policy, SnapshotId snapshot_id,
                                             size_t added, std::vector<ManifestFile> carried,
                                             const std::string& metadata_dir) {
  MergedManifests out;
  const PartitionSpec* spec = metadata.DefaultSpec();
  auto mergeable = [&](const ManifestFile& mf) {
    return mf.content == 0 && spec != nullptr && mf.partition_spec_id == spec->spec_id;
  };
  size_t data_manifests = added;
  for (const ManifestFile& mf : carried) data_manifests += mf.content == 0 ? 1 : 0;
  if (!policy.enabled || static_cast<int64_t>(data_manifests) < policy.min_count_to_merge) {
    out.manifests = std::move(carried);
    return out;
  }
  // Bins in list order; a manifest that does not fit closes the bin before it.
  std::vector<std::vector<ManifestFile>> bins;
  int64_t bin_bytes = 0;
  for (ManifestFile& mf : carried) {
    if (!mergeable(mf)) {
      bins.push_back({std::move(mf)});
      bins.emplace_back();  // a kept manifest also ends the bin before it
      bin_bytes = 0;
      continue;
    }
    if (bins.empty() || (!bins.back().empty() && bin_bytes + mf.manifest_length > policy.target_size_bytes)) {
      bins.emplace_back();
      bin_bytes = 0;
    }
    bin_bytes += mf.manifest_length;
    bins.back().push_back(std::move(mf));
  }
  for (std::vector<ManifestFile>& bin : bins) {
    if (bin.size() < 2 || !mergeable(bin.front())) {
      for (ManifestFile& mf : bin) out.manifests.push_back(std::move(mf));
      continue;
    }
    std::string location = JoinLocation(metadata_dir, RandomUuid() + "-m-merged.avro");
    Result<ManifestFile> merged = WriteMerged(fs, metadata, snapshot_id, bin, location);
    if (!merged.ok()) {
      for (const std::string& w : out.written) (void)fs.DeleteFile(w);
      return merged.status().WithContext("merging manifests");
    }
    out.written.push_back(location);
    out.replaced += static_cast<int>(bin.size());
    out.manifests.push_back(std::move(*merged));
  }
  return out;
}

}  // namespace braid
