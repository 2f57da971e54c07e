#pragma once
// A seed pipeline's join engine and a decoder of its records, for the tests of the reading side
// (PolledBatch, ReadAhead).

#include <memory>

#include <gtest/gtest.h>

#include "join/join_engine.h"

namespace braid {

struct SeedDecoder {
  explicit SeedDecoder(const SeedTopics& topics) {
    auto e = JoinEngine::Create(SeedPipeline(topics));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    engine = std::move(e).value();
    auto d = engine->NewDecoder();
    EXPECT_TRUE(d.ok());
    decoder = std::move(d).value();
  }
  std::unique_ptr<JoinEngine> engine;
  std::unique_ptr<JoinEngine::RecordDecoder> decoder;
};

}  // namespace braid
