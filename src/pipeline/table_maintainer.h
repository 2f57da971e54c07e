#pragma once
// TableMaintainer: the automatic maintenance of a pipeline's tables ([maintenance] in the
// pipeline file). Between commits, on the committing thread (so it never races the pipeline's
// own commits; reading goes on meanwhile), once every `interval` and after a bounded run's last
// commit, each table is
//   1. compacted: data files added longer than compact_older_than ago (table/compaction.h);
//   2. expired: snapshots older than expire_older_than beyond the newest retain_last
//      (table/snapshot_expiry.h); the pipeline's progress lives in table properties, which
//      expiry does not touch;
//   3. cleaned of orphans older than orphans_older_than (at least 1h; table/orphan_files.h),
//      at most once a day.
// Each action that changed something is a line through `on_line`. A failed action is a line
// too and the pipeline goes on: maintenance never stops ingestion. Tables with gc.enabled=false
// skip steps 2 and 3 (said once).

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/types.h"
#include "table/data_file_writer.h"
#include "table/table_operations.h"

namespace braid {

struct MaintenanceSettings {
  bool enabled = true;
  Duration interval = Duration::Seconds(600);
  Duration compact_older_than = Duration::Seconds(300);
  int64_t target_file_size = 0;  // 0: the table's write.target-file-size-bytes, else 512 MiB
  Duration expire_older_than = Duration::Seconds(3600);
  int64_t retain_last = 10;
  Duration orphans_older_than = Duration::Seconds(86400);

  /// InvalidArgument naming the setting when one is out of range.
  Status Validate() const;
};

class TableMaintainer {
 public:
  TableMaintainer(MaintenanceSettings settings, std::function<void(const std::string&)> on_line);
  ~TableMaintainer();

  /// Maintains `tables` when the interval has passed since the last time (or since
  /// construction), or when `final` (a bounded run's last commit). `now_ms`: the wall clock.
  void AfterCommit(const std::vector<TableOperations*>& tables, int64_t now_ms, bool final);

  /// Maintains `tables` now.
  void Run(const std::vector<TableOperations*>& tables, int64_t now_ms);

  /// Whether the Parquet writer (a DuckDB instance) was started: only for a compaction that
  /// had files to rewrite.
  bool writer_started() const { return writer_ != nullptr; }

 private:
  void Maintain(TableOperations& table, int64_t now_ms, bool orphans);
  void Say(const std::string& line) const;

  MaintenanceSettings settings_;
  std::function<void(const std::string&)> on_line_;
  std::unique_ptr<DataFileWriter> writer_;  // made when a compaction first has files to rewrite
  int64_t last_run_ms_ = -1;
  int64_t last_orphans_ms_ = -1;
  std::set<std::string> no_gc_said_;
};

}  // namespace braid
