#include "pipeline/status_server.h"

#include <chrono>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>
#include <httplib.h>

namespace braid {
namespace assets {
extern const char status_page_html[];
extern const char uplot_js[];
extern const char uplot_css[];
}  // namespace assets

namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

namespace {

// HOST and PORT of "HOST:PORT", or -1 as the port when it is malformed.
std::pair<std::string, long> SplitListenAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  const std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
  const std::string port_text = colon == std::string::npos ? "" : address.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (host.empty() || port_text.empty() || *end != '\0' || port < 0 || port > 65535) return {host, -1};
  return {host, port};
}

}  // namespace

Status CheckListenAddress(const std::string& address) {
  if (SplitListenAddress(address).second >= 0) return Status::Ok();
  return Status::InvalidArgument(fmt::format(
      "--metrics-listen \"{}\": expected HOST:PORT, e.g. 127.0.0.1:9464 or 0.0.0.0:9464", address));
}

Result<std::unique_ptr<StatusServer>> StatusServer::Start(const std::string& address,
                                                          const PipelineMetrics& metrics) {
  BRAID_RETURN_IF_ERROR(CheckListenAddress(address));
  const auto [host, port] = SplitListenAddress(address);
  std::unique_ptr<StatusServer> s(new StatusServer());
  s->server_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *s->server_;
  http.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.Prometheus(WallMs()), "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Get("/status.json", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(metrics.StatusJson(WallMs()), "application/json");
  });
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(assets::status_page_html, "text/html; charset=utf-8");
  });
  http.Get("/uplot.min.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "max-age=86400");
    res.set_content(assets::uplot_js, "application/javascript");
  });
  http.Get("/uplot.min.css", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "max-age=86400");
    res.set_content(assets::uplot_css, "text/css");
  });
  int bound = static_cast<int>(port);
  if (port == 0) {
    bound = http.bind_to_any_port(host);
  } else if (!http.bind_to_port(host, bound)) {
    bound = -1;
  }
  if (bound <= 0) {
    return Status::IoError(fmt::format(
        "cannot listen on {} for metrics (address in use or not local?); pick another "
        "--metrics-listen HOST:PORT",
        address));
  }
  s->url_ = fmt::format("http://{}:{}", host, bound);
  s->thread_ = std::thread([&http] { http.listen_after_bind(); });
  // stop() is a no-op until the listener runs: wait for it so that destroying the server
  // right away cannot leave the thread listening forever.
  for (int i = 0; i < 5000 && !http.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return s;
}

StatusServer::~StatusServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace braid
