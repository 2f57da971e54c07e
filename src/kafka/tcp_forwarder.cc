#include "kafka/tcp_forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace braid {

Status SplitHostPort(const std::string& address, const char* what, std::string* host,
                     int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return Status::InvalidArgument(
        fmt::format("bad {} \"{}\": write HOST:PORT, e.g. 127.0.0.1:9092", what, address));
  }
  *host = address.substr(0, colon);
  if (host->empty() || *host == "localhost") *host = "127.0.0.1";
  char* end = nullptr;
  long p = std::strtol(address.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p < 0 || p > 65535) {
    return Status::InvalidArgument(
        fmt::format("bad {} \"{}\": the port must be a number 0-65535", what, address));
  }
  *port = static_cast<int>(p);
  return Status::Ok();
}

namespace {

int Connect(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &sa.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Copies what is readable on `from` to `to`; false when either side closed.
bool Relay(int from, int to) {
  char buf[65536];
  ssize_t n = read(from, buf, sizeof buf);
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, static_cast<size_t>(n - off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += w;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<TcpForwarder>> TcpForwarder::Start(const std::string& listen_addr,
                                                          const std::string& target) {
  std::unique_ptr<TcpForwarder> f(new TcpForwarder());
  std::string host;
  int port = 0;
  BRAID_RETURN_IF_ERROR(SplitHostPort(listen_addr, "--listen address", &host, &port));
  BRAID_RETURN_IF_ERROR(SplitHostPort(target, "target", &f->target_host_, &f->target_port_));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) {
    return Status::InvalidArgument(
        fmt::format("bad --listen address \"{}\": use an IPv4 address such as 127.0.0.1", host));
  }
  f->listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(f->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(f->listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      listen(f->listen_fd_, 64) != 0) {
    return Status::Unavailable(fmt::format("cannot listen on {}: {} (pick another port)",
                                           listen_addr, std::strerror(errno)));
  }
  socklen_t len = sizeof sa;
  getsockname(f->listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  f->address_ = fmt::format("{}:{}", host, ntohs(sa.sin_port));
  if (pipe(f->wake_fd_) != 0) return Status::IoError("cannot create a pipe");
  f->thread_ = std::thread([p = f.get()] { p->Run(); });
  return f;
}

TcpForwarder::~TcpForwarder() {
  if (thread_.joinable()) {
    char c = 0;
    (void)!write(wake_fd_[1], &c, 1);
    thread_.join();
  }
  for (int fd : {listen_fd_, wake_fd_[0], wake_fd_[1]}) {
    if (fd >= 0) close(fd);
  }
}

void TcpForwarder::Run() {
  // Pairs of (client, upstream) sockets; one poll loop serves them all.
  std::vector<std::pair<int, int>> pairs;
  for (;;) {
    std::vector<pollfd> fds{{wake_fd_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (auto [a, b] : pairs) {
      fds.push_back({a, POLLIN, 0});
      fds.push_back({b, POLLIN, 0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) break;
    const size_t polled = pairs.size();
    if (fds[1].revents & POLLIN) {
      int client = accept(listen_fd_, nullptr, nullptr);
      if (client >= 0) {
        int upstream = Connect(target_host_, target_port_);
        if (upstream < 0) {
          close(client);
        } else {
          pairs.emplace_back(client, upstream);
        }
      }
    }
    std::vector<std::pair<int, int>> alive;
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (i >= polled) {  // accepted just now: polled next round
        alive.push_back(pairs[i]);
        continue;
      }
      auto [a, b] = pairs[i];
      bool ok = true;
      if (fds[2 + 2 * i].revents) ok = Relay(a, b);
      if (ok && fds[3 + 2 * i].revents) ok = Relay(b, a);
      if (ok) {
        alive.emplace_back(a, b);
      } else {
        close(a);
        close(b);
      }
    }
    pairs.swap(alive);
  }
  for (auto [a, b] : pairs) {
    close(a);
    close(b);
  }
}

}  // namespace braid
