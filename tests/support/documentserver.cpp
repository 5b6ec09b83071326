#include "tests/support/documentserver.h"

#include <stdexcept>
#include <thread>

#include "collectors/http/client.h"

namespace ooe::test {
namespace {

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

void DocServiceStandin::SetConnections(int connections) {
  const auto response =
      Request("POST", Url() + "/control/connections", std::to_string(connections));
  if (response.status != 200) {
    throw std::runtime_error("stand-in refused connections " + std::to_string(connections));
  }
}

void DocServiceStandin::SetMode(const std::string& mode) {
  const auto response = Request("POST", Url() + "/control/mode", mode);
  if (response.status != 200) {
    throw std::runtime_error("stand-in refused mode " + mode + ": " + response.error.ToString() +
                             response.body);
  }
}

namespace {

std::vector<std::pair<std::string, std::string>> StandinValues(int upstream_port,
                                                               const std::string& read_timeout,
                                                               const std::string& error_log) {
  std::vector<std::pair<std::string, std::string>> values = {
      {"@UPSTREAM@", "127.0.0.1:" + std::to_string(upstream_port)},
      {"@READ_TIMEOUT@", read_timeout}};
  if (!error_log.empty()) values.emplace_back("@ERROR_LOG@", error_log);
  return values;
}

}  // namespace

DocumentServerNginx::DocumentServerNginx(int upstream_port, const std::string& read_timeout,
                                         bool access_log, const std::string& error_log)
    : nginx_(ReadFile(std::string(OOE_SOURCE_DIR) + "/tools/documentserver-standin/nginx.conf.in"),
             access_log, StandinValues(upstream_port, read_timeout, error_log)) {}

}  // namespace ooe::test
