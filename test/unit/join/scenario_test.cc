// Runs every test/scenarios/*.scenario file (format: test/scenarios/README.md).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "join/scenario_runner.h"

namespace braid {
namespace {

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(BRAID_SCENARIO_DIR)) {
    if (entry.path().extension() == ".scenario") files.push_back(entry.path().filename());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class Scenario : public ::testing::TestWithParam<std::string> {};

TEST_P(Scenario, Passes) {
  for (const std::string& failure :
       RunScenario(std::string(BRAID_SCENARIO_DIR) + "/" + GetParam())) {
    ADD_FAILURE() << failure;
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Scenario, ::testing::ValuesIn(ScenarioFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           std::replace_if(name.begin(), name.end(),
                                           [](char c) { return !std::isalnum(c); }, '_');
                           return name;
                         });

TEST(ScenarioDirectory, HasScenarios) { EXPECT_GE(ScenarioFiles().size(), 9u); }

}  // namespace
}  // namespace braid
