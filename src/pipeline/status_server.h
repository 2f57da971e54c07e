#pragma once
// StatusServer: the HTTP endpoint of a running pipeline (`braid join --metrics-listen`):
//   /metrics      Prometheus text exposition of PipelineMetrics
//   /status.json  the status page's data
//   /             the live status page (HTML; its chart library is embedded, no CDN)
// Serves from its own threads until destroyed.

#include <memory>
#include <string>
#include <thread>

#include "base/result.h"
#include "pipeline/pipeline_metrics.h"

namespace httplib {
class Server;
}

namespace braid {

/// Checks "HOST:PORT" (port 0..65535) as --metrics-listen takes it; InvalidArgument naming the
/// flag otherwise.
Status CheckListenAddress(const std::string& address);

class StatusServer {
 public:
  /// Listens on `address` ("HOST:PORT"; port 0 picks a free one). `metrics` must outlive the
  /// server. InvalidArgument for a malformed address, IoError when it cannot listen.
  static Result<std::unique_ptr<StatusServer>> Start(const std::string& address,
                                                     const PipelineMetrics& metrics);
  ~StatusServer();

  /// "http://HOST:PORT" with the port actually bound.
  const std::string& url() const { return url_; }

 private:
  StatusServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string url_;
};

}  // namespace braid
