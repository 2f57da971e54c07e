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

TEST(PipelineDeclaration, TheShippedOrderFulfilmentExampleCompiles) {
  auto c = PipelineConfig::Load(std::string(BRAID_SOURCE_DIR) + "/examples/order-fulfilment.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  JoinSpec spec = c->ToJoinSpec();
  EXPECT_EQ(spec.driving.key_fields, (std::vector<std::string>{"order.id", "customer.id"}));
  EXPECT_EQ(spec.driving.fields[spec.driving.FieldIndex("placed_at")].time_format, TimeFormat::kEpochMillis);
  ASSERT_EQ(spec.enriching.size(), 2u);
  EXPECT_EQ(spec.enriching[0].kind, JoinKind::kInner);
  EXPECT_EQ(spec.enriching[0].window, Duration::Seconds(3600));
  EXPECT_EQ(spec.enriching[1].kind, JoinKind::kLeft);
  EXPECT_EQ(spec.enriching[1].window, Duration::Seconds(3 * 86400));
  EXPECT_EQ(spec.WatermarkDelayOf("shop_shipments"), Duration::Seconds(600));
  EXPECT_EQ(spec.WatermarkDelayOf("shop_orders"), Duration::Seconds(30));
  auto plan = JoinPlan::Compile(spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::vector<std::string> names;
  for (const ColumnSpec& col : plan->output_schema()) names.push_back(col.name);
  EXPECT_EQ(names, (std::vector<std::string>{"order_id", "customer_id", "tier", "total", "gift", "payment_id", "paid",
                                             "card_verified", "paid_at", "shipment_id", "carrier", "shipped_at",
                                             "event_timestamp", "processing_time"}));
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
  ExpectRefused(Edit(Valid(), "topic = \"t_views\"", "topic = \"t_views\"\nformat = \"avro\""), 4,
                {"streams[1].format", "format \"avro\" is not supported yet", "\"json\""});
  ExpectRefused(Edit(Valid(), "topic = \"t_views\"", "topic = \"t_views\"\nevent_time_format = \"epoch_millis\""), 4,
                {"streams[1].event_time_format", "is not a key", "ts = \"timestamp(epoch_millis)\""});
}

// Views with a nested key, an epoch event time, a boolean and the stream's own watermark.
std::string Nested() {
  std::string text = Edit(Valid(), "fields = { user = \"string\", shop = \"long\", page = \"string\", at = \"timestamp\" }",
                          "fields = { \"who.user\" = \"string\", shop = \"long\", page = \"string\", "
                          "at = \"timestamp(epoch_millis)\", new = \"boolean\" }");
  text = Edit(text, "key = [\"user\", \"shop\"]", "key = [\"who.user\", \"shop\"]");
  text = Edit(text, "optional = [\"page\"]", "optional = [\"page\"]\nwatermark_delay = \"2m\"\nidle_timeout = 90");
  return Edit(text, "\"views.user\",", "\"views.who.user\", \"views.new\",");
}

TEST(PipelineDeclaration, ReadsBooleansNestedPathsEpochTimesAndStreamWatermarks) {
  auto c = Parse("watermark_delay = \"5s\"\n" + Nested());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  JoinSpec spec = c->ToJoinSpec();
  const StreamSpec& views = spec.driving;
  ASSERT_GE(views.FieldIndex("who.user"), 0);
  EXPECT_EQ(views.key_fields[0], "who.user");
  EXPECT_EQ(views.fields[views.FieldIndex("new")].type, FieldType::kBoolean);
  const FieldSpec& at = views.fields[views.FieldIndex("at")];
  EXPECT_EQ(at.type, FieldType::kTimestamp);
  EXPECT_EQ(at.time_format, TimeFormat::kEpochMillis);
  EXPECT_EQ(FieldTypeSpelling(at), "timestamp(epoch_millis)");
  EXPECT_EQ(views.watermark_delay, Duration::Seconds(120));
  EXPECT_EQ(views.idle_timeout, Duration::Seconds(90));
  EXPECT_FALSE(spec.enriching[0].stream.watermark_delay);
  // The stream's own settings win over the file's; the other stream keeps the file's.
  EXPECT_EQ(spec.WatermarkDelayOf("t_views"), Duration::Seconds(120));
  EXPECT_EQ(spec.WatermarkDelayOf("t_buys"), Duration::Seconds(5));
  EXPECT_EQ(spec.IdleTimeoutOf("t_views"), Duration::Seconds(90));
  EXPECT_EQ(spec.IdleTimeoutOf("t_buys"), Duration::Seconds(10));
  // Without AS a nested column is named by its path with _ for the dots.
  EXPECT_EQ(spec.columns[0].field, "who.user");
  EXPECT_EQ(spec.columns[0].name, "who_user");
  EXPECT_EQ(spec.columns[1].name, "new");
  auto plan = JoinPlan::Compile(spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->output_schema()[1].type, ColumnType::kBoolean);
}

TEST(PipelineDeclaration, ANestedPathMayBeWrittenAsATomlTable) {
  for (const char* form : {"who.user = \"string\"", "who = { user = \"string\" }"}) {
    std::string text = Edit(Nested(), "\"who.user\" = \"string\"", form);
    auto c = Parse(text);
    ASSERT_TRUE(c.ok()) << form << ": " << c.status().ToString();
    EXPECT_GE(c->declared->driving.FieldIndex("who.user"), 0) << form;
  }
  ExpectRefused(Edit(Nested(), "\"who.user\" = \"string\"", "who = {}"), 4, {"streams[1].fields.who", "empty table"});
}

TEST(PipelineDeclaration, RefusesBadTypeNames) {
  ExpectRefused(Edit(Valid(), "page = \"string\"", "page = \"bool\""), 4, {"streams[1].fields.page", "write \"boolean\""});
  ExpectRefused(Edit(Valid(), "page = \"string\"", "page = \"text\""), 4,
                {"unknown type \"text\"", "boolean", "timestamp(epoch_millis)"});
  ExpectRefused(Edit(Valid(), "at = \"timestamp\" }\nkey", "at = \"epoch_millis\" }\nkey"), 4,
                {"streams[1].fields.at", "\"epoch_millis\" is not a type", "\"timestamp(epoch_millis)\""});
  ExpectRefused(Edit(Valid(), "at = \"timestamp\" }\nkey", "at = \"timestamp(epoch_nanos)\" }\nkey"), 4,
                {"\"epoch_nanos\" is not a timestamp format", "timestamp(epoch_seconds)", "timestamp(epoch_micros)"});
  ExpectRefused(Edit(Valid(), "at = \"timestamp\" }\nkey", "at = \"timestamp(millis)\" }\nkey"), 4,
                {"\"millis\" is not a timestamp format"});
  ExpectRefused(Edit(Valid(), "page = \"string\"", "page = 3"), 4, {"must be a type name"});
  // A boolean is neither a key nor an event time.
  ExpectRefused(Edit(Valid(), "shop = \"long\", page", "shop = \"boolean\", page"), 5,
                {"streams[1].key", "key field \"shop\" is boolean", "string or long"});
  ExpectRefused(Edit(Edit(Valid(), "page = \"string\"", "page = \"boolean\""), "event_time = \"at\"", "event_time = \"page\""),
                6, {"streams[1].event_time", "field \"page\" is boolean", "type timestamp"});
}

TEST(PipelineDeclaration, RefusesNestedPathConflicts) {
  ExpectRefused(Edit(Valid(), "page = \"string\"", "page = \"string\", \"page.id\" = \"long\""), 4,
                {"streams[1].fields.page.id", "\"page\" and \"page.id\" are both declared", "declare one of them"});
  ExpectRefused(Edit(Valid(), "page = \"string\"", "\"page.id\" = \"long\", page = \"string\""), 4,
                {"streams[1].fields.page", "\"page\" and \"page.id\" are both declared"});
  ExpectRefused(Edit(Valid(), "page = \"string\"", "page = { id = \"long\" }, \"page.id\" = \"string\""), 4,
                {"streams[1].fields.page", "\"page.id\" is declared twice"});
  ExpectRefused(Edit(Valid(), "page = \"string\"", "\"page..id\" = \"string\""), 4, {"has an empty part"});
  ExpectRefused(Edit(Valid(), "page = \"string\"", "\".page\" = \"string\""), 4, {"has an empty part"});
  // Two columns named alike once the dots are underscores.
  std::string text = Edit(Nested(), "shop = \"long\", page", "shop = \"long\", who_user = \"string\", page");
  ExpectRefused(Edit(text, "\"views.new\",", "\"views.who_user\", \"views.new\","), 24,
                {"already named \"who_user\"", "AS"});
}

TEST(PipelineDeclaration, RefusesABadStreamWatermark) {
  ExpectRefused(Edit(Nested(), "watermark_delay = \"2m\"", "watermark_delay = \"-2m\""), 8,
                {"streams[1].watermark_delay", "must not be negative"});
  ExpectRefused(Edit(Nested(), "idle_timeout = 90", "idle_timeout = -1"), 9, {"streams[1].idle_timeout", "zero or more"});
  ExpectRefused(Edit(Nested(), "idle_timeout = 90", "idle_timeout = \"soon\""), 9, {"streams[1].idle_timeout", "soon"});
  ExpectRefused(Edit(Nested(), "idle_timeout = 90", "idle_timeout = true"), 9, {"streams[1].idle_timeout", "a duration"});
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
