// Document Server for tests: real nginx configured as Document Server configures it
// (tools/documentserver-standin/nginx.conf.in) in front of documentserver-standin, which answers
// with real DocService replies. Stopping the stand-in gives nginx's real 502, a hung one its 504.
#pragma once

#include <memory>
#include <string>

#include "tests/support/nginx.h"
#include "tests/support/process.h"

namespace ooe::test {

// The DocService stand-in on a free port. `version` names a directory of
// fixtures/documentserver/ ("docservice-9.4.0", "docservice-7.1.1"); a non-empty `jwt_secret`
// turns JWT on, as services.CoAuthoring.token.enable.request.inbox does.
class DocServiceStandin {
 public:
  explicit DocServiceStandin(std::string version = "docservice-9.4.0", std::string jwt_secret = "");
  ~DocServiceStandin();
  int Port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // healthy, unhealthy (body false), hang (no byte until the mode changes), slow:MS.
  void SetMode(const std::string& mode);
  // The editor connections info.json reports from now on.
  void SetConnections(int connections);
  void Stop();   // nothing listens any more: nginx answers 502
  void Start();  // again, on the same port

 private:
  TempDir dir_;
  std::string version_;
  bool jwt_ = false;
  int port_;
  std::unique_ptr<Process> process_;
};

// nginx on a free port proxying to `upstream_port` with Document Server's locations.
class DocumentServerNginx {
 public:
  // `access_log`: one line per request in AccessLog() (the load test counts them);
  // `error_log`: where nginx writes its error log (default: its own directory).
  explicit DocumentServerNginx(int upstream_port, const std::string& read_timeout = "60s",
                               bool access_log = false, const std::string& error_log = "");
  int Port() const { return nginx_.Port(); }
  std::string Url() const { return nginx_.Url(); }
  std::string AccessLog() const { return nginx_.AccessLog(); }
  size_t RequestCount() const { return nginx_.RequestCount(); }
  const std::string& ErrorLogPath() const { return nginx_.ErrorLogPath(); }
  Nginx& Server() { return nginx_; }

 private:
  Nginx nginx_;
};

}  // namespace ooe::test
