#include "storage/s3_client.h"

#include <thread>

#include <fmt/format.h>

#include "storage/s3_xml.h"

namespace braid {
namespace {

std::string Describe(const S3Request& r) {
  return fmt::format("{} s3://{}/{}", r.method, r.bucket, r.key);
}

}  // namespace

S3Client::S3Client(S3Options options, std::shared_ptr<HttpClient> http, Sleeper sleep, Clock clock)
    : options_(std::move(options)), http_(std::move(http)), sleep_(std::move(sleep)), clock_(std::move(clock)) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

HttpRequest S3Client::Sign(const S3Request& request, const std::string& payload_sha256) const {
  S3Address address = options_.AddressOf(request.bucket, request.key);
  std::string amz_date = SigV4Signer::AmzDate(clock_());
  SigV4Request sig;
  sig.method = request.method;
  sig.canonical_path = address.canonical_path;
  sig.query = request.query;
  sig.payload_sha256 = payload_sha256;
  sig.headers = request.headers;
  sig.headers.emplace_back("host", address.host);
  sig.headers.emplace_back("x-amz-date", amz_date);
  sig.headers.emplace_back("x-amz-content-sha256", payload_sha256);
  if (!options_.credentials.session_token.empty()) {
    sig.headers.emplace_back("x-amz-security-token", options_.credentials.session_token);
  }
  HttpRequest http;
  http.method = request.method;
  http.url = address.url;
  std::string query = SigV4Signer::CanonicalQuery(request.query);
  if (!query.empty()) http.url += "?" + query;
  http.headers = sig.headers;
  if (!options_.credentials.access_key_id.empty()) {
    http.headers.emplace_back("Authorization",
                              SigV4Signer::Authorization(sig, options_.credentials, amz_date, options_.region, "s3"));
  }
  http.body = request.body;
  return http;
}

Result<HttpResponse> S3Client::Send(const S3Request& request, int* attempts) {
  std::string payload_sha256 = SigV4Signer::Sha256Hex(request.body);
  int max_attempts = std::max(1, options_.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    if (attempts) *attempts = attempt;
    // Signed afresh each time: the date in the signature must stay within 15 minutes.
    Result<HttpResponse> response = http_->Send(Sign(request, payload_sha256));
    bool retry = response.ok() ? RetryPolicy::IsRetriableHttpStatus(response->status) : response.status().retriable();
    if (!retry || attempt >= max_attempts) {
      if (response.ok()) return response;
      return Status::IoError(
          fmt::format("{}: cannot reach the S3 endpoint {} after {} attempts ({}): check s3.endpoint and "
                      "that the server is running",
                      Describe(request), options_.EndpointName(), attempt, response.status().message()),
          true);
    }
    retries_.fetch_add(1);
    sleep_(options_.retry.DelayAfter(attempt));
  }
}

Status S3Client::ErrorFor(const HttpResponse& response, const S3Request& request) const {
  S3Error error = S3Xml::ParseError(response.body);
  std::string what = Describe(request);
  std::string detail = error.code.empty() ? fmt::format("HTTP {}", response.status)
                                          : fmt::format("HTTP {} {}", response.status, error.code);
  if (!error.message.empty()) detail += ": " + error.message;
  switch (response.status) {
    case 404:
      return Status::NotFound(fmt::format("{}: not found ({})", what, detail));
    case 403:
      return Status::InvalidArgument(fmt::format(
          "access denied to s3 bucket {} at {} (check s3.access-key-id / s3.secret-access-key)",
          request.bucket, options_.EndpointName()));
    case 412:
      return Status::AlreadyExists(fmt::format("{}: the object already exists", what));
    case 409:
      return Status::Conflict(fmt::format("{}: a concurrent write to the same object won ({}); retry", what, detail));
    default:
      break;
  }
  bool retriable = RetryPolicy::IsRetriableHttpStatus(response.status);
  return Status::IoError(fmt::format("{} at {} failed: {}", what, options_.EndpointName(), detail), retriable);
}

Result<HttpResponse> S3Client::SendOk(const S3Request& request) {
  BRAID_ASSIGN_OR_RETURN(HttpResponse response, Send(request));
  if (response.status / 100 != 2) return ErrorFor(response, request);
  return response;
}

}  // namespace braid
