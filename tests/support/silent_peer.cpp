#include "tests/support/silent_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "tests/support/process.h"

namespace ooe::test {

SilentPeer::SilentPeer() {
  listen_fd_ = ListenOnLoopback(port_, "SilentPeer");
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
