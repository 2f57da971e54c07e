// DataFileWriter: 100,000 rows of the seed output table (unified_activity's 9 columns) → one
// Parquet data file on local disk, statistics and split offsets included (what each commit of
// the pipeline does per data file).

#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "seed_data.h"
#include "table/data_file_writer.h"

namespace braid::bench {
namespace {

constexpr size_t kRows = 100000;

void BM_ParquetWrite(benchmark::State& state) {
  RowBatch batch(SeedPlan().output_schema());
  if (!FillSeedRows(&batch, kRows)) {
    state.SkipWithError("the seed plan's output schema is not unified_activity's");
    return;
  }
  Result<std::unique_ptr<DataFileWriter>> writer = DataFileWriter::Create();
  if (!writer.ok()) {
    state.SkipWithError(writer.status().ToString().c_str());
    return;
  }
  std::string dir = (std::filesystem::temp_directory_path() / "braid-bench-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    state.SkipWithError("cannot create a temporary directory");
    return;
  }
  const std::string path = dir + "/data.parquet";
  int64_t bytes = 0;
  for (auto _ : state) {
    Result<DataFile> file = (*writer)->Write(batch, path, "file://" + path);
    if (!file.ok() || file->record_count != static_cast<int64_t>(kRows) ||
        file->file_size_in_bytes != static_cast<int64_t>(std::filesystem::file_size(path))) {
      state.SkipWithError(file.ok() ? "the data file does not hold 100,000 rows"
                                    : file.status().ToString().c_str());
      break;
    }
    bytes = file->file_size_in_bytes;
  }
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRows));
  state.counters["file_bytes"] = static_cast<double>(bytes);
}

// DuckDB writes on worker threads: rates are per wall-clock second.
BENCHMARK(BM_ParquetWrite)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace braid::bench
