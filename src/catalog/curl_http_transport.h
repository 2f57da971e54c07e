#pragma once
// CurlHttpTransport: HttpTransport over libcurl (one easy handle per request; HTTP/1.1, TLS with
// the system's CA store). Thread-safe.

#include <memory>

#include "catalog/http_transport.h"

namespace braid {

class CurlHttpTransport final : public HttpTransport {
 public:
  /// `connect_timeout` bounds connection set-up; each request's own timeout bounds the whole call.
  explicit CurlHttpTransport(std::chrono::milliseconds connect_timeout = std::chrono::milliseconds(10000));

  Result<RestHttpResponse> Send(const RestHttpRequest& request) override;

  /// A shared default instance.
  static std::shared_ptr<HttpTransport> Default();

 private:
  std::chrono::milliseconds connect_timeout_;
};

}  // namespace braid
