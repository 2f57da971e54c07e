#pragma once
// HttpTransport: the seam between the REST catalog and the network (RestHttpRequest/-Response;
// the S3 client has its own seam, storage/http_client.h). One request in, one response
// (any status code) out; retries, auth and JSON live above it (RestClient). Tests replace it with a
// scripted transport to inject lost responses and 5xx answers.

#include <chrono>
#include <map>
#include <string>

#include "base/result.h"

namespace braid {

struct RestHttpRequest {
  std::string method;  // "GET", "POST", "DELETE", "HEAD"
  std::string url;     // absolute, query string included
  std::map<std::string, std::string> headers;
  std::string body;
  std::chrono::milliseconds timeout{60000};
};

struct RestHttpResponse {
  int status = 0;
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  /// Sends `request` and returns the server's answer, whatever its status code. Fails with
  /// Unavailable when the request provably never reached the server (connection refused, name not
  /// resolved), and with IoError when it may have (timeout, connection reset after sending): the
  /// caller cannot tell whether the server acted on it. Thread-safe.
  virtual Result<RestHttpResponse> Send(const RestHttpRequest& request) = 0;
};

}  // namespace braid
