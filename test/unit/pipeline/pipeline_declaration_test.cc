#include "pipeline/pipeline_declaration.h"

#include <gtest/gtest.h>

#include "join/join_plan.h"
#include "pipeline/pipeline_config.h"

namespace braid {
namespace {

// A valid two-stream declaration, line by line so tests can name the line they break.
const char* const kStreams =
    "[[streams]]\n"                                                                  // 1
    "name = \"views\"\n"                                                             // 2
    "topic = \"t_views\"\n"                                                          // 3
    "fields = { user = \"string\", shop = \"long\", page = \"string\", at = \"timestamp\" }\n"  // 4
    "key = [\"user\", \"shop\"]\n"                                                   // 5
    "event_time = \"at\"\n"                                                          // 6
    "optional = [\"page\"]\n"                                                        // 7
    "[[streams]]\n"                                                                  // 8
    "name = \"buys\"\n"                                                              // 9
    "topic = \"t_buys\"\n"                                                           // 10
    "fields = { user = \"string\", shop = \"long\", price = \"double\", at = \"timestamp\" }\n"  // 11
    "key = [\"user\", \"shop\"]\n"                                                   // 12
    "event_time = \"at\"\n";                                                         // 13
const char* const kJoin =
    "[join]\n"                                                                       // 14
    "driving = \"views\"\n"                                                          // 15
    "[[join.enrich]]\n"                                                              // 16
    "stream = \"buys\"\n"                                                            // 17
    "kind = \"left\"\n"                                                              // 18
    "window = \"10 minutes\"\n";                                                     // 19
const char* const kOutput =
    "[output]\n"                                                                     // 20
    "table = \"views_bought\"\n"                                                     // 21
    "columns = [\"views.user\", \"views.shop\", \"views.page\", \"buys.price AS paid\", \"views.at AS seen\"]\n";  // 22

std::string Valid() { return std::string(kStreams) + kJoin + kOutput; }

Result<PipelineConfig> Parse(const std::string& text) { return PipelineConfig::Parse(text, "p.toml"); }

// Replaces the first `from` in `text` by `to` (the test fails if `from` is absent).
std::string Edit(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The message of a refused declaration, checked for the line and each expected fragment.
void ExpectRefused(const std::string& text, int line, std::vector<std::string> fragments) {
  auto c = Parse(text);
  ASSERT_FALSE(c.ok()) << "accepted:\n" << text;
  EXPECT_EQ(c.status().kind(), StatusKind::kInvalidArgument);
  const std::string m = c.status().message();
  EXPECT_NE(m.find("p.toml:" + std::to_string(line) + ":"), std::string::npos) << m;
  for (const std::string& f : fragments) EXPECT_NE(m.find(f), std::string::npos) << f << " not in: " << m;
}

TEST(PipelineDeclaration, ReadsStreamsJoinAndOutput) {
  auto c = Parse("watermark_delay = \"5s\"\nidle_timeout = \"3s\"\n" + Valid());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->declared.has_value());
  EXPECT_EQ(c->iceberg_table, "views_bought");
  JoinSpec spec = c->ToJoinSpec();
  EXPECT_EQ(spec.driving.name, "views");
  EXPECT_EQ(spec.driving.topic, "t_views");
  EXPECT_EQ(spec.driving.key_fields, (std::vector<std::string>{"user", "shop"}));
  EXPECT_EQ(spec.driving.timestamp_field, "at");
  EXPECT_FALSE(spec.driving.fields[spec.driving.FieldIndex("page")].required);
  EXPECT_TRUE(spec.driving.fields[spec.driving.FieldIndex("user")].required);
  EXPECT_EQ(spec.driving.fields[spec.driving.FieldIndex("shop")].type, FieldType::kLong);
  ASSERT_EQ(spec.enriching.size(), 1u);
  EXPECT_EQ(spec.enriching[0].stream.name, "buys");
  EXPECT_EQ(spec.enriching[0].kind, JoinKind::kLeft);
  EXPECT_EQ(spec.enriching[0].window, Duration::Seconds(600));
  EXPECT_EQ(spec.watermark_delay, Duration::Seconds(5));
  EXPECT_EQ(spec.idle_timeout, Duration::Seconds(3));
  ASSERT_EQ(spec.columns.size(), 5u);
  EXPECT_EQ(spec.columns[3].stream, "buys");
  EXPECT_EQ(spec.columns[3].field, "price");
  EXPECT_EQ(spec.columns[3].name, "paid");
  EXPECT_EQ(spec.columns[0].name, "user");
  auto plan = JoinPlan::Compile(spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->output_schema().size(), 6u);  // + processing_time
  EXPECT_EQ(c->JoinDescription(), "t_views ⟕ t_buys");
}

TEST(PipelineDeclaration, TheShippedAdAttributionExampleCompiles) {
  auto c = PipelineConfig::Load(std::string(BRAID_SOURCE_DIR) + "/examples/ad-attribution.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  JoinSpec spec = c->ToJoinSpec();
  EXPECT_EQ(spec.driving.name, "impressions");
  ASSERT_EQ(spec.enriching.size(), 2u);
  EXPECT_EQ(spec.enriching[0].window, Duration::Seconds(30 * 60));
  EXPECT_EQ(spec.enriching[1].window, Duration::Seconds(24 * 3600));
  EXPECT_EQ(spec.enriching[1].kind, JoinKind::kLeft);
  EXPECT_EQ(c->iceberg_table, "attributed_impressions");
  EXPECT_TRUE(JoinPlan::Compile(spec).ok());
}

TEST(PipelineDeclaration, TheSeedFileHasNoDeclaration) {
  auto c = Parse("topic_actions = \"a\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->declared.has_value());
  EXPECT_EQ(c->ToJoinSpec().driving.topic, "a");
  EXPECT_EQ(c->JoinDescription(), "a ⟕ purchases ⋈ sessions");
}

TEST(PipelineDeclaration, FieldsMayBeASubTable) {
  std::string text = Edit(Valid(), "fields = { user = \"string\", shop = \"long\", page = \"string\", at = \"timestamp\" }\n", "");
  text = Edit(text, "optional = [\"page\"]\n",
              "optional = [\"page\"]\n[streams.fields]\nuser = \"string\"\nshop = \"long\"\npage = \"string\"\nat = \"timestamp\"\n");
  auto c = Parse(text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const StreamSpec& views = c->declared->driving;
  ASSERT_EQ(views.fields.size(), 4u);
  EXPECT_EQ(views.fields[views.FieldIndex("shop")].type, FieldType::kLong);
  EXPECT_FALSE(views.fields[views.FieldIndex("page")].required);
}

TEST(PipelineDeclaration, RefusesAnUnknownStreamInTheJoin) {
  ExpectRefused(Edit(Valid(), "stream = \"buys\"", "stream = \"bys\""), 17,
                {"join.enrich[1].stream", "\"bys\" is not a declared stream", "views, buys"});
  ExpectRefused(Edit(Valid(), "driving = \"views\"", "driving = \"view\""), 15, {"join.driving"});
}

TEST(PipelineDeclaration, RefusesKeysOfAnotherArityOrType) {
  std::string text = Valid();
  size_t second = text.find("key = [\"user\", \"shop\"]", text.find("name = \"buys\""));
  std::string arity = text;
  arity.replace(second, 22, "key = [\"user\"]");
  ExpectRefused(arity, 12, {"streams[2].key", "1 key field(s)", "the driving stream \"views\" has 2"});
  std::string types = Edit(Valid(), "shop = \"long\", price", "shop = \"string\", price");
  ExpectRefused(types, 12, {"streams[2].key", "\"shop\" of \"buys\" is string", "is long", "same types"});
}

TEST(PipelineDeclaration, RefusesAColumnThatNamesNoField) {
  ExpectRefused(Edit(Valid(), "buys.price AS paid", "buys.cost AS paid"), 22,
                {"output.columns", "stream \"buys\" has no field \"cost\"", "price"});
  ExpectRefused(Edit(Valid(), "buys.price AS paid", "shops.price"), 22, {"\"shops\" is not a stream of the join"});
  ExpectRefused(Edit(Valid(), "buys.price AS paid", "price"), 22, {"\"stream.field\""});
  ExpectRefused(Edit(Valid(), "buys.price AS paid", "buys.price AS user"), 22, {"already named \"user\""});
  ExpectRefused(Edit(Valid(), "buys.price AS paid", "buys.price AS processing_time"), 22,
                {"the column braid appends"});
}

TEST(PipelineDeclaration, RefusesAZeroOrNegativeWindow) {
  ExpectRefused(Edit(Valid(), "\"10 minutes\"", "\"0s\""), 19, {"join.enrich[1].window", "longer than zero"});
  ExpectRefused(Edit(Valid(), "\"10 minutes\"", "\"-5m\""), 19, {"join.enrich[1].window", "longer than zero"});
  ExpectRefused(Edit(Valid(), "kind = \"left\"", "kind = \"outer\""), 18, {"join.enrich[1].kind", "\"inner\" or \"left\""});
}

TEST(PipelineDeclaration, RefusesTwoStreamsOnOneTopic) {
  ExpectRefused(Edit(Valid(), "topic = \"t_buys\"", "topic = \"t_views\""), 10,
                {"streams[2].topic", "also read by stream \"views\""});
}

TEST(PipelineDeclaration, RefusesAStreamDeclaredButNotUsed) {
  std::string text = std::string(kStreams) + "[join]\ndriving = \"views\"\n" + kOutput;
  text = Edit(text, ", \"buys.price AS paid\"", "");
  ExpectRefused(text, 9, {"streams[2].name", "\"buys\" is declared but not used"});
}

TEST(PipelineDeclaration, RefusesUnknownKeysEverywhere) {
  ExpectRefused(Edit(Valid(), "event_time = \"at\"\noptional", "evnt_time = \"at\"\noptional"), 6,
                {"streams[1].evnt_time", "unknown key", "event_time"});
  ExpectRefused(Edit(Valid(), "driving = \"views\"", "driving = \"views\"\nmode = \"x\""), 16,
                {"join.mode", "driving, enrich"});
  ExpectRefused(Edit(Valid(), "kind = \"left\"", "kind = \"left\"\nwindw = 3"), 19,
                {"join.enrich[1].windw", "stream, kind, window"});
  ExpectRefused(Edit(Valid(), "table = \"views_bought\"", "table = \"views_bought\"\nsort = 1"), 22,
                {"output.sort", "table, columns"});
}

TEST(PipelineDeclaration, RefusesWhatIsNotSupportedYetByName) {
  ExpectRefused(Edit(Valid(), "page = \"string\"", "page = \"boolean\""), 4,
                {"streams[1].fields.page", "boolean fields are not supported yet", "supported: string"});
  ExpectRefused(Edit(Valid(), "page = \"string\"", "\"page.id\" = \"string\""), 4,
                {"nested JSON paths", "not supported yet"});
  ExpectRefused(Edit(Valid(), "page = \"string\"", "page.id = \"string\""), 4, {"nested JSON paths"});
  ExpectRefused(Edit(Valid(), "at = \"timestamp\" }\nkey", "at = \"epoch_millis\" }\nkey"), 4,
                {"epoch timestamps are not supported yet"});
  ExpectRefused(Edit(Valid(), "topic = \"t_views\"", "topic = \"t_views\"\nformat = \"avro\""), 4,
                {"streams[1].format", "format \"avro\" is not supported yet", "\"json\""});
  ExpectRefused(Edit(Valid(), "topic = \"t_views\"", "topic = \"t_views\"\nwatermark_delay = \"1s\""), 4,
                {"streams[1].watermark_delay", "not supported yet"});
}

// partition_by binds to the output columns (after AS): accepted with its fields in order; an
// unknown column, a transform on a wrong type or a bad bucket count names the line.
TEST(PipelineDeclaration, ReadsAndChecksPartitionBy) {
  auto with = [](const std::string& lines) {
    return Edit(Valid(), "table = \"views_bought\"", "table = \"views_bought\"\n" + lines);
  };
  auto c = Parse(with("partition_by = [\"day(seen)\", \"bucket(16, user)\", \"shop\"]\ntarget_file_size = \"64KiB\""));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->partition_by.size(), 3u);
  EXPECT_EQ(c->partition_by[0].column, "seen");
  EXPECT_EQ(c->partition_by[0].transform.ToString(), "day");
  EXPECT_EQ(c->partition_by[1].transform.ToString(), "bucket[16]");
  EXPECT_EQ(c->partition_by[2].transform.ToString(), "identity");
  EXPECT_EQ(c->target_file_size, 64 * 1024);
  EXPECT_TRUE(Parse(Valid())->partition_by.empty());
  EXPECT_TRUE(Parse(with("partition_by = [\"hour(processing_time)\"]")).ok());  // the appended column too

  ExpectRefused(with("partition_by = [\"day(at)\"]"), 22,
                {"output.partition_by", "\"at\" is not an output column", "seen"});
  ExpectRefused(with("partition_by = [\"day(page)\"]"), 22, {"output.partition_by", "column \"page\" is string"});
  ExpectRefused(with("partition_by = [\"bucket(4, paid)\"]"), 22, {"output.partition_by", "\"paid\" is double"});
  ExpectRefused(with("partition_by = [\"bucket(0, user)\"]"), 22, {"output.partition_by", "bucket count \"0\""});
  ExpectRefused(with("partition_by = [\"week(seen)\"]"), 22, {"output.partition_by", "unknown transform \"week\""});
  ExpectRefused(with("partition_by = \"day(seen)\""), 22, {"output.partition_by", "must be an array"});
  ExpectRefused(with("partition_spec = [\"day(seen)\"]"), 22, {"output.partition_spec", "partition_by"});
  ExpectRefused(with("target_file_size = \"lots\""), 22, {"output.target_file_size", "positive byte size"});
  ExpectRefused(with("target_file_size = 0"), 22, {"output.target_file_size"});
}

TEST(PipelineDeclaration, RefusesABadStream) {
  ExpectRefused(Edit(Valid(), "event_time = \"at\"\noptional", "event_time = \"page\"\noptional"), 6,
                {"streams[1].event_time", "field \"page\" is string", "type timestamp"});
  ExpectRefused(Edit(Valid(), "optional = [\"page\"]", "optional = [\"user\"]"), 7,
                {"streams[1].optional", "key or the event time"});
  ExpectRefused(Edit(Valid(), "key = [\"user\", \"shop\"]", "key = [\"user\", \"nope\"]"), 5,
                {"streams[1].key", "\"nope\" is not a declared field"});
  ExpectRefused(Edit(Valid(), "name = \"buys\"", "name = \"views\""), 9, {"declared twice"});
}

TEST(PipelineDeclaration, RefusesMixingWithTheSeedKeys) {
  ExpectRefused("topic_actions = \"a\"\n" + Valid(), 1, {"topic_actions", "belongs to the seed pipeline"});
  ExpectRefused("purchase_join_window = \"1m\"\n" + Valid(), 1, {"purchase_join_window"});
  ExpectRefused("iceberg_table = \"x\"\n" + Valid(), 1, {"iceberg_table", "[output].table"});
  ExpectRefused(std::string(kJoin) + kOutput, 1, {"join", "without streams"});
  ExpectRefused(std::string(kStreams) + kJoin, 14, {"output", "is missing"});
}

}  // namespace
}  // namespace braid
