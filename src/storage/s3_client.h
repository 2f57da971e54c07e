#pragma once
// S3Client: sends one S3 request signed with SigV4, retried under the options' RetryPolicy on
// transport failures (connection refused, timeouts, resets), 5xx, 429/SlowDown and 408, and maps
// answers that are not 2xx to a Status. It knows requests, not files: S3FileSystem builds on it.
// Thread-safe. The secret key is used for signing only: no message, log or error holds it.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/http_client.h"
#include "storage/s3_options.h"

namespace braid {

struct S3Request {
  std::string method;
  std::string bucket;
  std::string key;  // unencoded; "" for bucket-level requests
  std::vector<std::pair<std::string, std::string>> query;    // unencoded
  std::vector<std::pair<std::string, std::string>> headers;  // extra: Range, If-None-Match, ...
  std::string_view body;  // not owned
};

class S3Client {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;
  using Clock = std::function<int64_t()>;  // Unix seconds, for x-amz-date

  /// `http` sends the requests; `sleep` waits between attempts and `clock` dates signatures
  /// (both injectable for tests; defaults: this thread sleeps, the system clock).
  S3Client(S3Options options, std::shared_ptr<HttpClient> http, Sleeper sleep = nullptr,
           Clock clock = nullptr);

  /// Sends `request` until it gets an answer that is not retriable or the attempts run out, and
  /// returns that answer whatever its status (2xx or not: see ErrorFor). Sets *attempts (when
  /// given) to the number of attempts made. A transport failure on the last attempt is IoError,
  /// retriable, naming the endpoint.
  Result<HttpResponse> Send(const S3Request& request, int* attempts = nullptr);

  /// The Status for a non-2xx `response` to `request`: 404 NotFound; 403 "access denied to s3
  /// bucket B at E (check ...)"; 412 AlreadyExists; 409 Conflict; 5xx/429 IoError retriable;
  /// others IoError naming the S3 error code.
  Status ErrorFor(const HttpResponse& response, const S3Request& request) const;

  /// Send, then ErrorFor unless the answer is 2xx.
  Result<HttpResponse> SendOk(const S3Request& request);

  const S3Options& options() const { return options_; }
  /// Attempts beyond the first made so far (for tests and metrics).
  int64_t retries() const { return retries_.load(); }

 private:
  HttpRequest Sign(const S3Request& request, const std::string& payload_sha256) const;

  S3Options options_;
  std::shared_ptr<HttpClient> http_;
  Sleeper sleep_;
  Clock clock_;
  std::atomic<int64_t> retries_{0};
};

}  // namespace braid
