#include "pipeline/pipeline_query.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pipeline/pipeline_config.h"

namespace braid {
namespace {

// Three streams keyed (user, shop); the shop of "buys" is declared first, so pairing the keys
// by the ON clause (not by the declared order) is seen.
std::vector<StreamSpec> Streams() {
  const FieldType S = FieldType::kString, L = FieldType::kLong, T = FieldType::kTimestamp;
  return {
      StreamSpec{"views", "t_views", {{"user", S}, {"shop", L}, {"page", S}, {"at", T}}, {"user", "shop"}, "at"},
      StreamSpec{"buys", "t_buys", {{"shop", L}, {"user", S}, {"price", FieldType::kDouble}, {"at", T}}, {"shop", "user"}, "at"},
      StreamSpec{"carts", "t_carts", {{"user", S}, {"shop", L}, {"items", L}, {"ts", T}}, {"user", "shop"}, "ts"},
  };
}

const char* const kQuery =
    "SELECT v.user, v.shop, v.page, b.price AS paid, c.items, v.at AS seen\n"
    "FROM views v\n"
    "LEFT JOIN buys b ON b.user = v.user AND v.shop = b.shop\n"
    "  AND b.at BETWEEN v.at - INTERVAL 30 MINUTE AND v.at + INTERVAL '30 minutes'\n"
    "JOIN carts c ON c.user = v.user AND c.shop = v.shop AND c.ts BETWEEN v.at - INTERVAL '1 day 2 hours' AND v.at + INTERVAL 26 HOUR";

TEST(PipelineQuery, CompilesTheJoinSpec) {
  auto spec = CompilePipelineQuery(kQuery, Streams());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->driving.name, "views");
  EXPECT_EQ(spec->driving.key_fields, (std::vector<std::string>{"user", "shop"}));
  ASSERT_EQ(spec->enriching.size(), 2u);
  EXPECT_EQ(spec->enriching[0].stream.name, "buys");
  EXPECT_EQ(spec->enriching[0].stream.topic, "t_buys");
  EXPECT_EQ(spec->enriching[0].kind, JoinKind::kLeft);
  EXPECT_EQ(spec->enriching[0].window, Duration::Seconds(1800));
  // Paired as the ON clause says: buys.user with views.user, whatever buys declares first.
  EXPECT_EQ(spec->enriching[0].stream.key_fields, (std::vector<std::string>{"user", "shop"}));
  EXPECT_EQ(spec->enriching[1].stream.name, "carts");
  EXPECT_EQ(spec->enriching[1].kind, JoinKind::kInner);
  EXPECT_EQ(spec->enriching[1].window, Duration::Seconds(26 * 3600));
  ASSERT_EQ(spec->columns.size(), 6u);
  EXPECT_EQ(spec->columns[0].stream, "views");
  EXPECT_EQ(spec->columns[0].field, "user");
  EXPECT_EQ(spec->columns[0].name, "user");
  EXPECT_EQ(spec->columns[3].stream, "buys");
  EXPECT_EQ(spec->columns[3].field, "price");
  EXPECT_EQ(spec->columns[3].name, "paid");
  EXPECT_EQ(spec->columns[4].stream, "carts");
  EXPECT_EQ(spec->columns[5].name, "seen");
}

TEST(PipelineQuery, NestedFieldsAreNamedByTheirPath) {
  // Fields declared at nested JSON paths: alias.user.id names "user.id"; without AS its column
  // is user_id, as in [output] columns.
  const FieldType S = FieldType::kString, T = FieldType::kTimestamp;
  const std::vector<StreamSpec> streams{
      StreamSpec{"views", "t_views", {{"user.id", S}, {"page", S}, {"at", T}}, {"user.id"}, "at"},
      StreamSpec{"buys", "t_buys", {{"buyer.id", S}, {"meta.at", T}}, {"buyer.id"}, "meta.at"},
  };
  auto spec = CompilePipelineQuery(
      "SELECT v.user.id, v.page, b.meta.at AS bought FROM views v LEFT JOIN buys b ON b.buyer.id = v.user.id "
      "AND b.meta.at BETWEEN v.at - INTERVAL 1 MINUTE AND v.at + INTERVAL 1 MINUTE",
      streams);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->columns.size(), 3u);
  EXPECT_EQ(spec->columns[0].field, "user.id");
  EXPECT_EQ(spec->columns[0].name, "user_id");
  EXPECT_EQ(spec->columns[2].field, "meta.at");
  EXPECT_EQ(spec->columns[2].name, "bought");
  ASSERT_EQ(spec->enriching.size(), 1u);
  EXPECT_EQ(spec->enriching[0].stream.key_fields, (std::vector<std::string>{"buyer.id"}));
  // A path the stream does not declare is named as such.
  auto missing = CompilePipelineQuery(
      "SELECT v.user.name FROM views v LEFT JOIN buys b ON b.buyer.id = v.user.id "
      "AND b.meta.at BETWEEN v.at - INTERVAL 1 MINUTE AND v.at + INTERVAL 1 MINUTE",
      streams);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("v.user.name: stream \"views\" has no field \"user.name\""),
            std::string::npos)
      << missing.status().message();
}

TEST(PipelineQuery, KeysPairedAcrossAreTheJoinKey) {
  // buys.shop = views.user would pair a long with a string: refused by type.
  auto spec = CompilePipelineQuery(
      "SELECT v.user FROM views v JOIN buys b ON b.shop = v.user AND b.user = v.shop AND b.at BETWEEN v.at - "
      "INTERVAL 1 MINUTE AND v.at + INTERVAL 1 MINUTE JOIN carts c ON c.user = v.user AND c.shop = v.shop AND "
      "c.ts BETWEEN v.at - INTERVAL 1 MINUTE AND v.at + INTERVAL 1 MINUTE",
      Streams());
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("b.shop = v.user: b.shop is long and v.user is string"), std::string::npos)
      << spec.status().message();
}

TEST(PipelineQuery, UnaliasedStreamsAndWindowForms) {
  auto spec = CompilePipelineQuery(
      "SELECT views.user, buys.price FROM views LEFT OUTER JOIN buys ON views.user = buys.user AND views.shop = "
      "buys.shop AND buys.at BETWEEN views.at - '90 seconds'::INTERVAL AND INTERVAL 90 SECOND + views.at "
      "INNER JOIN carts ON carts.user = views.user AND carts.shop = views.shop AND carts.ts BETWEEN views.at - "
      "to_minutes(2) AND views.at + INTERVAL 2 MINUTE;",
      Streams());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->enriching[0].window, Duration::Seconds(90));
  EXPECT_EQ(spec->enriching[1].window, Duration::Seconds(120));
}

// The refusal of `query`: one line with `fragment`, saying what is not supported and what is.
void ExpectRefusedWith(const std::string& query, const std::string& fragment) {
  auto spec = CompilePipelineQuery(query, Streams());
  ASSERT_FALSE(spec.ok()) << "accepted: " << query;
  EXPECT_EQ(spec.status().kind(), StatusKind::kInvalidArgument);
  const std::string m = spec.status().message();
  EXPECT_NE(m.find(fragment), std::string::npos) << m;
  EXPECT_NE(m.find(": not supported; supported: "), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

// The refusal names exactly `clause`.
void ExpectRefused(const std::string& query, const std::string& clause) {
  ExpectRefusedWith(query, "query: " + clause + ": not supported; supported: ");
}

// `q` (the valid query by default) with `from` replaced by `to`.
std::string Edit(std::string q, const std::string& from, const std::string& to) {
  size_t at = q.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) q.replace(at, from.size(), to);
  return q;
}
std::string Edit(const std::string& from, const std::string& to) { return Edit(kQuery, from, to); }

TEST(PipelineQuery, RefusesClausesOutsideTheShape) {
  ExpectRefused(std::string(kQuery) + " WHERE b.price > 0", "WHERE b.price > 0");
  ExpectRefused(std::string(kQuery) + " GROUP BY v.user", "GROUP BY v.\"user\"");
  ExpectRefused(std::string(kQuery) + " GROUP BY ALL", "GROUP BY ALL");
  ExpectRefusedWith(std::string(kQuery) + " HAVING count(*) > 1", "query: HAVING ");
  ExpectRefused(std::string(kQuery) + " ORDER BY v.at LIMIT 5", "ORDER BY v.\"at\" LIMIT 5");
  ExpectRefused(Edit("SELECT v.user", "SELECT DISTINCT v.user"), "DISTINCT");
  ExpectRefused(std::string(kQuery) + " QUALIFY b.price > 1", "QUALIFY b.price > 1");
  ExpectRefused("WITH q AS (SELECT 1) " + std::string(kQuery), "WITH q AS (SELECT 1)");
  ExpectRefused(std::string(kQuery) + " UNION ALL " + kQuery, "UNION, INTERSECT or EXCEPT");
}

// Found by fuzzing: DuckDB's own message about its wrapping statement escaped unprefixed.
TEST(PipelineQuery, RefusesTextThatIsNotUtf8OrHoldsNul) {
  for (const auto& [query, message] :
       {std::pair{Edit("SELECT v.user", "SELECT v.us\xf5r"), "query: is not UTF-8 text; save the query as UTF-8"},
        std::pair{Edit(" AND ", std::string(" \0AND ", 6)), "query: holds a NUL byte; a query is text"}}) {
    auto spec = CompilePipelineQuery(query, Streams());
    ASSERT_FALSE(spec.ok());
    EXPECT_EQ(spec.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_EQ(spec.status().message(), message);
  }
}

// Found by fuzzing: typeof() calls it an INTERVAL without reading the text, so DuckDB's
// conversion error escaped without naming the query.
TEST(PipelineQuery, RefusesAnIntervalDuckDbCannotRead) {
  ExpectRefusedWith(Edit("INTERVAL '30 minutes'", "INTERVAL '30 mi}utes'"), "INTERVAL '30 mi}utes'");
  // A line break inside the quoted clause is shown as \n: the message stays one line.
  ExpectRefusedWith(Edit("INTERVAL '30 minutes'", "INTERVAL '30\nmi\x01utes'"), "INTERVAL '30\\nmi\\x01utes'");
}

// Found by fuzzing: a stream or field name quoted in a refusal may hold a line break too.
TEST(PipelineQuery, ARefusalQuotingANameStaysOneLine) {
  for (const auto& [query, fragment] :
       {std::pair{Edit("FROM views v", "FROM 'vie\nws' v"), "\"vie\\nws\" is not a declared stream"},
        std::pair{Edit("SELECT v.user,", "SELECT v.\"us\ter\","), "stream \"views\" has no field \"us\\x09er\""}}) {
    auto spec = CompilePipelineQuery(query, Streams());
    ASSERT_FALSE(spec.ok()) << query;
    EXPECT_EQ(spec.status().kind(), StatusKind::kInvalidArgument);
    const std::string m = spec.status().message();
    EXPECT_NE(m.find(fragment), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_EQ(m.find('\t'), std::string::npos) << m;
  }
}

TEST(PipelineQuery, RefusesOtherSelectItems) {
  ExpectRefused(Edit("SELECT v.user,", "SELECT *,"), "SELECT *");
  ExpectRefused(Edit("SELECT v.user,", "SELECT v.*,"), "SELECT v.*");
  ExpectRefused(Edit("b.price AS paid", "b.price * 2 AS paid"), "SELECT (b.price * 2) AS paid");
  ExpectRefused(Edit("b.price AS paid", "upper(v.page) AS paid"), "SELECT upper(v.page) AS paid");
  ExpectRefused(Edit("c.items,", "items,"), "items");
}

TEST(PipelineQuery, RefusesOtherJoins) {
  ExpectRefused(Edit("LEFT JOIN buys b", "RIGHT JOIN buys b"), "RIGHT JOIN buys AS b");
  ExpectRefused(Edit("LEFT JOIN buys b", "FULL JOIN buys b"), "FULL JOIN buys AS b");
  ExpectRefused(Edit("FROM views v", "FROM (SELECT * FROM views) v"), "(SELECT * FROM \"views\") AS v");
  ExpectRefused("SELECT v.user FROM views v, buys b", "a cross join (FROM a, b or CROSS JOIN) with buys AS b");
  ExpectRefused("SELECT v.user FROM views v JOIN buys b USING (user)", "JOIN buys AS b USING (user)");
  ExpectRefused(Edit("FROM views v", "FROM main.views v"), "main.\"views\" AS v");
}

TEST(PipelineQuery, RefusesOtherOnConditions) {
  // A filter in ON, an enriching stream joined to another, an asymmetric window.
  ExpectRefused(Edit("AND v.shop = b.shop", "AND v.shop = b.shop AND b.price > 0"),
                "LEFT JOIN buys AS b ON ... b.price > 0");
  ExpectRefused(Edit("c.shop = v.shop", "c.shop = b.shop"), "c.shop = b.shop");
  ExpectRefusedWith(Edit("v.at + INTERVAL '30 minutes'", "v.at + INTERVAL '10 minutes'"),
                    "query: b.\"at\" BETWEEN (v.\"at\" - ");
  ExpectRefusedWith(Edit("v.at + INTERVAL '30 minutes'", "v.at + INTERVAL '10 minutes'"),
                    "(the window is 30m before and 10m after): not supported; supported: b.at BETWEEN v.at - INTERVAL w");
  ExpectRefused(Edit("v.at - INTERVAL 30 MINUTE", "v.at + INTERVAL 30 MINUTE"),
                "b.\"at\" BETWEEN (v.\"at\" + INTERVAL 30 MINUTE) AND (v.\"at\" + INTERVAL '30 minutes')");
  ExpectRefusedWith(Edit("BETWEEN v.at - INTERVAL 30", "BETWEEN v.page - INTERVAL 30"), "query: b.\"at\" BETWEEN");
  ExpectRefusedWith(Edit("b.at BETWEEN", "v.at BETWEEN"), "query: v.\"at\" BETWEEN");
  ExpectRefusedWith(Edit("INTERVAL 26 HOUR", "(v.shop * INTERVAL 1 HOUR)"), "w a constant INTERVAL");
  ExpectRefusedWith(Edit("INTERVAL 26 HOUR", "26"), "w an INTERVAL such as INTERVAL 30 MINUTE");
  ExpectRefusedWith(Edit(Edit("INTERVAL '1 day 2 hours'", "INTERVAL 1 MONTH"), "INTERVAL 26 HOUR", "INTERVAL 1 MONTH"),
                    "a month has no fixed length");
  ExpectRefusedWith(Edit("AND v.shop = b.shop", "AND v.shop = b.shop OR b.price > 0"), "query: LEFT JOIN buys AS b ON ... ");
  ExpectRefused(Edit("AND v.shop = b.shop", "AND v.page = b.user AND v.shop = b.shop"), "LEFT JOIN buys AS b ON ... b.user = v.page");
  ExpectRefused(Edit("AND v.shop = b.shop", ""), "LEFT JOIN buys AS b: equates 1 of the key fields");
}

TEST(PipelineQuery, RefusesWrongDeclarations) {
  auto message = [](const std::string& q) {
    auto spec = CompilePipelineQuery(q, Streams());
    return spec.ok() ? std::string("accepted") : spec.status().message();
  };
  EXPECT_NE(message(Edit("JOIN carts c", "JOIN carts2 c")).find("\"carts2\" is not a declared stream; the streams are views, buys, carts"), std::string::npos);
  EXPECT_NE(message(Edit("b.price AS paid", "b.cost AS paid")).find("query: b.cost: stream \"buys\" has no field \"cost\""), std::string::npos);
  EXPECT_NE(message(Edit("b.price AS paid", "v.page")).find("a column is already named \"page\""), std::string::npos);
  EXPECT_NE(message(Edit("b.price AS paid", "b.price AS processing_time")).find("the column braid appends"), std::string::npos);
  EXPECT_NE(message(Edit(" AND c.ts BETWEEN v.at - INTERVAL '1 day 2 hours' AND v.at + INTERVAL 26 HOUR", "")).find("has no window; add AND c.ts BETWEEN v.at - INTERVAL w"), std::string::npos);
  EXPECT_NE(message(Edit(Edit("JOIN carts c ON c.user = v.user AND c.shop = v.shop AND c.ts BETWEEN v.at - INTERVAL '1 day 2 hours' AND v.at + INTERVAL 26 HOUR", ""), "c.items, ", "")).find("stream \"carts\" is declared but the query does not read it"), std::string::npos);
  EXPECT_NE(message(Edit(Edit("INTERVAL '1 day 2 hours'", "INTERVAL '-26 hours'"), "INTERVAL 26 HOUR", "INTERVAL '-26 hours'"))
                .find("the window must be longer than zero"), std::string::npos);
  EXPECT_EQ(message("SELEC v.user FROM views v"), "query: syntax error at or near \"SELEC\"");
}

TEST(PipelineQuery, AFileDeclaresItsJoinAsAQuery) {
  const std::string streams =
      "[[streams]]\nname = \"views\"\ntopic = \"t_views\"\nfields = { user = \"string\", at = \"timestamp\" }\n"
      "key = [\"user\"]\nevent_time = \"at\"\n"
      "[[streams]]\nname = \"buys\"\ntopic = \"t_buys\"\nfields = { user = \"string\", price = \"double\", at = \"timestamp\" }\n"
      "key = [\"user\"]\nevent_time = \"at\"\n";
  const std::string query =
      "query = \"\"\"\nSELECT v.user, b.price FROM views v LEFT JOIN buys b ON b.user = v.user\n"
      "  AND b.at BETWEEN v.at - INTERVAL 5 MINUTE AND v.at + INTERVAL 5 MINUTE\n\"\"\"\n";
  auto c = PipelineConfig::Parse(
      query + streams + "[output]\ntable = \"bought\"\npartition_by = [\"bucket(4, user)\"]\ntarget_file_size = \"1MiB\"\n", "p.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->iceberg_table, "bought");
  EXPECT_EQ(c->partition_by.size(), 1u);
  EXPECT_EQ(c->target_file_size, 1 << 20);
  // The partition spec binds to the query's columns: "price" is a double, which day() refuses.
  auto wrong = PipelineConfig::Parse(query + streams + "[output]\npartition_by = [\"day(price)\"]\n", "p.toml");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("p.toml:18: output.partition_by"), std::string::npos) << wrong.status().message();
  EXPECT_NE(c->query.find("LEFT JOIN buys b"), std::string::npos);
  JoinSpec spec = c->ToJoinSpec();
  EXPECT_EQ(spec.enriching.at(0).window, Duration::Seconds(300));
  EXPECT_EQ(spec.columns.size(), 2u);

  // A refusal names the file and the query's line.
  auto bad = PipelineConfig::Parse("\n" + Edit(query, "5 MINUTE\n", "5 MINUTE WHERE b.price > 1\n") + streams, "p.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("p.toml:2: query: WHERE b.price > 1: not supported; supported: "), 0u)
      << bad.status().message();

  // Two descriptions of the join in one file; columns beside a query.
  auto both = PipelineConfig::Parse(query + streams + "[join]\ndriving = \"views\"\n", "p.toml");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("join: the join is also given as a query (line 1); keep one"), std::string::npos)
      << both.status().message();
  auto columns = PipelineConfig::Parse(query + streams + "[output]\ncolumns = [\"views.user\"]\n", "p.toml");
  ASSERT_FALSE(columns.ok());
  EXPECT_NE(columns.status().message().find("the query's SELECT list gives the columns"), std::string::npos);

  // --query replaces the file's own query; without [[streams]] there is nothing to read.
  // After a [[streams]] table, query = would be that stream's key: named as such.
  auto misplaced = PipelineConfig::Parse(streams + query, "p.toml");
  ASSERT_FALSE(misplaced.ok());
  EXPECT_NE(misplaced.status().message().find("p.toml:13: streams[2].query: query is a top-level key"), std::string::npos)
      << misplaced.status().message();
  auto after_output = PipelineConfig::Parse(streams + "[output]\ntable = \"t\"\n" + query, "p.toml");
  ASSERT_FALSE(after_output.ok());
  EXPECT_NE(after_output.status().message().find("p.toml:15: output.query: query is a top-level key"), std::string::npos)
      << after_output.status().message();

  auto over = PipelineConfig::Parse(query + streams, "p.toml",
                                    PipelineQueryText{"SELECT b.price, v.at AS seen FROM views v JOIN buys b ON "
                                                      "v.user = b.user AND b.at BETWEEN v.at - INTERVAL 1 HOUR AND "
                                                      "v.at + INTERVAL 1 HOUR", "q.sql"});
  ASSERT_TRUE(over.ok()) << over.status().ToString();
  EXPECT_EQ(over->ToJoinSpec().enriching.at(0).kind, JoinKind::kInner);
  EXPECT_EQ(over->ToJoinSpec().columns.at(1).name, "seen");
  auto seed = PipelineConfig::Parse("database_name = \"d\"\n", "p.toml", PipelineQueryText{"SELECT 1", "q.sql"});
  ASSERT_FALSE(seed.ok());
  EXPECT_NE(seed.status().message().find("declares no [[streams]] for the query q.sql to read"), std::string::npos)
      << seed.status().message();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ExpectSameJoin(const JoinSpec& a, const JoinSpec& b) {
  auto same_stream = [](const StreamSpec& x, const StreamSpec& y) {
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.topic, y.topic);
    EXPECT_EQ(x.key_fields, y.key_fields);
    EXPECT_EQ(x.timestamp_field, y.timestamp_field);
    // The same fields, in whatever order (TOML tables read back sorted by name).
    ASSERT_EQ(x.fields.size(), y.fields.size());
    for (const FieldSpec& f : x.fields) {
      int i = y.FieldIndex(f.name);
      ASSERT_GE(i, 0) << f.name;
      EXPECT_EQ(f.type, y.fields[i].type) << f.name;
      EXPECT_EQ(f.required, y.fields[i].required) << f.name;
    }
  };
  same_stream(a.driving, b.driving);
  ASSERT_EQ(a.enriching.size(), b.enriching.size());
  for (size_t i = 0; i < a.enriching.size(); ++i) {
    same_stream(a.enriching[i].stream, b.enriching[i].stream);
    EXPECT_EQ(a.enriching[i].kind, b.enriching[i].kind);
    EXPECT_EQ(a.enriching[i].window, b.enriching[i].window);
  }
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (size_t i = 0; i < a.columns.size(); ++i) {
    EXPECT_EQ(a.columns[i].stream, b.columns[i].stream);
    EXPECT_EQ(a.columns[i].field, b.columns[i].field);
    EXPECT_EQ(a.columns[i].name, b.columns[i].name);
  }
  EXPECT_EQ(a.watermark_delay, b.watermark_delay);
}

TEST(PipelineQuery, ExamplesGiveTheJoinsOfTheirTomlForms) {
  const std::string dir = std::string(BRAID_SOURCE_DIR) + "/examples/";
  auto seed = PipelineConfig::Load(dir + "pattern-2.4.toml");
  auto seed_sql = PipelineConfig::Load(dir + "pattern-2.4-sql.toml");
  ASSERT_TRUE(seed.ok()) << seed.status().ToString();
  ASSERT_TRUE(seed_sql.ok()) << seed_sql.status().ToString();
  ExpectSameJoin(seed->ToJoinSpec(), seed_sql->ToJoinSpec());
  EXPECT_EQ(seed->database_name, seed_sql->database_name);
  EXPECT_EQ(seed->iceberg_table, seed_sql->iceberg_table);

  auto ads = PipelineConfig::Load(dir + "ad-attribution.toml");
  auto ads_sql = PipelineConfig::Load(dir + "ad-attribution.toml",
                                      PipelineQueryText{ReadFile(dir + "ad-attribution.sql"), "ad-attribution.sql"});
  ASSERT_TRUE(ads.ok()) << ads.status().ToString();
  ASSERT_TRUE(ads_sql.ok()) << ads_sql.status().ToString();
  ExpectSameJoin(ads->ToJoinSpec(), ads_sql->ToJoinSpec());
  EXPECT_TRUE(ads->query.empty());
  EXPECT_FALSE(ads_sql->query.empty());

  // Nested JSON paths, an inner and a left join, a stream with its own watermark delay.
  auto orders = PipelineConfig::Load(dir + "order-fulfilment.toml");
  auto orders_sql = PipelineConfig::Load(
      dir + "order-fulfilment.toml",
      PipelineQueryText{ReadFile(dir + "order-fulfilment.sql"), "order-fulfilment.sql"});
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  ASSERT_TRUE(orders_sql.ok()) << orders_sql.status().ToString();
  ExpectSameJoin(orders->ToJoinSpec(), orders_sql->ToJoinSpec());
}

}  // namespace
}  // namespace braid
