#include "join/join_plan.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

TEST(JoinPlan, SeedPipelineOutputIsUnifiedActivity) {
  Result<JoinPlan> plan = JoinPlan::Compile(SeedPipeline());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const RowSchema& s = plan->output_schema();
  const std::vector<std::pair<std::string, ColumnType>> want = {
      {"user_id", ColumnType::kString},       {"session_id", ColumnType::kString},
      {"action_type", ColumnType::kString},   {"page_url", ColumnType::kString},
      {"purchase_amount", ColumnType::kDouble}, {"product_id", ColumnType::kString},
      {"device_type", ColumnType::kString},   {"event_timestamp", ColumnType::kTimestampTz},
      {"processing_time", ColumnType::kTimestampTz}};
  ASSERT_EQ(s.size(), want.size());
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].name, want[i].first);
    EXPECT_EQ(s[i].type, want[i].second) << s[i].name;
    EXPECT_EQ(s[i].field_id, static_cast<int>(i + 1));
  }
  EXPECT_EQ(plan->num_streams(), 3u);
  EXPECT_EQ(plan->stream(1).spec.topic, "purchases");
  EXPECT_EQ(plan->stream(0).spec.topic, "user_actions");
  EXPECT_EQ(plan->left_mask(), 0b010u);  // purchases LEFT, sessions INNER
  EXPECT_EQ(plan->max_window(), Duration::Seconds(120));
  EXPECT_EQ(plan->stream(0).stored_fields, (std::vector<std::string>{"action", "page_url"}));
  EXPECT_EQ(plan->stream(1).stored_fields, (std::vector<std::string>{"amount", "product_id"}));
  EXPECT_EQ(plan->stream(2).stored_fields, (std::vector<std::string>{"device"}));
  EXPECT_EQ(plan->StreamOfTopic("sessions"), 2);
  EXPECT_EQ(plan->StreamOfTopic("nope"), -1);
}

TEST(JoinPlan, SeedPipelineTakesTopicsAndWindows) {
  JoinSpec spec = SeedPipeline({"a", "b", "c"}, Duration::Seconds(60), Duration::Seconds(90),
                               Duration::Seconds(5), Duration::Seconds(3));
  EXPECT_EQ(spec.driving.topic, "a");
  EXPECT_EQ(spec.enriching[0].window, Duration::Seconds(60));
  EXPECT_EQ(spec.enriching[1].window, Duration::Seconds(90));
  EXPECT_EQ(spec.watermark_delay, Duration::Seconds(5));
  EXPECT_EQ(spec.idle_timeout, Duration::Seconds(3));
  // The defaults: 30 s delay, 10 s idle timeout, 2 min windows.
  JoinSpec d = SeedPipeline();
  EXPECT_EQ(d.watermark_delay, Duration::Seconds(30));
  EXPECT_EQ(d.idle_timeout, Duration::Seconds(10));
  EXPECT_EQ(d.enriching[0].kind, JoinKind::kLeft);
  EXPECT_EQ(d.enriching[1].kind, JoinKind::kInner);
}

TEST(JoinPlan, LayoutNamesEncodingsNotWindows) {
  const std::string a = JoinPlan::Compile(SeedPipeline())->Layout();
  EXPECT_NE(a.find("stream purchases topic purchases left stored amount:double product_id:string"),
            std::string::npos)
      << a;
  EXPECT_EQ(a, JoinPlan::Compile(SeedPipeline({}, Duration::Seconds(5)))->Layout());
  JoinSpec other = SeedPipeline();
  other.columns.pop_back();
  other.columns.push_back({"sessions", "timestamp", "session_time"});
  EXPECT_EQ(a, JoinPlan::Compile(other)->Layout()) << "timestamps are not stored values";
  other.columns.push_back({"sessions", "user_id", "session_user"});
  EXPECT_EQ(a, JoinPlan::Compile(other)->Layout()) << "keys are not stored values";
  JoinSpec kinds = SeedPipeline();
  kinds.enriching[1].kind = JoinKind::kLeft;
  EXPECT_NE(a, JoinPlan::Compile(kinds)->Layout());
}

std::string Error(const JoinSpec& spec) {
  Result<JoinPlan> plan = JoinPlan::Compile(spec);
  EXPECT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().kind(), StatusKind::kInvalidArgument);
  return plan.ok() ? "" : plan.status().message();
}

TEST(JoinPlan, RefusesInconsistentSpecsNamingTheProblem) {
  JoinSpec s = SeedPipeline();
  s.enriching[1].stream.name = "purchases";
  EXPECT_EQ(Error(s), "two streams are named \"purchases\"");
  s = SeedPipeline({"t", "t", "u"});
  EXPECT_NE(Error(s).find("read the same topic \"t\""), std::string::npos);
  s = SeedPipeline();
  s.enriching[0].stream.key_fields = {"user_id"};
  EXPECT_NE(Error(s).find("has 1 key fields"), std::string::npos);
  s = SeedPipeline();
  s.enriching[0].stream.fields[0].type = FieldType::kLong;
  EXPECT_NE(Error(s).find("key field \"user_id\" of stream \"purchases\" is long"), std::string::npos);
  s = SeedPipeline();
  s.enriching[0].window = Duration(-1);
  EXPECT_NE(Error(s).find("must not be negative"), std::string::npos);
  s = SeedPipeline();
  s.columns.push_back({"clicks", "x", "y"});
  EXPECT_NE(Error(s).find("unknown stream \"clicks\""), std::string::npos);
  s = SeedPipeline();
  s.columns.push_back({"sessions", "os", "os"});
  EXPECT_NE(Error(s).find("has no field \"os\""), std::string::npos);
  s = SeedPipeline();
  s.columns.push_back({"sessions", "device", "user_id"});
  EXPECT_NE(Error(s).find("declared twice"), std::string::npos);
  s = SeedPipeline();
  s.columns.push_back({"sessions", "device", "processing_time"});
  EXPECT_NE(Error(s).find("clashes"), std::string::npos);
  s = SeedPipeline();
  s.columns.clear();
  EXPECT_NE(Error(s).find("no output columns"), std::string::npos);
  s = SeedPipeline();
  s.enriching[1].stream.timestamp_field = "device";
  EXPECT_NE(Error(s).find("not timestamp"), std::string::npos);
}

TEST(JoinPlan, NoEnrichingStreamsIsAPassThrough) {
  JoinSpec s = SeedPipeline();
  s.enriching.clear();
  s.columns = {{"actions", "user_id", "user_id"}, {"actions", "timestamp", "ts"}};
  Result<JoinPlan> plan = JoinPlan::Compile(s);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->max_window(), Duration(0));
  EXPECT_EQ(plan->output_schema().size(), 3u);
}

}  // namespace
}  // namespace braid
