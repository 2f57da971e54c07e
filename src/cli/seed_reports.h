#pragma once
// The seed notebook's two reports and its validation checks (plus stricter ones), as SQL over
// the rows and rejects tables. Used by braid report, braid validate and braid demo.

#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "pipeline/pipeline_config.h"
#include "sql/query_result.h"
#include "table/table_identifier.h"

namespace braid::cli {

/// Prints "Activity Summary by Device" and "Conversion Rate by Action Type" as aligned tables.
Status PrintSeedReports(Catalog& catalog, const TableIdentifier& rows);

/// Runs the checks, printing one line per check; false when any failed. `rejects` may not
/// exist (then no rejects are shown). `purchase_window_s` bounds the purchase-time check.
Result<bool> RunSeedValidation(Catalog& catalog, const TableIdentifier& rows,
                               const TableIdentifier& rejects);

/// Recomputes the join from the source topics `config` names and diffs it with the table,
/// printing the verdict; false when they differ.
Result<bool> RunSourceAudit(const PipelineConfig& config, Catalog& catalog,
                            std::optional<Timestamp> since = std::nullopt,
                            Duration progress_interval = Duration::Seconds(2));

/// Prints a query result for the user: "table" (aligned), "csv" or "json".
Status PrintResult(const QueryResult& result, const std::string& format);

}  // namespace braid::cli
