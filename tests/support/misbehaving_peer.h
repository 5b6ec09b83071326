// A TCP peer on 127.0.0.1 that answers every request with canned bytes and misbehaves on
// purpose: late, a few bytes at a time, cut short, or far too long. For the faults no real
// server produces on demand (a management API's 500, a truncated Engine API reply, a Redis
// -LOADING); real servers give the rest.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ooe::test {

struct PeerBehaviour {
  std::string reply;                     // sent after each request (HTTP head, RESP command)
  std::chrono::milliseconds delay{0};    // silence before the first byte
  std::chrono::milliseconds spread{0};   // the reply trickles out over this long
  size_t cut_after = std::string::npos;  // close the connection after this many reply bytes
};

class MisbehavingPeer {
 public:
  explicit MisbehavingPeer(PeerBehaviour behaviour);
  ~MisbehavingPeer();
  MisbehavingPeer(const MisbehavingPeer&) = delete;
  MisbehavingPeer& operator=(const MisbehavingPeer&) = delete;

  int Port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int Requests() const { return requests_.load(); }

 private:
  void Serve(int fd);
  bool SendAll(int fd, const char* data, size_t size);
  bool Pause(std::chrono::milliseconds duration) const;  // false when the peer is stopping

  PeerBehaviour behaviour_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<std::thread> connections_;
  std::thread thread_;
};

// An HTTP/1.1 reply with Content-Length (the connection stays open for the next request).
std::string HttpReply(int status, const std::string& reason, const std::string& body,
                      const std::string& content_type = "application/json");

// Where the body of an HTTP reply starts (after the blank line).
size_t HttpHeadSize(const std::string& reply);

}  // namespace ooe::test
