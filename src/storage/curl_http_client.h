#pragma once
// CurlHttpClient: HttpClient over libcurl's easy interface. Each thread keeps one easy handle so
// connections are reused across requests. Connect timeout 10 s; a transfer slower than 1 KiB/s
// for 60 s is abandoned (reported as a retriable failure). Thread-safe.

#include <memory>

#include "storage/http_client.h"

namespace braid {

class CurlHttpClient final : public HttpClient {
 public:
  /// The process-wide instance.
  static std::shared_ptr<CurlHttpClient> Instance();

  Result<HttpResponse> Send(const HttpRequest& request) override;
};

}  // namespace braid
