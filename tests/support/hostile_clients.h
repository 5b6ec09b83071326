// Clients a server meets on an open port: ones that send a request's headers a byte at a time,
// stop in the middle of a TLS handshake, open connections by the thousand and drop them, or send
// what no endpoint takes (oversized headers, a body). For the web front's end-to-end tests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/deadline.h"

namespace ooe::test {

enum class SlowClientKind {
  kTrickleHeaders,        // plain HTTP: part of the headers, then one byte per interval
  kTrickleTlsHeaders,     // the same inside a completed TLS handshake
  kTrickleClientHello,    // the first bytes of a TLS ClientHello record, then one per interval
  kStopAfterClientHello,  // a whole ClientHello, then silence: the server waits for the rest
};

// `count` such clients of 127.0.0.1:port on one thread of their own. A client the server drops
// connects again at once, as a hostile one would; the destructor closes them all.
class SlowClients {
 public:
  SlowClients(int port, int count, SlowClientKind kind,
              std::chrono::milliseconds interval = std::chrono::milliseconds(2'000));
  ~SlowClients();
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;

  // Connected now (past the handshake for kTrickleTlsHeaders) and not yet dropped.
  int Holding() const { return holding_.load(); }
  // Times the server closed a connection of theirs.
  int Dropped() const { return dropped_.load(); }
  // True once Holding() reaches `count`, false after `timeout`.
  bool WaitHolding(int count, std::chrono::milliseconds timeout) const;

 private:
  struct Client;
  // All on the clients' own thread.
  void Run();
  void Tick(size_t index, Clock::time_point now);  // connects or trickles when it is time
  void Connected(size_t index);
  bool Handshake(size_t index);  // false when the handshake failed
  void Hold(size_t index, std::string_view first_bytes);
  void Drop(size_t index, bool by_server);
  void Watch(size_t index, uint32_t events, int operation);

  int port_;
  int count_;
  SlowClientKind kind_;
  std::chrono::milliseconds interval_;
  std::atomic<bool> stop_{false};
  std::atomic<int> holding_{0};
  std::atomic<int> dropped_{0};
  int epoll_ = -1;
  std::vector<Client> clients_;
  std::thread thread_;
};

// Opens `count` connections to 127.0.0.1:port at once, waits until they are established, and
// closes them all; returns how many were established.
int OpenAndDrop(int port, int count);

// One request written as raw bytes, then up to `body_bytes` more sent as a body the server
// may not read, over plain TCP or TLS (the server's certificate is not checked).
struct RawReply {
  int status = 0;       // from the status line, 0 when none came
  bool closed = false;  // the server closed the connection (EOF or reset) within the timeout
  size_t body_sent = 0;
  double seconds = 0;  // from the first byte sent until the close, or the timeout
};
RawReply SendRaw(int port, bool tls, const std::string& request, size_t body_bytes = 0,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000));

// Resident memory (VmRSS) of a process, in KiB.
long ResidentKib(int pid);
// Sockets a process holds open (its listening sockets included).
int OpenSockets(int pid);
// Raises this process's open-file limit to its hard limit (children inherit it); returns it.
long RaiseFileLimit();

}  // namespace ooe::test
