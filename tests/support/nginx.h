// Real nginx for tests: a whole nginx.conf of the test's own, run on a free 127.0.0.1 port in a
// directory of its own, stopped with the object; it can log one line per request it answers.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.h"

namespace ooe::test {

class Nginx {
 public:
  // `config` is a whole nginx.conf. Filled in here: @PREFIX@ (this object's directory, for the
  // pid file, logs and temp paths), @LISTEN@ (127.0.0.1:port), @USER@ (a `user` line when started
  // as root), then each of `values` (placeholder, text), then @ERROR_LOG@ (the error log:
  // @PREFIX@/error.log unless `values` name it). With `access_log`, the config's
  // `access_log off;` becomes a log of every request (AccessLog(), RequestCount()).
  Nginx(const std::string& config, bool access_log,
        const std::vector<std::pair<std::string, std::string>>& values = {});
  ~Nginx();
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  // A reverse proxy passing every request unchanged to 127.0.0.1:`upstream_port` and logging
  // each one: a request counter in front of a server that keeps none (RabbitMQ's management
  // API).
  static Nginx ReverseProxy(int upstream_port);

  int Port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string AccessLog() const { return ReadFile(dir_ / "access.log"); }
  // Lines in the access log: requests nginx has answered (and logged) so far.
  size_t RequestCount() const { return CountOccurrences(AccessLog(), "\n"); }
  const std::string& ErrorLogPath() const { return error_log_; }
  // To the master process: SIGUSR1 reopens the log files (what logrotate's postrotate sends).
  void Signal(int signal_number) { process_->Signal(signal_number); }

 private:
  TempDir dir_;
  int port_;
  std::string error_log_;
  std::unique_ptr<Process> process_;
};

}  // namespace ooe::test
