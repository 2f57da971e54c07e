#pragma once
// CompilePipelineQuery: a pipeline written as the batch query it means (README, "A pipeline as
// its SQL") compiled into the JoinSpec the engine runs. DuckDB's own parser reads the text
// (json_serialize_sql); braid walks the parse tree and accepts DESIGN §2's shape only:
//
//   SELECT d.field [AS name], e.field [AS name], ...
//   FROM driving d
//   [LEFT] JOIN enriching e ON e.key = d.key AND ...
//                          AND e.ts BETWEEN d.ts - INTERVAL w AND d.ts + INTERVAL w
//   ...
//
// Streams are the declared [[streams]], referred to by name as tables. Keys: the ON clause
// must equate every declared key field of the enriching stream with a declared key field of
// the driving stream, each once; the pairs it names are the join key (so two streams may list
// their keys in different orders). Anything else is refused naming the clause and what is
// supported — a query that means something the engine does not compute is never run.

#include <string_view>
#include <vector>

#include "base/result.h"
#include "event/stream_spec.h"
#include "join/join_spec.h"

namespace braid {

/// The JoinSpec (driving, enriching, columns; other settings at their defaults) that `query`
/// over `streams` means. InvalidArgument "query: <clause>: not supported; supported: ..." for
/// a query outside the shape, "query: <DuckDB's message>" for one DuckDB cannot parse.
Result<JoinSpec> CompilePipelineQuery(std::string_view query, const std::vector<StreamSpec>& streams);

}  // namespace braid
