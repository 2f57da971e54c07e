#include "catalog/curl_http_transport.h"

#include <curl/curl.h>

#include <fmt/format.h>

namespace braid {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The URL without its query string: queries may carry warehouse names, never secrets, but keep
// messages short.
std::string ForMessage(const std::string& url) { return url.substr(0, url.find('?')); }

// Errors that prove the request never left this host.
bool NeverSent(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
         code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_UNSUPPORTED_PROTOCOL ||
         code == CURLE_URL_MALFORMAT;
}

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

CurlHttpTransport::CurlHttpTransport(std::chrono::milliseconds connect_timeout)
    : connect_timeout_(connect_timeout) {
  static GlobalInit init;
}

std::shared_ptr<HttpTransport> CurlHttpTransport::Default() {
  static std::shared_ptr<HttpTransport> instance = std::make_shared<CurlHttpTransport>();
  return instance;
}

Result<RestHttpResponse> CurlHttpTransport::Send(const RestHttpRequest& request) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Status::Internal("libcurl could not create a handle");
  curl_slist* raw_headers = nullptr;
  for (const auto& [k, v] : request.headers) {
    raw_headers = curl_slist_append(raw_headers, fmt::format("{}: {}", k, v).c_str());
  }
  // libcurl adds "Expect: 100-continue" to large POSTs; a round trip for nothing.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(raw_headers, curl_slist_free_all);

  RestHttpResponse response;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "DELETE" || !request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
  }
  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    std::string what = fmt::format("{} {}: {}", request.method, ForMessage(request.url), curl_easy_strerror(code));
    if (NeverSent(code)) return Status::Unavailable(what);
    return Status::IoError(what, /*retriable=*/true);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace braid
