#include "catalog/rest_catalog.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "catalog/curl_http_transport.h"
#include "catalog/rest_table_commit.h"

namespace braid {
namespace {

using nlohmann::json;

constexpr char kTransactionsEndpoint[] = "POST /v1/{prefix}/transactions/commit";

// Runs `read` over a server's JSON answer. nlohmann throws when a value has another type than
// the spec gives it (a string where an object belongs): such an answer is Corruption, not a
// crash.
template <typename F>
auto ReadAnswer(std::string_view what, F read) -> decltype(read()) {
  try {
    return read();
  } catch (const json::exception& e) {
    return Status::Corruption(fmt::format("{}: the REST catalog's answer is malformed: {}", what, e.what()));
  }
}

std::string Get(const PropertyMap& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

PropertyMap StringMap(const json& obj) {
  PropertyMap out;
  if (!obj.is_object()) return out;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    out[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  }
  return out;
}

RestClientOptions ClientOptions(const PropertyMap& p, const RestCatalogSeams& seams) {
  RestClientOptions o;
  o.uri = Get(p, "uri");
  o.token = Get(p, "token");
  o.credential = Get(p, "credential");
  o.oauth2_server_uri = Get(p, "oauth2-server-uri");
  if (std::string scope = Get(p, "scope"); !scope.empty()) o.scope = scope;
  o.headers["X-Iceberg-Access-Delegation"] = "vended-credentials";
  for (const auto& [k, v] : p) {
    if (k.starts_with("header.") && k.size() > 7) o.headers[k.substr(7)] = v;
  }
  if (seams.now) o.now = seams.now;
  if (seams.sleep) o.sleep = seams.sleep;
  return o;
}

// Whether snapshot `wanted` is main's head or one of its ancestors still listed.
bool OnMain(const TableMetadata& m, SnapshotId wanted) {
  const Snapshot* s = m.CurrentSnapshot();
  for (int steps = 0; s != nullptr && steps < 100000; ++steps) {
    if (s->id == wanted) return true;
    if (!s->parent_id) return false;
    s = m.SnapshotById(*s->parent_id);
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<RestCatalog>> RestCatalog::Open(const PropertyMap& properties, RestCatalogSeams seams) {
  BRAID_ASSIGN_OR_RETURN(PropertyMap user, RestCatalogProperties::Normalize(properties));
  if (!seams.transport) seams.transport = CurlHttpTransport::Default();
  auto client = std::make_unique<RestClient>(ClientOptions(user, seams), seams.transport);
  std::string warehouse = Get(user, "warehouse");
  std::string path = "/v1/config";
  if (!warehouse.empty()) path += "?warehouse=" + RestClient::Escape(warehouse);
  Result<RestResponse> config = client->Call("GET", path, nullptr, /*idempotent=*/true);
  if (!config.ok()) {
    return Status(config.status().kind(), fmt::format(
        "cannot reach the REST catalog at {}: {}; check uri and that the server is running",
        client->uri(), config.status().message()), config.status().retriable());
  }
  if (!config->ok()) {
    return RestClient::ErrorOf(*config, fmt::format("REST catalog {} refused GET /v1/config", client->uri()));
  }
  PropertyMap defaults, overrides;
  bool transactions = false;
  BRAID_RETURN_IF_ERROR(ReadAnswer(fmt::format("REST catalog {}: GET /v1/config", client->uri()), [&]() -> Status {
    if (!config->body.is_object()) return Status::Corruption("the answer is not a JSON object");
    defaults = StringMap(config->body.value("defaults", json::object()));
    overrides = StringMap(config->body.value("overrides", json::object()));
    if (config->body.contains("endpoints") && config->body["endpoints"].is_array()) {
      for (const json& e : config->body["endpoints"]) {
        transactions = transactions || (e.is_string() && e.get<std::string>() == kTransactionsEndpoint);
      }
    }
    return Status::Ok();
  }));
  PropertyMap merged = RestCatalogProperties::Merge(defaults, user, overrides);
  std::string prefix = Get(merged, "prefix");
  if (std::string ref = Get(user, "nessie.ref"); !ref.empty()) {
    std::string default_branch = Get(overrides, "nessie.default-branch.name");
    if (ref != default_branch && Get(user, "prefix").empty()) {
      prefix = RestClient::Escape(warehouse.empty() ? ref : ref + "|" + warehouse);
    }
  }
  // The server may move the catalog (overrides.uri) or hand out auth settings: rebuild the client.
  std::string uri = Get(merged, "uri");
  while (!uri.empty() && uri.back() == '/') uri.pop_back();
  merged["uri"] = uri;
  client = std::make_unique<RestClient>(ClientOptions(merged, seams), seams.transport);
  std::string name = Get(merged, "name").empty() ? "rest" : Get(merged, "name");
  auto catalog = std::unique_ptr<RestCatalog>(
      new RestCatalog(std::move(name), std::move(merged), std::move(client), std::move(prefix), transactions));
  if (seams.sleep) catalog->sleep_ = seams.sleep;
  return catalog;
}

std::string RestCatalog::Path(const std::string& rest) const {
  return prefix_.empty() ? "/v1/" + rest : "/v1/" + prefix_ + "/" + rest;
}

std::string RestCatalog::NamespacePath(const std::string& ns) const {
  // Levels are joined by the unit separator (0x1F) before encoding, as the spec says.
  std::string joined = ns;
  std::replace(joined.begin(), joined.end(), '.', '\x1f');
  return Path("namespaces/" + RestClient::Escape(joined));
}

std::string RestCatalog::TablePath(const TableIdentifier& id) const {
  return NamespacePath(id.ns) + "/tables/" + RestClient::Escape(id.name);
}

Result<std::vector<std::string>> RestCatalog::ListNamespaces() {
  std::vector<std::string> out;
  std::string token;
  do {
    std::string path = Path("namespaces");
    if (!token.empty()) path += "?pageToken=" + RestClient::Escape(token);
    BRAID_ASSIGN_OR_RETURN(RestResponse r, client_->Call("GET", path, nullptr, true));
    if (!r.ok()) return RestClient::ErrorOf(r, "listing namespaces");
    BRAID_RETURN_IF_ERROR(ReadAnswer("listing namespaces", [&]() -> Status {
      for (const json& levels : r.body.value("namespaces", json::array())) {
        std::string ns;
        for (const json& level : levels) ns += (ns.empty() ? "" : ".") + level.get<std::string>();
        out.push_back(ns);
      }
      token = r.body.contains("next-page-token") && r.body["next-page-token"].is_string()
                  ? r.body["next-page-token"].get<std::string>() : "";
      return Status::Ok();
    }));
  } while (!token.empty());
  std::sort(out.begin(), out.end());
  return out;
}

Status RestCatalog::CreateNamespace(const std::string& ns) {
  json body{{"namespace", RestTableCommit::NamespaceLevels(ns)}, {"properties", json::object()}};
  BRAID_ASSIGN_OR_RETURN(RestResponse r, client_->Call("POST", Path("namespaces"), body, true));
  if (r.ok() || r.status == 409) return Status::Ok();  // 409: it exists, which is fine
  // A server that races two creates in its database may answer 5xx to the loser: the
  // namespace then exists all the same.
  if (r.status >= 500) {
    Result<RestResponse> check = client_->Call("GET", NamespacePath(ns), nullptr, true);
    if (check.ok() && check->ok()) return Status::Ok();
  }
  return RestClient::ErrorOf(r, fmt::format("creating namespace {}", ns));
}

Result<std::vector<TableIdentifier>> RestCatalog::ListTables(const std::string& ns) {
  std::vector<TableIdentifier> out;
  std::string token;
  do {
    std::string path = NamespacePath(ns) + "/tables";
    if (!token.empty()) path += "?pageToken=" + RestClient::Escape(token);
    BRAID_ASSIGN_OR_RETURN(RestResponse r, client_->Call("GET", path, nullptr, true));
    if (r.status == 404) return Status::NotFound(fmt::format("namespace {} does not exist in catalog {}", ns, name_));
    if (!r.ok()) return RestClient::ErrorOf(r, fmt::format("listing the tables of namespace {}", ns));
    BRAID_RETURN_IF_ERROR(ReadAnswer(fmt::format("listing the tables of namespace {}", ns), [&]() -> Status {
      for (const json& t : r.body.value("identifiers", json::array())) {
        out.push_back({ns, t.value("name", "")});
      }
      token = r.body.contains("next-page-token") && r.body["next-page-token"].is_string()
                  ? r.body["next-page-token"].get<std::string>() : "";
      return Status::Ok();
    }));
  } while (!token.empty());
  std::sort(out.begin(), out.end());
  return out;
}

Result<TableState> RestCatalog::TableStateOf(const TableIdentifier& id, const json& body) {
  if (!body.is_object() || !body.contains("metadata") || !body["metadata"].is_object()) {
    return Status::Corruption(fmt::format("table {}: the REST catalog answered without metadata", id.ToString()));
  }
  std::string location;
  BRAID_RETURN_IF_ERROR(ReadAnswer(fmt::format("table {}", id.ToString()), [&]() -> Status {
    location = body.value("metadata-location", "");
    return Status::Ok();
  }));
  BRAID_ASSIGN_OR_RETURN(TableMetadata metadata,
                         ParseTableMetadata(body["metadata"].dump(), location.empty() ? id.ToString() : location));
  if (body.contains("config")) {
    std::lock_guard<std::mutex> lock(mu_);
    table_config_[metadata.location] = StringMap(body["config"]);
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    table_config_.try_emplace(metadata.location);
  }
  return TableState{std::move(metadata), std::move(location)};
}

Result<TableState> RestCatalog::LoadTable(const TableIdentifier& id) {
  BRAID_ASSIGN_OR_RETURN(RestResponse r, client_->Call("GET", TablePath(id), nullptr, true));
  if (r.status == 404) return Status::NotFound(fmt::format("table {} does not exist in catalog {}", id.ToString(), name_));
  if (!r.ok()) return RestClient::ErrorOf(r, fmt::format("loading table {}", id.ToString()));
  return TableStateOf(id, r.body);
}

Result<TableState> RestCatalog::CreateTable(const TableIdentifier& id, const RowSchema& schema,
                                            const std::map<std::string, std::string>& properties,
                                           const PartitionSpec& spec) {
  Result<TableState> existing = LoadTable(id);
  if (existing.ok() || existing.status().kind() != StatusKind::kNotFound) return existing;
  BRAID_RETURN_IF_ERROR(CreateNamespace(id.ns));
  // braid's own new-table metadata gives the schema with its field ids.
  TableMetadata fresh = TableMetadata::NewTable("", schema, {}, 0);
  json props = json::object();
  for (const auto& [k, v] : properties) props[k] = v;
  json body{{"name", id.name},
            {"schema", json::parse(fresh.CurrentSchema()->ToJson().dump())},
            {"partition-spec", {{"spec-id", 0}, {"fields", spec.FieldsJson()}}},
            {"write-order", {{"order-id", 0}, {"fields", json::array()}}},
            {"stage-create", false},
            {"properties", props}};
  BRAID_ASSIGN_OR_RETURN(RestResponse r, client_->Call("POST", NamespacePath(id.ns) + "/tables", body, true));
  if (r.status == 409) return LoadTable(id);  // created concurrently
  if (r.status >= 500) {
    // A 5xx to a create can mean a concurrent create won in the server's database (a unique
    // key violation surfacing as a server error): the table that exists is the one to use.
    Result<TableState> now = LoadTable(id);
    for (int attempt = 1; !now.ok() && now.status().kind() != StatusKind::kNotFound && attempt < 4; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
      now = LoadTable(id);
    }
    if (now.ok()) return now;
  }
  if (!r.ok()) return RestClient::ErrorOf(r, fmt::format("creating table {}", id.ToString()));
  return TableStateOf(id, r.body);
}

Result<TableState> RestCatalog::Reconcile(const TableIdentifier& id, const TableState& base,
                                          const TableMetadata& updated, const std::string& why) {
  std::vector<SnapshotId> added = RestTableCommit::AddedSnapshots(base.metadata, updated);
  Result<TableState> now = LoadTable(id);
  for (int attempt = 1; !now.ok() && attempt < 4; ++attempt) {
    sleep_(std::chrono::milliseconds(200 * attempt));
    now = LoadTable(id);
  }
  if (!now.ok()) {
    return Status::IoError(fmt::format(
        "table {}: the commit's outcome is unknown ({}) and reloading the table failed ({}); "
        "restart to recover from the table's last commit", id.ToString(), why, now.status().message()));
  }
  bool landed = !added.empty() || updated.properties != base.metadata.properties;
  for (SnapshotId s : added) landed = landed && OnMain(now->metadata, s);
  if (added.empty()) {
    for (const auto& [k, v] : updated.properties) {
      auto it = now->metadata.properties.find(k);
      landed = landed && it != now->metadata.properties.end() && it->second == v;
    }
  }
  if (landed) return now;
  return Status::Conflict(fmt::format(
      "table {}: the commit's outcome was unknown ({}) and it is not on main after reloading; "
      "retry on the new base", id.ToString(), why));
}

Result<TableState> RestCatalog::CommitTable(const TableIdentifier& id, const TableState& base,
                                            const TableMetadata& updated) {
  BRAID_ASSIGN_OR_RETURN(json body, RestTableCommit::Build(id, base, updated));
  Result<RestResponse> r = client_->Call("POST", TablePath(id), body, /*idempotent=*/false);
  if (!r.ok()) {
    // Never sent: nothing can have landed.
    if (r.status().kind() == StatusKind::kUnavailable) {
      return r.status().WithContext(fmt::format("committing table {}", id.ToString()));
    }
    return Reconcile(id, base, updated, r.status().message());
  }
  if (r->ok()) return TableStateOf(id, r->body);
  if (r->status == 409) {
    return Status::Conflict(fmt::format("table {}: another writer committed first ({}); reload and retry",
                                        id.ToString(), r->ErrorMessage()));
  }
  if (r->status == 500 || r->status == 502 || r->status == 503 || r->status == 504) {
    return Reconcile(id, base, updated, fmt::format("HTTP {}: {}", r->status, r->ErrorMessage()));
  }
  return RestClient::ErrorOf(*r, fmt::format("committing table {}", id.ToString()));
}

Status RestCatalog::CommitTransaction(const std::vector<TableCommit>& commits) {
  if (!supports_transactions_) return Catalog::CommitTransaction(commits);
  json changes = json::array();
  for (const TableCommit& c : commits) {
    BRAID_ASSIGN_OR_RETURN(json change, RestTableCommit::Build(c.id, c.base, c.updated));
    changes.push_back(std::move(change));
  }
  BRAID_ASSIGN_OR_RETURN(RestResponse r, client_->Call("POST", Path("transactions/commit"),
                                                       json{{"table-changes", changes}}, false));
  if (r.ok()) return Status::Ok();
  if (r.status == 409) {
    return Status::Conflict(fmt::format("multi-table commit: another writer committed first ({}); reload and retry",
                                        r.ErrorMessage()));
  }
  if (r.status >= 500) {
    // Unknown outcome: the caller reloads each table and checks, as after a single commit.
    return Status::IoError(fmt::format("multi-table commit: outcome unknown (HTTP {}: {}); reload the tables "
                                       "and check before retrying", r.status, r.ErrorMessage()), true);
  }
  return RestClient::ErrorOf(r, "multi-table commit");
}

Status RestCatalog::DropTable(const TableIdentifier& id) {
  BRAID_ASSIGN_OR_RETURN(RestResponse r,
                         client_->Call("DELETE", TablePath(id) + "?purgeRequested=true", nullptr, true));
  if (r.status == 404) return Status::NotFound(fmt::format("table {} does not exist in catalog {}", id.ToString(), name_));
  if (!r.ok()) return RestClient::ErrorOf(r, fmt::format("dropping table {}", id.ToString()));
  return Status::Ok();
}

Result<std::shared_ptr<FileSystem>> RestCatalog::FileSystemFor(const std::string& location) {
  PropertyMap props = properties_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_t best = 0;
    const PropertyMap* config = nullptr;
    for (const auto& [table_location, c] : table_config_) {
      if (location.starts_with(table_location) && table_location.size() > best) {
        best = table_location.size();
        config = &c;
      }
    }
    if (config) {
      for (const auto& [k, v] : *config) props[k] = v;
    }
  }
  return ::braid::FileSystemFor(location, props);
}

}  // namespace braid
