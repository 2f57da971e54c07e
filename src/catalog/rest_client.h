#pragma once
// RestClient: JSON over HTTP for the Iceberg REST catalog. Adds the auth header (a fixed bearer
// `token`, or OAuth2 client credentials exchanged for tokens that are refreshed before they
// expire) and `header.*` headers, retries requests that never reached the server and idempotent
// requests that failed in transit or were answered 429/500/502/503/504 (exponential backoff with jitter), and
// turns the server's ErrorModel into a one-line Status. Tokens and secrets never appear in
// messages. Thread-safe.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "catalog/http_transport.h"

namespace braid {

struct RestClientOptions {
  std::string uri;  // the catalog's base URI, without a trailing '/' ("http://host:8181")
  std::map<std::string, std::string> headers;  // sent with every request
  std::string token;                           // bearer token, or ""
  std::string credential;                      // "client_id:secret" (or "secret"), or ""
  std::string oauth2_server_uri;               // token endpoint; default <uri>/v1/oauth/tokens
  std::string scope = "catalog";
  int max_attempts = 4;
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds backoff{200};  // first retry delay, doubled per attempt, capped at 5 s
  /// The clock token expiry is measured on, and how the client waits between attempts.
  std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
  std::function<void(std::chrono::milliseconds)> sleep;
};

/// One HTTP answer: its status code and JSON body (null when empty or not JSON).
struct RestResponse {
  int status = 0;
  nlohmann::json body;

  bool ok() const { return status >= 200 && status < 300; }
  /// The server's ErrorModel message ("error.message"), or the raw status when absent.
  std::string ErrorMessage() const;
};

class RestClient {
 public:
  RestClient(RestClientOptions options, std::shared_ptr<HttpTransport> transport);

  /// Sends `method` to `url_or_path` (absolute, or a path appended to the base URI) with `body`
  /// (omitted when null) and returns the answer, whatever its status. `idempotent` allows
  /// retrying after a failure in transit and after 429/500/502/503/504. Fails with Unavailable when the
  /// server could not be reached, IoError when the outcome is unknown (the request may have been
  /// acted on), InvalidArgument when OAuth2 fails.
  Result<RestResponse> Call(const std::string& method, const std::string& url_or_path,
                            const nlohmann::json& body, bool idempotent);

  /// A Status for a non-2xx answer: "<what>: HTTP <code> <type>: <message>", kind by code
  /// (400 InvalidArgument, 401/403 InvalidArgument, 404 NotFound, 409 Conflict, 5xx IoError).
  static Status ErrorOf(const RestResponse& response, std::string_view what);

  /// Percent-encodes one path segment or query value.
  static std::string Escape(std::string_view text);

  const std::string& uri() const { return options_.uri; }

 private:
  /// The Authorization header value, fetching or refreshing an OAuth2 token when due.
  Result<std::string> Authorization(bool force_refresh);
  Status FetchToken();
  void Backoff(int attempt);

  RestClientOptions options_;
  std::shared_ptr<HttpTransport> transport_;
  std::mutex mu_;
  std::string oauth_token_;  // guarded by mu_
  std::chrono::steady_clock::time_point refresh_at_;  // guarded by mu_
};

}  // namespace braid
