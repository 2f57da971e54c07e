// ManifestWriter::Encode: the Avro manifest of a fast append listing 1,000 data files of the
// seed output table, each with the column metrics DataFileWriter returns for a real file.

#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "seed_data.h"
#include "table/data_file_writer.h"
#include "table/manifest_reader.h"
#include "table/manifest_writer.h"

namespace braid::bench {
namespace {

constexpr size_t kFiles = 1000;

// The DataFile of a real 1,000-row seed data file (9 columns: sizes, counts, bounds).
Result<DataFile> SampleDataFile() {
  RowBatch batch(SeedPlan().output_schema());
  if (!FillSeedRows(&batch, 1000)) return Status::Internal("not the seed output schema");
  BRAID_ASSIGN_OR_RETURN(std::unique_ptr<DataFileWriter> writer, DataFileWriter::Create());
  std::string dir = (std::filesystem::temp_directory_path() / "braid-bench-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return Status::IoError("cannot create a temporary directory");
  const std::string path = dir + "/sample.parquet";
  Result<DataFile> file = writer->Write(batch, path, "file://" + path);
  std::filesystem::remove_all(dir);
  return file;
}

void BM_ManifestEncode(benchmark::State& state) {
  Result<DataFile> sample = SampleDataFile();
  if (!sample.ok() || sample->lower_bounds.empty()) {
    state.SkipWithError(sample.ok() ? "the sample data file has no column bounds"
                                    : sample.status().ToString().c_str());
    return;
  }
  std::vector<DataFile> files(kFiles, *sample);
  for (size_t i = 0; i < kFiles; ++i) {
    files[i].file_path = fmt::format(
        "s3://warehouse/db/unified_activity/data/{:05}-0-{:032x}.parquet", i, i * 2654435761u);
    files[i].record_count += static_cast<int64_t>(i);
  }
  const IcebergSchema schema = IcebergSchema::FromRowSchema(SeedPlan().output_schema());
  const PartitionSpec spec;
  const SnapshotId snapshot(4242);
  std::string bytes;
  for (auto _ : state) {
    Result<std::string> encoded = ManifestWriter::Encode(schema, spec, snapshot, files);
    if (!encoded.ok()) {
      state.SkipWithError(encoded.status().ToString().c_str());
      return;
    }
    bytes = std::move(encoded).value();
  }
  // The last manifest reads back as 1,000 ADDED entries of those files.
  ManifestFile m;
  m.manifest_path = "bench-manifest.avro";
  m.added_snapshot_id = snapshot;
  m.sequence_number = 1;
  Result<std::vector<ManifestEntry>> entries = ManifestReader::Decode(bytes, m);
  if (!entries.ok() || entries->size() != kFiles ||
      entries->back().data_file.file_path != files.back().file_path ||
      entries->back().data_file.upper_bounds != files.back().upper_bounds) {
    state.SkipWithError("the manifest does not read back as the 1,000 entries written");
    return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kFiles));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

BENCHMARK(BM_ManifestEncode)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace braid::bench
