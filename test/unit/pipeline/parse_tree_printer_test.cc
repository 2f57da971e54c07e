#include "pipeline/parse_tree_printer.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

using Json = nlohmann::json;

class ParseTreePrinterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = DuckDbConnection::Open({{"threads", "1"}});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  // The SELECT node of `sql`.
  Json Node(const std::string& sql) {
    auto tree = ParseTreePrinter::Serialize(*db_, sql);
    EXPECT_TRUE(tree.ok());
    return (*tree)["statements"][0]["node"];
  }
  std::unique_ptr<DuckDbConnection> db_;
};

TEST_F(ParseTreePrinterTest, QuotesIntervalsAsWrittenAndRunsDuckDbsText) {
  auto printer = ParseTreePrinter::Create(*db_);
  ASSERT_TRUE(printer.ok());
  Json where = Node("SELECT 1 FROM t WHERE t.a BETWEEN t.b - INTERVAL 30 MINUTE AND t.b + INTERVAL '2 hours'")["where_clause"];
  EXPECT_EQ(printer->Quoted(where), "t.a BETWEEN (t.b - INTERVAL 30 MINUTE) AND (t.b + INTERVAL '2 hours')");
  // The runnable text is DuckDB's own, and DuckDB evaluates it to the interval written.
  Json minutes = Node("SELECT INTERVAL 30 MINUTE")["select_list"][0];
  auto value = FirstValue(*db_, "SELECT (" + printer->Sql(minutes) + ")::VARCHAR");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "00:30:00");
  // "(a) AND (b)" keeps its parentheses: they are not one pair around the whole.
  Json both = Node("SELECT 1 FROM t WHERE t.a > 0 AND t.b > 0")["where_clause"];
  EXPECT_EQ(printer->Quoted(both), "(t.a > 0) AND (t.b > 0)");
}

TEST_F(ParseTreePrinterTest, PrintsClausesAlone) {
  auto printer = ParseTreePrinter::Create(*db_);
  ASSERT_TRUE(printer.ok());
  Json node = Node("WITH q AS (SELECT 1) SELECT DISTINCT t.a FROM t AS t LEFT JOIN u ON t.a = u.a ORDER BY 1 LIMIT 2");
  EXPECT_EQ(printer->Clause([&](Json& n) { n["modifiers"] = node["modifiers"]; }), "DISTINCT ORDER BY 1 LIMIT 2");
  EXPECT_EQ(printer->Clause([&](Json& n) { n["cte_map"] = node["cte_map"]; }), "WITH q AS (SELECT 1)");
  EXPECT_EQ(printer->Table(node["from_table"]["right"]), "u");
}

}  // namespace
}  // namespace braid
