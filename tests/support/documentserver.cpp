#include "tests/support/documentserver.h"

#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "collectors/http/client.h"

namespace ooe::test {
namespace {

std::string Replace(std::string text, const std::string& placeholder, const std::string& value) {
  for (auto at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
  return text;
}

HttpResponse Request(const std::string& method, const std::string& url, const std::string& body) {
  HttpClient client;
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.body = body;
  return client.Perform(request, Clock::now() + std::chrono::seconds(10));
}

}  // namespace

DocServiceStandin::DocServiceStandin(std::string version, std::string jwt_secret)
    : version_(std::move(version)), jwt_(!jwt_secret.empty()), port_(FreePort()) {
  if (jwt_) WriteFile(dir_ / "jwt-secret", jwt_secret);
  Start();
}

DocServiceStandin::~DocServiceStandin() = default;

void DocServiceStandin::Start() {
  std::vector<std::string> argv = {
      OOE_STANDIN_BINARY, "--listen", "127.0.0.1:" + std::to_string(port_), "--fixtures",
      std::string(OOE_SHARED_FIXTURES_DIR) + "/documentserver/" + version_};
  if (jwt_) {
    argv.push_back("--jwt-secret-file");
    argv.push_back((dir_ / "jwt-secret").string());
  }
  process_ = std::make_unique<Process>(argv, (dir_ / "standin.log").string());
  if (!WaitForPort(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("documentserver-standin did not start: " +
                             ReadFile(dir_ / "standin.log"));
  }
}

void DocServiceStandin::Stop() {
  if (process_) process_->Stop();
  process_.reset();
}

void DocServiceStandin::SetMode(const std::string& mode) {
  const auto response = Request("POST", Url() + "/control/mode", mode);
  if (response.status != 200) {
    throw std::runtime_error("stand-in refused mode " + mode + ": " + response.error +
                             response.body);
  }
}

DocumentServerNginx::DocumentServerNginx(int upstream_port, const std::string& read_timeout,
                                         bool access_log)
    : port_(FreePort()) {
  std::string config =
      ReadFile(std::string(OOE_SOURCE_DIR) + "/tools/documentserver-standin/nginx.conf.in");
  // Started as root, nginx hands requests to workers running as `nobody`, which could not enter
  // this private directory.
  config = Replace(config, "@USER@", geteuid() == 0 ? "user root;" : "");
  config = Replace(config, "@PREFIX@", dir_.Path().string());
  config = Replace(config, "@LISTEN@", "127.0.0.1:" + std::to_string(port_));
  config = Replace(config, "@UPSTREAM@", "127.0.0.1:" + std::to_string(upstream_port));
  config = Replace(config, "@READ_TIMEOUT@", read_timeout);
  if (access_log) {
    config =
        Replace(config, "access_log off;", "access_log " + (dir_ / "access.log").string() + ";");
  }
  WriteFile(dir_ / "nginx.conf", config);
  process_ = std::make_unique<Process>(
      std::vector<std::string>{"nginx", "-p", dir_.Path().string(), "-c",
                               (dir_ / "nginx.conf").string(), "-e", (dir_ / "error.log").string(),
                               "-g", "daemon off;"},
      (dir_ / "nginx.out").string());
  if (!WaitForPort(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("nginx did not start: " + ReadFile(dir_ / "nginx.out") +
                             ReadFile(dir_ / "error.log"));
  }
}

DocumentServerNginx::~DocumentServerNginx() = default;

}  // namespace ooe::test
