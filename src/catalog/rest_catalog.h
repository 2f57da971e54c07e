#pragma once
// RestCatalog: tables kept by an Iceberg REST catalog server (the Apache Iceberg REST fixture,
// Nessie's /iceberg endpoint, Polaris, Lakekeeper, ...). Endpoints used:
//   GET  /v1/config?warehouse=W                       prefix, defaults, overrides, endpoints
//   GET  /v1/{prefix}/namespaces                      (paged)
//   POST /v1/{prefix}/namespaces                      409 "already exists" is fine
//   GET  /v1/{prefix}/namespaces/{ns}/tables          (paged)
//   POST /v1/{prefix}/namespaces/{ns}/tables          create; 409 loads the existing table
//   GET  /v1/{prefix}/namespaces/{ns}/tables/{t}      load (with X-Iceberg-Access-Delegation)
//   POST /v1/{prefix}/namespaces/{ns}/tables/{t}      commit (RestTableCommit)
//   DELETE /v1/{prefix}/namespaces/{ns}/tables/{t}?purgeRequested=true
//   POST /v1/{prefix}/transactions/commit             when the server lists it (CommitTransaction)
// Commit outcomes: 2xx committed; 409 Conflict (nothing changed: reload and retry); 500, 502,
// 503, 504 or a lost answer leave the outcome unknown, so the table is reloaded: if the commit's
// snapshots are on main it succeeded, otherwise nothing landed and Conflict lets the caller
// retry on the new base — a commit is never applied twice. The file system of a table is
// configured by the catalog's properties overlaid with the LoadTable answer's `config` (vended
// credentials). Thread-safe.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "catalog/catalog.h"
#include "catalog/http_transport.h"
#include "catalog/rest_catalog_properties.h"
#include "catalog/rest_client.h"

namespace braid {

/// What tests replace: the network, the clock and the waits between retries.
struct RestCatalogSeams {
  std::shared_ptr<HttpTransport> transport;  // default: CurlHttpTransport
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
};

class RestCatalog final : public Catalog {
 public:
  /// Connects to the catalog `properties` describe (see RestCatalogProperties) and reads its
  /// configuration. Unavailable with the uri when the server cannot be reached; InvalidArgument
  /// naming the property for settings braid cannot honour.
  static Result<std::unique_ptr<RestCatalog>> Open(const PropertyMap& properties,
                                                   RestCatalogSeams seams = {});

  const std::string& name() const override { return name_; }
  Result<std::vector<std::string>> ListNamespaces() override;
  Status CreateNamespace(const std::string& ns) override;
  Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) override;
  Result<TableState> LoadTable(const TableIdentifier& id) override;
  Result<TableState> CreateTable(const TableIdentifier& id, const RowSchema& schema,
                                 const std::map<std::string, std::string>& properties = {},
                                 const PartitionSpec& spec = {}) override;
  Result<TableState> CommitTable(const TableIdentifier& id, const TableState& base,
                                 const TableMetadata& updated) override;
  Status DropTable(const TableIdentifier& id) override;
  /// The file system for a file of a loaded table: catalog properties + that table's config.
  Result<std::shared_ptr<FileSystem>> FileSystemFor(const std::string& location) override;
  Status CommitTransaction(const std::vector<TableCommit>& commits) override;

  /// The effective properties after GET /v1/config (defaults < user < overrides).
  const PropertyMap& properties() const { return properties_; }
  /// The path prefix from the configuration ("" when none).
  const std::string& prefix() const { return prefix_; }
  /// Whether the server lists POST /v1/{prefix}/transactions/commit.
  bool supports_transactions() const { return supports_transactions_; }

 private:
  RestCatalog(std::string name, PropertyMap properties, std::unique_ptr<RestClient> client,
              std::string prefix, bool supports_transactions)
      : name_(std::move(name)), properties_(std::move(properties)), client_(std::move(client)),
        prefix_(std::move(prefix)), supports_transactions_(supports_transactions) {}

  std::string Path(const std::string& rest) const;
  std::string NamespacePath(const std::string& ns) const;
  std::string TablePath(const TableIdentifier& id) const;
  /// Parses a LoadTableResult / CommitTableResponse and remembers the table's config.
  Result<TableState> TableStateOf(const TableIdentifier& id, const nlohmann::json& body);
  /// After an answer that leaves a commit's outcome unknown: whether `updated`'s new snapshots
  /// are now on main (then the loaded state), else Conflict.
  Result<TableState> Reconcile(const TableIdentifier& id, const TableState& base,
                               const TableMetadata& updated, const std::string& why);

  std::string name_;
  PropertyMap properties_;
  std::unique_ptr<RestClient> client_;
  std::string prefix_;
  bool supports_transactions_;
  std::function<void(std::chrono::milliseconds)> sleep_ = [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
  };  // RestCatalogSeams::sleep, between reloads in Reconcile
  std::mutex mu_;
  std::map<std::string, PropertyMap> table_config_;  // by table location; guarded by mu_
};

}  // namespace braid
