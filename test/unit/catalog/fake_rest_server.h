#pragma once
// FakeRestServer: an in-process HttpTransport answering a small part of the Iceberg REST API
// for one table (config, load, commit with assert-ref-snapshot-id checked) so tests can inject
// what real servers do rarely: a 5xx after the commit landed, a lost answer, a refused connection.

#include <functional>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/http_transport.h"
#include "table/table_metadata.h"

namespace braid::testing {

class FakeRestServer final : public HttpTransport {
 public:
  enum class CommitFault { kNone, kApplyThen500, kApplyThenDrop, kRefuse500, kDropBeforeApply };

  explicit FakeRestServer(TableMetadata table) : table_(std::move(table)) {}

  nlohmann::json config = {{"defaults", nlohmann::json::object()}, {"overrides", nlohmann::json::object()}};
  nlohmann::json table_config = nlohmann::json::object();
  CommitFault fault = CommitFault::kNone;
  /// Called with each request before it is handled; a non-ok result is returned instead.
  std::function<Result<RestHttpResponse>(const RestHttpRequest&)> intercept;

  Result<RestHttpResponse> Send(const RestHttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (intercept) {
      Result<RestHttpResponse> r = intercept(request);
      if (!r.ok() || r->status != 0) return r;
    }
    std::string path = request.url.substr(request.url.find("/v1/"));
    if (path.starts_with("/v1/config")) return Json(200, config);
    if (path.find("/tables/") != std::string::npos && request.method == "GET") return Json(200, Loaded());
    if (path.find("/tables/") != std::string::npos && request.method == "POST") return Commit(request);
    return Json(404, {{"error", {{"message", "no route " + path}, {"type", "NotFound"}, {"code", 404}}}});
  }

  std::vector<RestHttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int commits_applied() const { return commits_applied_; }
  const TableMetadata& table() const { return table_; }

 private:
  static RestHttpResponse Json(int status, const nlohmann::json& body) { return {status, body.dump()}; }

  nlohmann::json Loaded() const {
    return {{"metadata-location", "mem://v" + std::to_string(version_)},
            {"metadata", nlohmann::json::parse(SerializeTableMetadata(table_))},
            {"config", table_config}};
  }

  Result<RestHttpResponse> Commit(const RestHttpRequest& request) {
    if (fault == CommitFault::kDropBeforeApply) return Status::IoError("connection reset by peer", true);
    if (fault == CommitFault::kRefuse500) return Json(500, {{"error", {{"message", "boom"}, {"type", "ServerError"}, {"code", 500}}}});
    nlohmann::json body = nlohmann::json::parse(request.body);
    for (const nlohmann::json& req : body["requirements"]) {
      if (req["type"] == "assert-ref-snapshot-id") {
        const Snapshot* head = table_.CurrentSnapshot();
        bool ok = req["snapshot-id"].is_null() ? head == nullptr
                                               : head != nullptr && head->id.value() == req["snapshot-id"].get<int64_t>();
        if (!ok) return Json(409, {{"error", {{"message", "branch main has changed"}, {"type", "CommitFailedException"}, {"code", 409}}}});
      }
    }
    nlohmann::json m = nlohmann::json::parse(SerializeTableMetadata(table_));
    for (const nlohmann::json& u : body["updates"]) {
      if (u["action"] == "add-snapshot") m["snapshots"].push_back(u["snapshot"]);
      if (u["action"] == "set-snapshot-ref") {
        m["refs"]["main"] = {{"snapshot-id", u["snapshot-id"]}, {"type", "branch"}};
        m["current-snapshot-id"] = u["snapshot-id"];
      }
      if (u["action"] == "set-properties") {
        for (auto it = u["updates"].begin(); it != u["updates"].end(); ++it) m["properties"][it.key()] = it.value();
      }
    }
    table_ = *ParseTableMetadata(m.dump(), "fake");
    ++version_;
    ++commits_applied_;
    if (fault == CommitFault::kApplyThen500) return Json(500, {{"error", {{"message", "gateway lost it"}, {"type", "ServerError"}, {"code", 500}}}});
    if (fault == CommitFault::kApplyThenDrop) return Status::IoError("operation timed out", true);
    return Json(200, Loaded());
  }

  std::mutex mu_;
  std::vector<RestHttpRequest> requests_;
  TableMetadata table_;
  int version_ = 1;
  int commits_applied_ = 0;
};

}  // namespace braid::testing
