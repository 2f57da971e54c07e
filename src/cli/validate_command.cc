// braid validate: the seed notebook's checks and stricter ones; non-zero exit on failure.

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "cli/seed_reports.h"

namespace braid::cli {

Runner AddValidateCommand(CLI::App& root) {
  auto flags = std::make_shared<PipelineFlags>();
  CLI::App* cmd = root.add_subcommand("validate", "Check the table: rows joined, devices, keys, rejects");
  cmd->footer("Exits 1 when a check fails.\n\nExample:\n  braid validate --warehouse ./warehouse");
  flags->Add(cmd, /*kafka=*/false, /*join=*/false);
  return [flags] {
    auto config = flags->Resolve();
    if (!config.ok()) return Fail("validate", config.status());
    auto catalog = PipelineFlags::OpenCatalogOf(*config);
    if (!catalog.ok()) return Fail("validate", catalog.status());
    auto ok = RunSeedValidation(**catalog, PipelineFlags::RowsTable(*config),
                                PipelineFlags::RejectsTable(*config));
    if (!ok.ok()) return Fail("validate", ok.status());
    return *ok ? 0 : 1;
  };
}

}  // namespace braid::cli
