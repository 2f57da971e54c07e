#pragma once
// HttpClient: the seam between the S3 code and the network. Production uses CurlHttpClient;
// unit tests script responses and failures through their own implementation.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace braid {

struct HttpRequest {
  std::string method;  // GET, PUT, POST, DELETE, HEAD
  std::string url;     // absolute, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // not owned: the caller keeps it alive during Send
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  /// The first header named `name` (lower-case), or "".
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "";
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  /// Sends one request and returns the server's response, whatever its status. A transport
  /// failure (connection refused, timeout, reset) is Unavailable, retriable, naming the URL's
  /// host. Thread-safe.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace braid
