// braid report: the seed notebook's two reports over the table.

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "cli/seed_reports.h"

namespace braid::cli {

Runner AddReportCommand(CLI::App& root) {
  auto flags = std::make_shared<PipelineFlags>();
  CLI::App* cmd = root.add_subcommand(
      "report", "Print the activity summary by device and the conversion rate by action type");
  cmd->footer("Example:\n  braid report --warehouse ./warehouse --namespace demo --table unified_activity");
  flags->Add(cmd, /*kafka=*/false, /*join=*/false);
  return [flags] {
    auto opened = flags->ResolveWithCatalog(CatalogAccess::kReadOnly);
    if (!opened.ok()) return Fail("report", opened.status());
    const PipelineConfig& config = opened->first;
    if (config.declared) {
      return Fail("report", Status::InvalidArgument(
                                "prints the seed pipeline's reports only, and this pipeline file declares its "
                                "own streams; query the table with `braid sql`"));
    }
    Catalog& catalog = *opened->second;
    Status st = PrintSeedReports(catalog, PipelineFlags::RowsTable(config));
    return st.ok() ? 0 : FailRun("report", st);
  };
}

}  // namespace braid::cli
