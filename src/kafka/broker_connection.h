#pragma once
// BrokerConnection: one TCP connection to a Kafka broker. Requests are sent whole; answers are
// read as they arrive, without blocking, so one thread can wait on several brokers at once
// (poll on fd()). Plaintext only: TLS and SASL connections are librdkafka's (FetchSource).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace braid {

/// One answer's bytes, after its size prefix (shared: the records read from it point into it).
struct BrokerAnswer {
  std::shared_ptr<char[]> bytes;
  size_t size = 0;
  std::string_view view() const { return {bytes.get(), size}; }
};

class BrokerConnection {
 public:
  /// Connects to `host`:`port` within `timeout_ms`.
  static Result<std::unique_ptr<BrokerConnection>> Connect(const std::string& host, int port,
                                                           int timeout_ms);
  ~BrokerConnection();
  BrokerConnection(const BrokerConnection&) = delete;
  BrokerConnection& operator=(const BrokerConnection&) = delete;

  int fd() const { return fd_; }
  const std::string& address() const { return address_; }

  /// Sends `frame` (a request with its size prefix), waiting at most `timeout_ms` for room.
  Status Send(std::string_view frame, int timeout_ms);
  /// Reads what has arrived. `*answer` is set once an answer is whole (then call again for the
  /// next). Fails when the broker closed the connection or the answer is implausibly large.
  Status Receive(BrokerAnswer* answer, bool* whole);

 private:
  BrokerConnection(int fd, std::string address) : fd_(fd), address_(std::move(address)) {}
  int fd_;
  std::string address_;
  char size_bytes_[4] = {};
  size_t size_got_ = 0;
  BrokerAnswer pending_;
  size_t got_ = 0;
};

}  // namespace braid
