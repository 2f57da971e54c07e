#include "kafka/seed_generator.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace braid {
namespace {

SeedGeneratorOptions WithEvents(int64_t events) {
  SeedGeneratorOptions o;
  o.events = events;
  return o;
}

TEST(SeedGeneratorScale, KeepsTheNotebooksUsersAndSessionsAtItsSize) {
  EXPECT_EQ(ScaledToEvents(WithEvents(50)).users, 10);
  EXPECT_EQ(ScaledToEvents(WithEvents(50)).sessions, 20);
  EXPECT_EQ(ScaledToEvents(WithEvents(7)).users, 10);  // never fewer than the notebook's
  EXPECT_EQ(ScaledToEvents(WithEvents(7)).sessions, 20);
  EXPECT_EQ(ScaledToEvents(WithEvents(60000)).users, 12000);
  EXPECT_EQ(ScaledToEvents(WithEvents(60000)).sessions, 24000);
  EXPECT_EQ(ScaledToEvents(WithEvents(1000000)).sessions, 400000);
}

TEST(SeedGeneratorScale, ScaledPairsStayAboutAsManyAsTheEvents) {
  // The join's output is about the actions times the records per (session, user) pair: with
  // scaled users and sessions nearly every pair is distinct, so it stays linear.
  SeedGeneratorOptions o = ScaledToEvents(WithEvents(20000));
  o.seed = 7;
  std::set<std::string> users, pairs;
  int64_t actions = 0;
  SeedGenerator(o).Generate([&](std::string_view topic, std::string_view json) {
    if (topic != o.topic_actions) return true;
    nlohmann::json j = nlohmann::json::parse(json);
    users.insert(j["user_id"].get<std::string>());
    pairs.insert(j["session_id"].get<std::string>() + "/" + j["user_id"].get<std::string>());
    ++actions;
    return true;
  });
  EXPECT_EQ(actions, 20000);
  EXPECT_GT(users.size(), 3500u);  // of 4000
  EXPECT_LE(users.size(), 4000u);
  EXPECT_GT(pairs.size(), 19900u);
}

}  // namespace
}  // namespace braid
