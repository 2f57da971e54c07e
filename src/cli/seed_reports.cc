#include "cli/seed_reports.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "sql/result_formatter.h"
#include "sql/sql_session.h"

namespace braid::cli {
namespace {

Result<int64_t> Count(SqlSession& s, const std::string& sql) {
  BRAID_ASSIGN_OR_RETURN(QueryResult r, s.Query(sql));
  if (r.rows.size() != 1 || r.rows[0].empty() || !r.rows[0][0]) {
    return Status::Internal("a count query returned no value: " + sql);
  }
  return std::stoll(*r.rows[0][0]);
}

}  // namespace

Status PrintSeedReports(Catalog& catalog, const TableIdentifier& rows) {
  BRAID_ASSIGN_OR_RETURN(auto session, SqlSession::Open(catalog));
  const std::string t = rows.ToString();
  BRAID_ASSIGN_OR_RETURN(QueryResult device, session->Query(fmt::format(R"(
    SELECT device_type, COUNT(*) AS total_actions, COUNT(DISTINCT user_id) AS unique_users,
           COUNT(purchase_amount) AS purchase_count,
           COALESCE(SUM(purchase_amount), 0) AS total_revenue
    FROM {} GROUP BY device_type ORDER BY total_revenue DESC)", t)));
  BRAID_ASSIGN_OR_RETURN(QueryResult conversion, session->Query(fmt::format(R"(
    SELECT action_type, COUNT(*) AS actions, COUNT(purchase_amount) AS purchases,
           ROUND(COUNT(purchase_amount) * 100.0 / COUNT(*), 2) AS conversion_rate
    FROM {} GROUP BY action_type ORDER BY conversion_rate DESC)", t)));
  // Printed once both queries answered: a failure prints its one line and no half report.
  fmt::print("Activity Summary by Device:\n{}", ResultFormatter::Table(device));
  fmt::print("\nConversion Rate by Action Type:\n{}", ResultFormatter::Table(conversion));
  return Status::Ok();
}

Result<bool> RunSeedValidation(Catalog& catalog, const TableIdentifier& rows,
                               const TableIdentifier& rejects) {
  BRAID_ASSIGN_OR_RETURN(auto session, SqlSession::Open(catalog));
  const std::string t = rows.ToString();
  // Every query runs before the first verdict is printed: a table that cannot be read fails
  // validation with its one-line reason, never after a few PASS lines.
  BRAID_ASSIGN_OR_RETURN(int64_t total, Count(*session, "SELECT COUNT(*) FROM " + t));
  BRAID_ASSIGN_OR_RETURN(int64_t null_device,
                         Count(*session, "SELECT COUNT(*) FROM " + t + " WHERE device_type IS NULL"));
  BRAID_ASSIGN_OR_RETURN(int64_t purchases, Count(*session, "SELECT COUNT(*) FROM " + t +
                                                                " WHERE purchase_amount IS NOT NULL"));
  BRAID_ASSIGN_OR_RETURN(
      int64_t null_keys,
      Count(*session, "SELECT COUNT(*) FROM " + t +
                          " WHERE user_id IS NULL OR session_id IS NULL OR event_timestamp IS NULL"
                          " OR processing_time IS NULL"));
  BRAID_ASSIGN_OR_RETURN(
      int64_t half_purchase,
      Count(*session, "SELECT COUNT(*) FROM " + t +
                          " WHERE (purchase_amount IS NULL) <> (product_id IS NULL)"));
  // A pipeline without a rejects table has nothing to list; one that cannot be read fails.
  std::optional<QueryResult> reasons;
  const auto& tables = session->tables();
  if (std::find(tables.begin(), tables.end(), rejects) != tables.end()) {
    BRAID_ASSIGN_OR_RETURN(reasons, session->Query("SELECT reason, COUNT(*) AS records FROM " +
                                                   rejects.ToString() +
                                                   " GROUP BY reason ORDER BY records DESC, reason"));
  }

  bool ok = true;
  auto check = [&](bool pass, const std::string& text) {
    fmt::print("{} {}\n", pass ? "PASS" : "FAIL", text);
    ok = ok && pass;
  };
  check(total > 0, fmt::format("joined {} unified activity records (must be > 0)", total));
  check(null_device == 0, fmt::format("{} records without device_type (inner join: must be 0)",
                                      null_device));
  fmt::print("INFO {} records with purchase data\n", purchases);
  check(null_keys == 0, fmt::format("{} records with a NULL key, event time or processing time "
                                    "(must be 0)", null_keys));
  check(half_purchase == 0,
        fmt::format("{} records with only half a purchase (amount xor product; must be 0)",
                    half_purchase));
  if (reasons) {
    int64_t n = 0;
    for (const auto& row : reasons->rows) n += row[1] ? std::stoll(*row[1]) : 0;
    fmt::print("INFO {} rejected records{}\n", n, n ? " by reason:" : "");
    if (n) fmt::print("{}", ResultFormatter::Table(*reasons, 60));
  }
  return ok;
}

}  // namespace braid::cli

namespace braid::cli {

Status PrintResult(const QueryResult& result, const std::string& format) {
  if (format == "csv") {
    fmt::print("{}", ResultFormatter::Csv(result));
  } else if (format == "json") {
    fmt::print("{}", ResultFormatter::Json(result));
  } else {
    fmt::print("{}", ResultFormatter::Table(result, 60));
  }
  return Status::Ok();
}

}  // namespace braid::cli
