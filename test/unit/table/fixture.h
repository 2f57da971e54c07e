#pragma once
// Reading the table tests' fixture files (test/unit/table/fixtures/, see its README).

#include <fstream>
#include <sstream>
#include <string>

namespace braid {

/// The bytes of fixture `name`; empty if it does not exist.
inline std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(BRAID_SOURCE_DIR) + "/test/unit/table/fixtures/" + name,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace braid
