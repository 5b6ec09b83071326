// A tiny DNS server on 127.0.0.1 (UDP) whose answers the test sets: the nearest real thing to
// Docker's embedded DNS moving a service name to a recreated container's new address.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace ooe::test {

class DnsServer {
 public:
  DnsServer();
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  int Port() const { return port_; }
  // `name` resolves to the IPv4 `address` from now on ("" removes it: NXDOMAIN).
  void Set(const std::string& name, const std::string& address);
  int Queries() const { return queries_.load(); }

 private:
  void Serve();
  std::string Answer(const std::string& query);

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::mutex mutex_;
  std::map<std::string, std::string> addresses_;
  std::thread thread_;
};

}  // namespace ooe::test
