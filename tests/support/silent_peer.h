// A TCP peer on 127.0.0.1 that accepts connections and never says a word: the backend that
// hangs (a stopped database behind /healthcheck, a frozen Redis).
#pragma once

#include <atomic>
#include <thread>
#include <vector>

namespace ooe::test {

class SilentPeer {
 public:
  SilentPeer();
  ~SilentPeer();
  SilentPeer(const SilentPeer&) = delete;
  SilentPeer& operator=(const SilentPeer&) = delete;
  int Port() const { return port_; }
  int Accepted() const { return accepted_.load(); }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> connections_;
  std::thread thread_;
};

}  // namespace ooe::test
