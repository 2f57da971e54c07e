#include "catalog/rest_client.h"

#include <cctype>
#include <random>
#include <thread>

#include <fmt/format.h>

namespace braid {
namespace {

using nlohmann::json;

std::string ShortUrl(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace

std::string RestResponse::ErrorMessage() const {
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& e = body["error"];
    // Only strings: value() would throw for a server that sends another type.
    auto text = [&](const char* key) {
      return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
    };
    std::string type = text("type");
    std::string message = text("message");
    if (!message.empty()) return type.empty() ? message : fmt::format("{}: {}", type, message);
  }
  // OAuth2 token endpoints answer {"error": "...", "error_description": "..."}.
  if (body.is_object() && body.contains("error_description") && body["error_description"].is_string()) {
    return body["error_description"].get<std::string>();
  }
  return fmt::format("HTTP {}", status);
}

RestClient::RestClient(RestClientOptions options, std::shared_ptr<HttpTransport> transport)
    : options_(std::move(options)), transport_(std::move(transport)) {
  while (!options_.uri.empty() && options_.uri.back() == '/') options_.uri.pop_back();
  if (options_.oauth2_server_uri.empty()) options_.oauth2_server_uri = options_.uri + "/v1/oauth/tokens";
  if (!options_.sleep) options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

std::string RestClient::Escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Status RestClient::ErrorOf(const RestResponse& r, std::string_view what) {
  std::string m = fmt::format("{}: HTTP {}: {}", what, r.status, r.ErrorMessage());
  switch (r.status) {
    case 400: return Status::InvalidArgument(std::move(m));
    case 401:
    case 403:
      return Status::InvalidArgument(m + " (check the catalog's token or credential)");
    case 404: return Status::NotFound(std::move(m));
    case 409: return Status::Conflict(std::move(m));
    default: break;
  }
  if (r.status >= 500) return Status::IoError(std::move(m), /*retriable=*/true);
  return Status::IoError(std::move(m));
}

Status RestClient::FetchToken() {
  std::string id, secret = options_.credential;
  if (size_t colon = secret.find(':'); colon != std::string::npos) {
    id = secret.substr(0, colon);
    secret = secret.substr(colon + 1);
  }
  std::string form = "grant_type=client_credentials";
  if (!id.empty()) form += "&client_id=" + Escape(id);
  form += "&client_secret=" + Escape(secret) + "&scope=" + Escape(options_.scope);
  RestHttpRequest req{"POST", options_.oauth2_server_uri,
                  {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
                  form, options_.timeout};
  Result<RestHttpResponse> r = transport_->Send(req);
  std::string where = fmt::format("OAuth2 token request to {}", ShortUrl(options_.oauth2_server_uri));
  if (!r.ok()) return r.status().WithContext(where);
  RestResponse answer{r->status, json::parse(r->body, nullptr, false)};
  if (answer.body.is_discarded()) answer.body = nullptr;
  if (!answer.ok()) {
    return Status::InvalidArgument(fmt::format(
        "{} was refused: HTTP {}: {}; check credential, scope and oauth2-server-uri", where,
        answer.status, answer.ErrorMessage()));
  }
  if (!answer.body.is_object() || !answer.body.contains("access_token") ||
      !answer.body["access_token"].is_string()) {
    return Status::Corruption(where + " answered without an access_token");
  }
  oauth_token_ = answer.body["access_token"].get<std::string>();
  int64_t expires_in = 3600;
  if (answer.body.contains("expires_in") && answer.body["expires_in"].is_number_integer()) {
    expires_in = answer.body["expires_in"].get<int64_t>();
  }
  // Refresh ahead of expiry: a fifth of the lifetime early, at most a minute.
  int64_t margin = std::min<int64_t>(60, expires_in / 5);
  refresh_at_ = options_.now() + std::chrono::seconds(std::max<int64_t>(0, expires_in - margin));
  return Status::Ok();
}

Result<std::string> RestClient::Authorization(bool force_refresh) {
  if (!options_.token.empty()) return "Bearer " + options_.token;
  if (options_.credential.empty()) return std::string();
  std::lock_guard<std::mutex> lock(mu_);
  if (force_refresh || oauth_token_.empty() || options_.now() >= refresh_at_) {
    BRAID_RETURN_IF_ERROR(FetchToken());
  }
  return "Bearer " + oauth_token_;
}

void RestClient::Backoff(int attempt) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  int64_t base = options_.backoff.count() << std::min(attempt - 1, 10);
  base = std::min<int64_t>(base, 5000);
  std::uniform_int_distribution<int64_t> jitter(base / 2, base);
  options_.sleep(std::chrono::milliseconds(jitter(rng)));
}

Result<RestResponse> RestClient::Call(const std::string& method, const std::string& url_or_path,
                                      const json& body, bool idempotent) {
  RestHttpRequest req;
  req.method = method;
  req.url = url_or_path.starts_with("http://") || url_or_path.starts_with("https://")
                ? url_or_path
                : options_.uri + url_or_path;
  req.headers = options_.headers;
  req.headers["Accept"] = "application/json";
  if (!body.is_null()) {
    req.headers["Content-Type"] = "application/json";
    req.body = body.dump();
  }
  req.timeout = options_.timeout;
  bool refreshed_after_401 = false;
  for (int attempt = 1;; ++attempt) {
    BRAID_ASSIGN_OR_RETURN(std::string auth, Authorization(false));
    if (!auth.empty()) req.headers["Authorization"] = auth;
    Result<RestHttpResponse> r = transport_->Send(req);
    if (!r.ok()) {
      bool never_sent = r.status().kind() == StatusKind::kUnavailable;
      if ((never_sent || idempotent) && attempt < options_.max_attempts) {
        Backoff(attempt);
        continue;
      }
      return r.status();
    }
    RestResponse answer{r->status, json::parse(r->body, nullptr, false)};
    if (answer.body.is_discarded()) answer.body = nullptr;
    if (answer.status == 401 && !options_.credential.empty() && !refreshed_after_401) {
      // The token may have been revoked or expired early: one fresh token, then give up.
      refreshed_after_401 = true;
      BRAID_RETURN_IF_ERROR(Authorization(true).status());
      --attempt;
      continue;
    }
    // A server error to a request that may be repeated is worth repeating (a busy or
    // restarting backend). Commits are not idempotent and never take this path.
    bool transient = answer.status == 429 || answer.status == 500 || answer.status == 502 ||
                     answer.status == 503 || answer.status == 504;
    if (transient && idempotent && attempt < options_.max_attempts) {
      Backoff(attempt);
      continue;
    }
    return answer;
  }
}

}  // namespace braid
