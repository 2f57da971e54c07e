// Fuzz target: a pipeline's SQL (CompilePipelineQuery over DuckDB's parse tree) over three fixed
// streams. Properties: a refusal is one line starting "query: "; a compiled query names only
// declared streams and fields, each enriching stream's key is its declared key reordered, every
// window is longer than zero, and the engine accepts the join.

#include <algorithm>

#include "fuzz_check.h"
#include "join/join_plan.h"
#include "pipeline/pipeline_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  const FieldType S = FieldType::kString, L = FieldType::kLong, T = FieldType::kTimestamp;
  static const std::vector<StreamSpec> streams{
      {"views", "t1", {{"user", S}, {"shop", L}, {"page", S}, {"at", T}}, {"user", "shop"}, "at"},
      {"buys", "t2", {{"shop", L}, {"user", S}, {"price", FieldType::kDouble}, {"at", T}}, {"shop", "user"}, "at"},
      {"carts", "t3", {{"user", S}, {"shop", L}, {"ts", T}}, {"user", "shop"}, "ts"},
  };
  Result<JoinSpec> spec = CompilePipelineQuery(fuzz::AsView(data, size), streams);
  if (!spec.ok()) {
    const std::string& m = spec.status().message();
    BRAID_FUZZ_CHECK(m.starts_with("query: ") || spec.status().kind() != StatusKind::kInvalidArgument);
    BRAID_FUZZ_CHECK(m.find('\n') == std::string::npos);
    return 0;
  }
  auto declared = [&](const std::string& name) {
    return std::find_if(streams.begin(), streams.end(), [&](const StreamSpec& s) { return s.name == name; });
  };
  for (const EnrichSpec& e : spec->enriching) {
    BRAID_FUZZ_CHECK(e.window > Duration(0));
    std::vector<std::string> mine = e.stream.key_fields, theirs = declared(e.stream.name)->key_fields;
    std::sort(mine.begin(), mine.end());
    std::sort(theirs.begin(), theirs.end());
    BRAID_FUZZ_CHECK(mine == theirs);
  }
  for (const OutputColumnSpec& c : spec->columns) {
    auto s = declared(c.stream);
    BRAID_FUZZ_CHECK(s != streams.end() && s->FieldIndex(c.field) >= 0);
  }
  BRAID_FUZZ_CHECK(JoinPlan::Compile(*spec).ok());
  return 0;
}
