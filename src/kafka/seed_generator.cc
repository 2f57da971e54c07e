#include "kafka/seed_generator.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "base/time_format.h"

namespace braid {
namespace {

constexpr const char* kActions[] = {"view", "click", "scroll", "search"};
constexpr const char* kPages[] = {"/home", "/products", "/category", "/search"};
constexpr const char* kDevices[] = {"mobile", "desktop", "tablet"};

struct Pair {
  int user;
  int session;
  Timestamp ts;
};

// A record waiting to be sent: its event time decides the order.
struct Pending {
  Timestamp order_key;
  std::string json;
};

}  // namespace

std::string PythonIsoFormat(Timestamp t) {
  const CivilTime c = ToCivil(t);
  std::string s = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day,
                              c.hour, c.minute, c.second);
  if (c.micros != 0) s += fmt::format(".{:06}", c.micros);
  return s;
}

SeedGeneratorOptions ScaledToEvents(SeedGeneratorOptions options) {
  constexpr int64_t kSeedEvents = 50, kSeedUsers = 10, kSeedSessions = 20;
  const int64_t events = std::max<int64_t>(options.events, 0);
  options.users = static_cast<int>(std::max(kSeedUsers, events * kSeedUsers / kSeedEvents));
  options.sessions = static_cast<int>(std::max(kSeedSessions, events * kSeedSessions / kSeedEvents));
  return options;
}

SeedGenerator::SeedGenerator(SeedGeneratorOptions options)
    : opt_(std::move(options)), rng_(opt_.seed) {}

SeedCounts SeedGenerator::Generate(
    const std::function<bool(std::string_view, std::string_view)>& emit) {
  SeedCounts counts;
  auto pick = [&](int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); };
  auto unit = [&] { return std::uniform_real_distribution<double>(0, 1)(rng_); };
  const int64_t span_us = std::max<int64_t>(opt_.span.micros(), 0);

  std::vector<Pair> pairs(static_cast<size_t>(opt_.events));
  for (Pair& p : pairs) {
    p.user = 1 + pick(opt_.users);
    p.session = 1 + pick(opt_.sessions);
    // The seed draws whole seconds (randint(0, 60)); scaled runs spread over the span.
    const int64_t offset = span_us % 1000000 == 0
                               ? static_cast<int64_t>(rng_() % (span_us / 1000000 + 1)) * 1000000
                               : static_cast<int64_t>(rng_() % (span_us + 1));
    p.ts = opt_.now - Duration::Micros(offset);
  }

  // Sends `recs` in event-time order, each moved back by up to `disorder`, with late and
  // malformed records mixed in.
  auto send = [&](const std::string& topic, std::vector<Pending>& recs, int64_t* count) {
    const int64_t dis = opt_.disorder.micros();
    for (Pending& r : recs) {
      if (dis > 0) r.order_key = r.order_key + Duration::Micros(static_cast<int64_t>(rng_() % (dis + 1)));
    }
    std::sort(recs.begin(), recs.end(),
              [](const Pending& a, const Pending& b) { return a.order_key < b.order_key; });
    for (Pending& r : recs) {
      if (!emit(topic, r.json)) return false;
      ++*count;
    }
    return true;
  };
  // Decides a record's fate: on time (ts kept), late (an hour back, sent last) or malformed.
  enum class Fate { kOnTime, kLate, kMalformed };
  auto fate = [&] {
    if (opt_.malformed_fraction > 0 && unit() < opt_.malformed_fraction) return Fate::kMalformed;
    if (opt_.late_fraction > 0 && unit() < opt_.late_fraction) return Fate::kLate;
    return Fate::kOnTime;
  };
  // Builds the pending record for `ts`; `format(ts)` writes the well-formed JSON.
  auto make = [&](Timestamp ts, const auto& format) {
    const Fate f = fate();
    if (f == Fate::kLate) {
      ++counts.late;
      return Pending{Timestamp::Max(), format(ts - Duration::Seconds(3600))};
    }
    std::string json = format(ts);
    if (f == Fate::kMalformed) {
      ++counts.malformed;
      switch (pick(4)) {
        case 0: json.resize(json.size() / 2); break;  // truncated: invalid JSON
        case 1: json = R"({"user_id": null, "session_id": "session_1"})"; break;
        case 2: json.replace(json.rfind("\"timestamp\""), std::string::npos,
                             R"("timestamp": "yesterday"})"); break;
        default: json = "not json at all"; break;
      }
    }
    return Pending{ts, std::move(json)};
  };

  std::vector<Pending> recs;
  recs.reserve(pairs.size());
  for (const Pair& p : pairs) {
    const char* action = kActions[pick(4)];
    const char* page = kPages[pick(4)];
    recs.push_back(make(p.ts, [&](Timestamp ts) {
      return fmt::format(
          R"({{"user_id": "user_{}", "session_id": "session_{}", "action": "{}", "page_url": "{}", "timestamp": "{}"}})",
          p.user, p.session, action, page, PythonIsoFormat(ts));
    }));
  }
  if (!send(opt_.topic_actions, recs, &counts.actions)) return counts;

  // 60 % of the pairs, sampled without replacement (partial Fisher-Yates over indices).
  const size_t n_purchases = static_cast<size_t>(static_cast<double>(opt_.events) * 0.6);
  std::vector<uint32_t> idx(pairs.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<uint32_t>(i);
  recs.clear();
  for (size_t i = 0; i < n_purchases; ++i) {
    std::swap(idx[i], idx[i + rng_() % (idx.size() - i)]);
    const Pair& p = pairs[idx[i]];
    const double amount = std::round((19.99 + unit() * (499.99 - 19.99)) * 100) / 100;
    const int product = 100 + pick(900);
    recs.push_back(make(p.ts, [&](Timestamp ts) {
      return fmt::format(
          R"({{"user_id": "user_{}", "session_id": "session_{}", "product_id": "prod_{}", "amount": {}, "timestamp": "{}"}})",
          p.user, p.session, product, amount, PythonIsoFormat(ts));
    }));
  }
  if (!send(opt_.topic_purchases, recs, &counts.purchases)) return counts;

  // One session record per distinct (session, user) pair, at its first pair's time.
  std::unordered_map<uint64_t, Timestamp> first;
  std::vector<std::pair<uint64_t, Timestamp>> order;
  for (const Pair& p : pairs) {
    const uint64_t key = (static_cast<uint64_t>(p.session) << 32) | static_cast<uint32_t>(p.user);
    if (first.emplace(key, p.ts).second) order.emplace_back(key, p.ts);
  }
  recs.clear();
  for (const auto& entry : order) {
    const uint64_t key = entry.first;  // named, not bound: clang 14 cannot capture bindings
    const Timestamp ts = entry.second;
    const char* device = kDevices[pick(3)];
    recs.push_back(make(ts, [&](Timestamp t) {
      return fmt::format(
          R"({{"session_id": "session_{}", "user_id": "user_{}", "device": "{}", "timestamp": "{}"}})",
          key >> 32, key & 0xffffffffu, device, PythonIsoFormat(t));
    }));
  }
  send(opt_.topic_sessions, recs, &counts.sessions);
  return counts;
}

}  // namespace braid
