#include "tests/support/redis_server.h"

#include <stdexcept>

namespace ooe::test {

RedisServer::RedisServer(std::vector<std::string> extra_arguments, int port)
    : port_(port != 0 ? port : FreePort()),
      process_(
          [&] {
            std::vector<std::string> argv = {"redis-server",
                                             "--port",
                                             std::to_string(port_),
                                             "--bind",
                                             "127.0.0.1",
                                             "--save",
                                             "",
                                             "--appendonly",
                                             "no",
                                             "--unixsocket",
                                             (dir_ / "redis.sock").string(),
                                             "--dir",
                                             dir_.Path().string()};
            argv.insert(argv.end(), extra_arguments.begin(), extra_arguments.end());
            return argv;
          }(),
          (dir_ / "redis.log").string()) {
  if (!WaitForPort(port_, std::chrono::milliseconds(10'000))) {
    throw std::runtime_error("redis-server did not start: " + ReadFile(dir_ / "redis.log"));
  }
}

std::string RedisServer::Cli(const std::vector<std::string>& arguments,
                             const std::string& password) {
  std::vector<std::string> argv = {"redis-cli", "-p", std::to_string(port_)};
  if (!password.empty()) {
    argv.push_back("--no-auth-warning");
    argv.push_back("-a");
    argv.push_back(password);
  }
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return RunCommand(argv);
}

}  // namespace ooe::test
