#include "tests/support/silent_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace ooe::test {

SilentPeer::SilentPeer() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listen_fd_, 128) != 0) {
    throw std::runtime_error("SilentPeer cannot listen");
  }
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd waiting{listen_fd_, POLLIN, 0};
      if (poll(&waiting, 1, 50) <= 0) continue;
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd >= 0) {
        connections_.push_back(fd);
        ++accepted_;
      }
    }
  });
}

SilentPeer::~SilentPeer() {
  stop_ = true;
  thread_.join();
  for (const int fd : connections_) close(fd);
  close(listen_fd_);
}

}  // namespace ooe::test
