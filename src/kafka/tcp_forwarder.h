#pragma once
// TcpForwarder: listens on a fixed loopback address and relays every connection, byte for
// byte, to a target address. The embedded broker uses it because librdkafka's mock cluster
// always binds an ephemeral port: clients bootstrap through the fixed port, then follow the
// broker address that the cluster's metadata advertises (on the same host). Owns one thread.

#include <atomic>
#include <string>
#include <thread>

#include "base/result.h"

namespace braid {

class TcpForwarder {
 public:
  /// Binds `listen` ("HOST:PORT"; port 0 picks a free one) and relays to `target`.
  /// Fails when the address is taken or invalid.
  static Result<std::unique_ptr<TcpForwarder>> Start(const std::string& listen,
                                                     const std::string& target);
  ~TcpForwarder();

  /// The bound address, "HOST:PORT".
  const std::string& address() const { return address_; }

 private:
  TcpForwarder() = default;
  void Run();

  int listen_fd_ = -1;
  int wake_fd_[2] = {-1, -1};
  std::string address_;
  std::string target_host_;
  int target_port_ = 0;
  std::thread thread_;
};

/// Splits "HOST:PORT"; fails with a message naming `what`.
Status SplitHostPort(const std::string& address, const char* what, std::string* host, int* port);

}  // namespace braid
