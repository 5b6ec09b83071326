#include "tests/support/misbehaving_peer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "tests/support/process.h"

namespace ooe::test {
namespace {

constexpr std::chrono::milliseconds kTick{20};

// A PostgreSQL client's first messages carry no type byte: a 4-byte length, then a code
// (SSLRequest 80877103, or protocol 3.0 for StartupMessage).
bool PostgresStartupComplete(const std::string& received) {
  if (received.size() < 8) return false;
  const auto byte = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<uint8_t>(received[at]));
  };
  const uint32_t length = byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
  const uint32_t code = byte(4) << 24 | byte(5) << 16 | byte(6) << 8 | byte(7);
  return (code == 80877103 || code == 196608) && received.size() >= length;
}

// A whole request has arrived: an HTTP head (a POST's small body comes with it), a RESP
// command array, or a PostgreSQL start-up message.
bool RequestComplete(const std::string& received) {
  if (received.find("\r\n\r\n") != std::string::npos) return true;
  if (PostgresStartupComplete(received)) return true;
  return !received.empty() && received.front() == '*' && received.ends_with("\r\n");
}

}  // namespace

MisbehavingPeer::MisbehavingPeer(PeerBehaviour behaviour) : behaviour_(std::move(behaviour)) {
  listen_fd_ = ListenOnLoopback(port_, "MisbehavingPeer");
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd waiting{listen_fd_, POLLIN, 0};
      if (poll(&waiting, 1, static_cast<int>(kTick.count())) <= 0) continue;
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  });
}

MisbehavingPeer::~MisbehavingPeer() {
  stop_ = true;
  thread_.join();
  std::lock_guard lock(mutex_);
  for (auto& connection : connections_) connection.join();
  close(listen_fd_);
}

bool MisbehavingPeer::Pause(std::chrono::milliseconds duration) const {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        kTick, until - std::chrono::steady_clock::now()));
  }
  return !stop_;
}

bool MisbehavingPeer::SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    if (stop_) return false;
    const ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
    if (sent > 0) {
      data += sent;
      size -= static_cast<size_t>(sent);
      continue;
    }
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;  // the client left
    pollfd writable{fd, POLLOUT, 0};
    poll(&writable, 1, static_cast<int>(kTick.count()));
  }
  return true;
}

void MisbehavingPeer::Serve(int fd) {
  std::string received;
  char buffer[4096];
  while (!stop_) {
    // One request, then its reply; a kept-alive connection may carry the next request.
    received.clear();
    while (!stop_ && !RequestComplete(received)) {
      pollfd readable{fd, POLLIN, 0};
      if (poll(&readable, 1, static_cast<int>(kTick.count())) <= 0) continue;
      const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        close(fd);
        return;
      }
      received.append(buffer, static_cast<size_t>(got));
    }
    if (stop_) break;
    ++requests_;
    if (!Pause(behaviour_.delay)) break;
    const std::string_view reply =
        std::string_view(behaviour_.reply)
            .substr(0, std::min(behaviour_.reply.size(), behaviour_.cut_after));
    if (behaviour_.spread.count() > 0) {
      const size_t pieces = std::max<size_t>(1, behaviour_.spread / kTick);
      const size_t piece = std::max<size_t>(1, (reply.size() + pieces - 1) / pieces);
      bool sent = true;
      for (size_t at = 0; sent && at < reply.size(); at += piece) {
        sent = SendAll(fd, reply.data() + at, std::min(piece, reply.size() - at)) && Pause(kTick);
      }
      if (!sent) break;
    } else if (!SendAll(fd, reply.data(), reply.size())) {
      break;
    }
    if (behaviour_.cut_after != std::string::npos) break;
  }
  close(fd);
}

std::string HttpReply(int status, const std::string& reason, const std::string& body,
                      const std::string& content_type) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

size_t HttpHeadSize(const std::string& reply) { return reply.find("\r\n\r\n") + 4; }

}  // namespace ooe::test
