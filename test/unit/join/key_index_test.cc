// KeyIndex: finds what was inserted and not erased, under any mix of inserts and erases, with
// hashes chosen to collide (same home, same stored bits) and to wrap around the table's end.

#include "join/key_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace braid {
namespace {

struct Model {
  std::vector<std::string> keys;  // per slot
  std::vector<size_t> hashes;     // per slot
  std::string_view operator()(uint32_t slot) const { return keys[slot]; }
};

TEST(KeyIndex, FindsExactlyTheLiveKeysUnderRandomInsertsAndErases) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 40; ++round) {
    KeyIndex index;
    Model m;
    std::map<std::string, uint32_t> live;
    const int keys = 1 + static_cast<int>(rng() % 3000);
    // Few distinct hashes in odd rounds: long runs, equal stored bits, wrap-around.
    const uint64_t spread = round % 2 ? 8 : ~uint64_t{0};
    for (int k = 0; k < keys; ++k) {
      m.keys.push_back("key" + std::to_string(k));
      const uint64_t h = rng() % spread;
      m.hashes.push_back(round % 4 == 1 ? (h | (uint64_t{1} << 40)) + 0xFFFFFFF0u : h);
    }
    for (int op = 0; op < 6000; ++op) {
      const uint32_t slot = static_cast<uint32_t>(rng() % keys);
      const std::string& key = m.keys[slot];
      const size_t hash = m.hashes[slot];
      if (live.count(key) == 0) {
        ASSERT_EQ(index.Find(hash, key, m), KeyIndex::kNone);
        index.Insert(hash, slot);
        live[key] = slot;
      } else if (rng() % 2) {
        index.Erase(hash, slot);
        live.erase(key);
      }
      ASSERT_EQ(index.size(), live.size());
      if (op % 500 == 0 || op == 5999) {
        for (uint32_t s = 0; s < static_cast<uint32_t>(keys); ++s) {
          const bool in = live.count(m.keys[s]) != 0;
          ASSERT_EQ(index.Find(m.hashes[s], m.keys[s], m), in ? s : KeyIndex::kNone) << s;
        }
        size_t seen = 0;
        index.ForEach([&](uint32_t s) {
          ++seen;
          EXPECT_EQ(live.count(m.keys[s]), 1u);
        });
        ASSERT_EQ(seen, live.size());
      }
    }
  }
}

TEST(KeyIndex, CandidateNamesTheSlotWithoutComparingKeys) {
  KeyIndex index;
  EXPECT_EQ(index.Candidate(5), KeyIndex::kNone);
  index.Insert(5, 7);
  index.Insert(5 + (uint64_t{1} << 32), 8);  // same stored bits: the first one is named
  index.Insert(6, 9);
  EXPECT_EQ(index.Candidate(5), 7u);
  EXPECT_EQ(index.Candidate(6), 9u);
  EXPECT_EQ(index.Candidate(1000), KeyIndex::kNone);
  index.Erase(5, 7);
  EXPECT_EQ(index.Candidate(5), 8u);
}

}  // namespace
}  // namespace braid
