#pragma once
// The flags every pipeline command shares (join, demo, report, validate): the pipeline file,
// Kafka, the catalog and the table names. Flags override the file.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/result.h"
#include "catalog/catalog.h"
#include "pipeline/pipeline_config.h"
#include "table/table_identifier.h"

namespace braid::cli {

class PipelineFlags {
 public:
  /// Registers --config, --warehouse and --catalog-property on `cmd`, and with `table_names`
  /// --namespace and --table (braid table names its table as an argument instead); with
  /// `kafka`, also --bootstrap, -X and the topic flags; with `join`, the event-time flags and
  /// --query.
  void Add(CLI::App* cmd, bool kafka, bool join, bool table_names = true);

  /// The configuration: the file (if --config), then every flag given. InvalidArgument for a
  /// catalog property the catalog does not read or a Kafka property librdkafka refuses.
  Result<PipelineConfig> Resolve() const;

  /// Resolve(), then the catalog the configuration names. Reading commands pass kReadOnly.
  Result<std::pair<PipelineConfig, std::unique_ptr<Catalog>>> ResolveWithCatalog(
      CatalogAccess access = CatalogAccess::kReadWrite) const;

  /// Opens the catalog `config` names (default: a file catalog at ./warehouse).
  static Result<std::unique_ptr<Catalog>> OpenCatalogOf(const PipelineConfig& config,
                                                        CatalogAccess access = CatalogAccess::kReadWrite);

  /// The local directory of a file catalog's warehouse, as OpenCatalogOf opens it; empty for
  /// other catalogs and for a warehouse in an object store.
  static std::string LocalWarehouseOf(const PipelineConfig& config);

  static TableIdentifier RowsTable(const PipelineConfig& c) {
    return {c.database_name, c.iceberg_table};
  }
  static TableIdentifier RejectsTable(const PipelineConfig& c) {
    return {c.database_name, c.iceberg_table + "_rejects"};
  }

 private:
  struct Flag {
    CLI::Option* option;
    std::function<Status(PipelineConfig&)> apply;
  };
  /// A string flag whose value `set` applies to the configuration when the flag was given.
  void AddParsed(CLI::App* cmd, const std::string& name, const std::string& help,
                 std::function<Status(PipelineConfig&, const std::string&)> set);
  void AddString(CLI::App* cmd, const std::string& name, const std::string& help,
                 std::string PipelineConfig::*field);
  void AddDuration(CLI::App* cmd, const std::string& name, const std::string& help,
                   Duration PipelineConfig::*field);

  std::string config_path_;
  std::string query_path_;  // --query FILE: the join as SQL over the file's [[streams]]
  std::vector<std::unique_ptr<std::string>> values_;
  std::vector<std::string> kafka_props_;
  std::vector<std::string> catalog_props_;
  std::string warehouse_;
  std::vector<Flag> flags_;
  /// The seed pipeline's topic and window flags: refused with a declared pipeline.
  std::vector<std::pair<std::string, CLI::Option*>> seed_flags_;
};


}  // namespace braid::cli
