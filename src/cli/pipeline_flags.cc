#include "cli/pipeline_flags.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "base/time_format.h"
#include "catalog/catalog_properties.h"
#include "cli/command.h"
#include "storage/location.h"

namespace braid::cli {

void PipelineFlags::AddParsed(CLI::App* cmd, const std::string& name, const std::string& help,
                              std::function<Status(PipelineConfig&, const std::string&)> set) {
  values_.push_back(std::make_unique<std::string>());
  std::string* v = values_.back().get();
  CLI::Option* o = cmd->add_option(name, *v, help);
  flags_.push_back({o, [v, set = std::move(set)](PipelineConfig& c) { return set(c, *v); }});
}

void PipelineFlags::AddString(CLI::App* cmd, const std::string& name, const std::string& help,
                              std::string PipelineConfig::*field) {
  AddParsed(cmd, name, help, [field](PipelineConfig& c, const std::string& v) {
    c.*field = v;
    return Status::Ok();
  });
}

void PipelineFlags::AddDuration(CLI::App* cmd, const std::string& name, const std::string& help,
                                Duration PipelineConfig::*field) {
  AddParsed(cmd, name, help, [field, name](PipelineConfig& c, const std::string& v) -> Status {
    auto d = ParseDuration(v);
    if (!d.ok()) return d.status().WithContext(name);
    c.*field = *d;
    return Status::Ok();
  });
}

void PipelineFlags::Add(CLI::App* cmd, bool kafka, bool join, bool table_names) {
  cmd->add_option("--config", config_path_, "Pipeline file (TOML; see examples/pattern-2.4.toml)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--warehouse", warehouse_, "Warehouse directory of the file catalog (./warehouse)");
  cmd->add_option("--catalog-property", catalog_props_,
                  "Iceberg catalog property KEY=VALUE (repeatable; e.g. type=file)");
  if (table_names) {
    AddString(cmd, "--namespace", "Iceberg namespace (database_name; default demo)",
              &PipelineConfig::database_name);
    AddString(cmd, "--table", "Table name (iceberg_table; default unified_activity)",
              &PipelineConfig::iceberg_table);
  }
  if (kafka) {
    AddString(cmd, "--bootstrap", "Kafka bootstrap servers (default 127.0.0.1:9092)",
              &PipelineConfig::kafka_bootstrap_servers);
    cmd->add_option("-X", kafka_props_, "librdkafka property KEY=VALUE (repeatable)");
    AddString(cmd, "--topic-actions", "Actions topic (default user_actions)",
              &PipelineConfig::topic_actions);
    AddString(cmd, "--topic-purchases", "Purchases topic (default purchases)",
              &PipelineConfig::topic_purchases);
    AddString(cmd, "--topic-sessions", "Sessions topic (default sessions)",
              &PipelineConfig::topic_sessions);
    for (size_t i = flags_.size() - 3; i < flags_.size(); ++i) {
      seed_flags_.emplace_back(flags_[i].option->get_name(), flags_[i].option);
    }
  }
  if (join) {
    AddDuration(cmd, "--watermark-delay", "Watermark delay (default 30s)",
                &PipelineConfig::watermark_delay);
    AddDuration(cmd, "--purchase-join-window", "Purchase join window, ± (default 2m)",
                &PipelineConfig::purchase_join_window);
    AddDuration(cmd, "--session-join-window", "Session join window, ± (default 2m)",
                &PipelineConfig::session_join_window);
    for (size_t i = flags_.size() - 2; i < flags_.size(); ++i) {
      seed_flags_.emplace_back(flags_[i].option->get_name(), flags_[i].option);
    }
    cmd->add_option("--query", query_path_,
                    "The join as SQL: a file with one SELECT over the --config file's [[streams]], instead of the file's join (README)")
        ->check(CLI::ExistingFile);
    AddDuration(cmd, "--idle-timeout", "Idle partition timeout (default 10s)",
                &PipelineConfig::idle_timeout);
    AddDuration(cmd, "--commit-interval", "Time between commits (default 5s)",
                &PipelineConfig::commit_interval);
    AddParsed(cmd, "--maintenance", "Table maintenance between commits: on or off (default on; see [maintenance])",
              [](PipelineConfig& c, const std::string& v) -> Status {
                if (v != "on" && v != "off") {
                  return Status::InvalidArgument(fmt::format("--maintenance {}: give on or off", v));
                }
                c.maintenance.enabled = v == "on";
                return Status::Ok();
              });
    AddParsed(cmd, "--maintenance-interval", "Time between maintenance runs (default 10m)",
              [](PipelineConfig& c, const std::string& v) -> Status {
                auto d = ParseDuration(v);
                if (!d.ok()) return d.status().WithContext("--maintenance-interval");
                c.maintenance.interval = *d;
                return c.maintenance.Validate();
              });
    AddString(cmd, "--pipeline-id", "Id of this pipeline's snapshots (default namespace.table)",
              &PipelineConfig::pipeline_id);
  }
}

Result<PipelineConfig> PipelineFlags::Resolve() const {
  PipelineConfig c;
  std::optional<PipelineQueryText> query;
  if (!query_path_.empty()) {
    if (config_path_.empty()) {
      return Status::InvalidArgument(fmt::format(
          "--query {}: give the pipeline file that declares the streams the query reads (--config FILE with "
          "[[streams]])", query_path_));
    }
    std::ifstream in(query_path_, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::InvalidArgument(fmt::format("--query {}: cannot read the file", query_path_));
    query = PipelineQueryText{text.str(), query_path_};
  }
  if (!config_path_.empty()) {
    BRAID_ASSIGN_OR_RETURN(c, PipelineConfig::Load(config_path_, query));
  }
  for (const auto& [name, option] : seed_flags_) {
    if (c.declared && option->count() > 0) {
      return Status::InvalidArgument(fmt::format(
          "{} sets the seed pipeline's topics or windows, but {} declares its streams; set them in "
          "its [[streams]] and [[join.enrich]] tables", name, config_path_));
    }
  }
  for (const Flag& f : flags_) {
    if (f.option->count() > 0) BRAID_RETURN_IF_ERROR(f.apply(c));
  }
  for (const std::string& kv : kafka_props_) {
    std::string k, v;
    BRAID_RETURN_IF_ERROR(SplitProperty(kv, &k, &v));
    // Each -X on its own, so the message names the flag that librdkafka refused.
    Status known = KafkaConfig::Check({{k, v}});
    if (!known.ok()) return known.WithContext("-X");
    c.kafka[k] = v;
  }
  for (const std::string& kv : catalog_props_) {
    std::string k, v;
    BRAID_RETURN_IF_ERROR(SplitProperty(kv, &k, &v, "--catalog-property"));
    c.catalog[k] = v;
  }
  if (!warehouse_.empty()) c.catalog["warehouse"] = warehouse_;
  // Checked once the file and the flags are merged: a flag may change the catalog type.
  BRAID_RETURN_IF_ERROR(CatalogProperties::Check(c.catalog));
  return c;
}

Result<std::pair<PipelineConfig, std::unique_ptr<Catalog>>> PipelineFlags::ResolveWithCatalog(
    CatalogAccess access) const {
  BRAID_ASSIGN_OR_RETURN(PipelineConfig config, Resolve());
  BRAID_ASSIGN_OR_RETURN(auto catalog, OpenCatalogOf(config, access));
  return std::make_pair(std::move(config), std::move(catalog));
}

namespace {

// Only the file catalog's warehouse is a directory; other catalogs name theirs (or omit it).
bool IsFileCatalog(const std::map<std::string, std::string>& props) {
  auto type = props.find("type");
  return props.count("catalog-impl") == 0 &&
         (type == props.end() || type->second == "file" || type->second == "hadoop");
}

// The properties OpenCatalogOf opens: a file catalog's warehouse defaulted and made absolute.
std::map<std::string, std::string> CatalogPropertiesOf(const PipelineConfig& config) {
  std::map<std::string, std::string> props = config.catalog;
  if (IsFileCatalog(props)) {
    std::string& wh = props["warehouse"];
    if (wh.empty()) wh = "warehouse";
    // Only a plain path is made absolute: a mistyped "s3:/bucket/wh" must fail, not become ./s3:.
    if (IsLocalLocation(wh) && !wh.starts_with("file:")) wh = std::filesystem::absolute(wh).lexically_normal();
    if (props.find("type") == props.end()) props["type"] = "file";
  }
  return props;
}

}  // namespace

Result<std::unique_ptr<Catalog>> PipelineFlags::OpenCatalogOf(const PipelineConfig& config,
                                                              CatalogAccess access) {
  return OpenCatalog(CatalogPropertiesOf(config), access);
}

std::string PipelineFlags::LocalWarehouseOf(const PipelineConfig& config) {
  std::map<std::string, std::string> props = CatalogPropertiesOf(config);
  if (!IsFileCatalog(props) || !IsLocalLocation(props["warehouse"])) return "";
  Result<std::string> path = LocalPath(props["warehouse"]);
  return path.ok() ? *path : "";
}

}  // namespace braid::cli
