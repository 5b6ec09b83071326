// A real redis-server for a test, on a free port, gone when the object is.
#pragma once

#include <string>
#include <vector>

#include "tests/support/process.h"

namespace ooe::test {

class RedisServer {
 public:
  explicit RedisServer(std::vector<std::string> extra_arguments = {}, int port = 0);
  int Port() const { return port_; }
  std::string Address() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  std::string SocketPath() const { return (dir_ / "redis.sock").string(); }
  // redis-cli against this server; `password` adds -a.
  std::string Cli(const std::vector<std::string>& arguments, const std::string& password = "");
  void Kill() { process_.Stop(); }

 private:
  TempDir dir_;
  int port_;
  Process process_;
};

}  // namespace ooe::test
