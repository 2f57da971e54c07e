#include "kafka/broker_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "kafka/answer_buffers.h"

namespace braid {
namespace {

// An answer larger than this is not one braid asked for (a fetch asks for at most 16 MiB).
constexpr uint32_t kMaxAnswer = 256u << 20;

int WaitFor(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  return rc;
}

}  // namespace

Result<std::unique_ptr<BrokerConnection>> BrokerConnection::Connect(const std::string& host,
                                                                   int port, int timeout_ms) {
  const std::string address = fmt::format("{}:{}", host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (gai != 0) {
    return Status::Unavailable(fmt::format("cannot resolve broker {}: {}", address, gai_strerror(gai)));
  }
  std::string why = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      rc = WaitFor(fd, POLLOUT, timeout_ms) > 0 ? 0 : -1;
      int err = rc == 0 ? 0 : ETIMEDOUT;
      socklen_t len = sizeof err;
      if (rc == 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      if (err != 0) {
        errno = err;
        rc = -1;
      }
    }
    if (rc < 0) {
      why = std::strerror(errno);
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::freeaddrinfo(found);
    return std::unique_ptr<BrokerConnection>(new BrokerConnection(fd, address));
  }
  ::freeaddrinfo(found);
  return Status::Unavailable(fmt::format("cannot connect to broker {}: {}", address, why));
}

BrokerConnection::~BrokerConnection() { ::close(fd_); }

Status BrokerConnection::Send(std::string_view frame, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!frame.empty()) {
    const ssize_t n = ::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL);
    if (n > 0) {
      frame.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() > 0 && WaitFor(fd_, POLLOUT, static_cast<int>(left.count())) > 0) continue;
      return Status::Unavailable(fmt::format("broker {} took no request for {} ms", address_, timeout_ms));
    }
    return Status::Unavailable(fmt::format("lost the connection to broker {}: {}", address_,
                                           std::strerror(errno)));
  }
  return Status::Ok();
}

Status BrokerConnection::Receive(BrokerAnswer* answer, bool* whole) {
  *whole = false;
  for (;;) {
    char* into;
    size_t want;
    if (size_got_ < 4) {
      into = size_bytes_ + size_got_;
      want = 4 - size_got_;
    } else {
      into = pending_.bytes.get() + got_;
      want = pending_.size - got_;
    }
    ssize_t n = want == 0 ? 0 : ::recv(fd_, into, want, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Status::Ok();
    if (n < 0 || (n == 0 && want > 0)) {
      return Status::Unavailable(fmt::format("lost the connection to broker {}: {}", address_,
                                             n == 0 ? "closed by the broker" : std::strerror(errno)));
    }
    if (size_got_ < 4) {
      size_got_ += static_cast<size_t>(n);
      if (size_got_ < 4) continue;
      uint32_t size;
      std::memcpy(&size, size_bytes_, 4);
      size = __builtin_bswap32(size);
      if (size > kMaxAnswer) {
        return Status::Corruption(fmt::format("broker {} sent an answer of {} bytes", address_, size));
      }
      pending_.bytes = AnswerBuffers::Shared().Take(size);
      pending_.size = size;
      got_ = 0;
    } else {
      got_ += static_cast<size_t>(n);
    }
    if (size_got_ == 4 && got_ == pending_.size) {
      *answer = std::move(pending_);
      pending_ = BrokerAnswer{};
      size_got_ = 0;
      got_ = 0;
      *whole = true;
      return Status::Ok();
    }
  }
}

}  // namespace braid
