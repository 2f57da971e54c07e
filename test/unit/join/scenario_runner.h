#pragma once
// Runs a join scenario file (format: test/scenarios/README.md) through a JoinEngine built from
// the seed pipeline.

#include <string>
#include <vector>

namespace braid {

/// Runs the scenario at `path`. Returns one message per failed expectation or malformed line,
/// each prefixed with "file:line:"; empty means the scenario passed.
std::vector<std::string> RunScenario(const std::string& path);

}  // namespace braid
