// Writes the binary seed files of test/fuzz/corpus/ with braid's own encoders, so that they
// are what a braid run writes: join states and commit checkpoints of the seed pipeline after
// real records (stored events in every stream, closed windows, rejects), braid's manifests,
// manifest lists and table metadata. Usage: braid_fuzz_seed_writer <corpus folder>.
// The text seeds (JSON events, TOML, XML, REST answers) and the pyiceberg files are committed
// as they are; docs/fuzzing.md says where each came from.

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "event/rejects.h"
#include "join/join_engine.h"
#include "join/join_spec.h"
#include "pipeline/commit_checkpoint.h"
#include "table/iceberg_schema.h"
#include "table/manifest_list_writer.h"
#include "table/manifest_writer.h"
#include "table/table_metadata.h"

namespace braid {
namespace {

void Write(const std::filesystem::path& dir, const std::string& target, const std::string& name,
           const std::string& bytes) {
  std::filesystem::create_directories(dir / target);
  std::ofstream(dir / target / name, std::ios::binary) << bytes;
}

// Feeds the seed pipeline a short run of the seed's topics; returns its state and rejects.
struct Run {
  std::string state;
  RowBatch rejects{RejectsSchema()};
};

Run SeedRun(int records, bool finish) {
  std::unique_ptr<JoinEngine> engine = JoinEngine::Create(SeedPipeline()).value();
  RowBatch rows(engine->output_schema());
  Run run;
  int64_t offset = 0;
  auto send = [&](const char* topic, int partition, const std::string& value) {
    KafkaRecord r{topic, PartitionId(partition), KafkaOffset(offset++), std::nullopt, value,
                  Timestamp(0)};
    engine->Process(r, &rows, &run.rejects);
  };
  for (int i = 0; i < records; ++i) {
    const std::string t = fmt::format("2025-01-16T10:{:02}:{:02}.{:06}", i / 6, i * 10 % 60, i * 7);
    send("user_actions", i % 2,
         fmt::format(R"({{"user_id": "user_{}", "session_id": "session_{}", "action": "click", )"
                     R"("page_url": "/products/{}", "timestamp": "{}"}})",
                     i % 3, i % 4, i, t));
    if (i % 2 == 0) {
      send("purchases", 0,
           fmt::format(R"({{"user_id": "user_{}", "session_id": "session_{}", "product_id": )"
                       R"("prod_{}", "amount": {}.99, "timestamp": "{}"}})",
                       i % 3, i % 4, i, i, t));
    }
    if (i % 3 == 0) {
      send("sessions", 0,
           fmt::format(R"({{"session_id": "session_{}", "user_id": "user_{}", "device": "mobile", )"
                       R"("timestamp": "{}"}})",
                       i % 4, i % 3, t));
    }
  }
  send("purchases", 0, R"({"user_id": null, "session_id": "session_1"})");
  send("sessions", 1, "{oops");
  send("clicks", 0, "{}");
  if (finish) engine->Finish(&rows);
  (void)engine->SaveState(&run.state);
  run.rejects.FillTimestampColumn(kRejectsProcessingTimeColumn, Timestamp(1737022830000000));
  return run;
}

}  // namespace
}  // namespace braid

int main(int argc, char** argv) {
  using namespace braid;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus folder>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  const Run empty = SeedRun(0, false), small = SeedRun(6, false), longer = SeedRun(40, false),
            finished = SeedRun(12, true);
  Write(dir, "join_state", "empty", empty.state);
  Write(dir, "join_state", "six_records", small.state);
  Write(dir, "join_state", "forty_records", longer.state);
  Write(dir, "join_state", "finished", finished.state);
  Write(dir, "commit_checkpoint", "no_rejects", EncodeCheckpoint({empty.state, RowBatch(RejectsSchema())}));
  Write(dir, "commit_checkpoint", "state_and_rejects", EncodeCheckpoint({small.state, small.rejects}));
  Write(dir, "commit_checkpoint", "bounded_run", EncodeCheckpoint({"", finished.rejects}));

  DataFile f;
  f.file_path = "file:///w/demo/unified_activity/data/00000-0-a.parquet";
  f.record_count = 3;
  f.file_size_in_bytes = 1999;
  f.column_sizes = {{1, 40}, {2, 41}};
  f.value_counts = {{1, 3}, {2, 3}};
  f.null_value_counts = {{1, 0}, {2, 1}};
  f.lower_bounds = {{1, "user_0"}, {2, std::string("\x01\0\0\0\0\0\0\0", 8)}};
  f.upper_bounds = {{1, "user_2"}, {2, std::string("\x09\0\0\0\0\0\0\0", 8)}};
  f.split_offsets = {4};
  const RowSchema rows{{"user_id", ColumnType::kString, 1}, {"n", ColumnType::kInt64, 2}};
  const IcebergSchema schema = IcebergSchema::FromRowSchema(rows);
  const std::string manifest = *ManifestWriter::Encode(schema, PartitionSpec{}, SnapshotId(11), {f, f});
  Write(dir, "manifest", "braid_manifest.avro", manifest);
  Write(dir, "avro", "braid_manifest.avro", manifest);
  ManifestFile m;
  m.manifest_path = "file:///w/demo/unified_activity/metadata/m0.avro";
  m.manifest_length = static_cast<int64_t>(manifest.size());
  m.sequence_number = 2;
  m.min_sequence_number = 1;
  m.added_snapshot_id = SnapshotId(11);
  m.added_files_count = 2;
  m.added_rows_count = 6;
  m.partitions = std::vector<PartitionFieldSummary>{};
  const std::string list = *ManifestListWriter::Encode(SnapshotId(11), SnapshotId(10), 2, {m, m});
  Write(dir, "manifest_list", "braid_manifest_list.avro", list);
  Write(dir, "avro", "braid_manifest_list.avro", list);

  TableMetadata meta = TableMetadata::NewTable("file:///w/demo/unified_activity", rows,
                                               {{"braid.pipeline-id", "demo.unified_activity"}}, 1000);
  Write(dir, "table_metadata", "braid_new_table.metadata.json", SerializeTableMetadata(meta));
  Snapshot s;
  s.id = SnapshotId(11);
  s.sequence_number = 1;
  s.timestamp_ms = 2000;
  s.manifest_list = "file:///w/demo/unified_activity/metadata/snap-11.avro";
  s.schema_id = 0;
  s.summary = {{"operation", "append"}, {"braid.pipeline-id", "demo.unified_activity"}};
  meta.AddSnapshot(s, "file:///w/demo/unified_activity/metadata/00000.metadata.json");
  Write(dir, "table_metadata", "braid_one_snapshot.metadata.json", SerializeTableMetadata(meta));
  std::printf("seeds written under %s\n", argv[1]);
  return 0;
}
