#pragma once
// The join's batch meaning (DESIGN §2), computed by DuckDB: the tests' oracle.

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "join/join_spec.h"
#include "join/random_pipeline.h"

namespace braid {

/// An in-memory DuckDB, opened once (opening costs ~15 ms) and reused for many joins.
class DuckDbOracle {
 public:
  DuckDbOracle();
  ~DuckDbOracle();
  DuckDbOracle(const DuckDbOracle&) = delete;
  DuckDbOracle& operator=(const DuckDbOracle&) = delete;

  /// Loads `accepted[i]` (rows of cells, one per declared field of stream i: 0 = driving, then
  /// the enriching streams; timestamps as micros) into fresh tables and runs the join of `spec`
  /// as SQL — the driving stream, then each enriching stream LEFT JOIN or JOIN on the key
  /// fields and `e.ts BETWEEN a.ts - W AND a.ts + W` — returning the declared output columns.
  Result<std::vector<Row>> Join(const JoinSpec& spec,
                                const std::vector<std::vector<Row>>& accepted);

 private:
  struct Db;
  std::unique_ptr<Db> db_;
};

/// The SQL OracleJoin runs (for failure messages).
std::string OracleSql(const JoinSpec& spec);

}  // namespace braid
