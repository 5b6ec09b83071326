#include "tests/support/nginx.h"

#include <unistd.h>

#include <stdexcept>

namespace ooe::test {
namespace {

std::string Replace(std::string text, const std::string& placeholder, const std::string& value) {
  for (auto at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
  return text;
}

// One server passing everything on, with the housekeeping of Document Server's config
// (tools/documentserver-standin/nginx.conf.in): pid, logs and temp paths in nginx's own directory.
constexpr const char* kReverseProxyConfig = R"(@USER@
worker_processes 1;
pid @PREFIX@/nginx.pid;
error_log @PREFIX@/error.log warn;
events {
  worker_connections 1024;
}
http {
  access_log off;
  client_body_temp_path @PREFIX@/client_body;
  proxy_temp_path @PREFIX@/proxy;
  fastcgi_temp_path @PREFIX@/fastcgi;
  uwsgi_temp_path @PREFIX@/uwsgi;
  scgi_temp_path @PREFIX@/scgi;
  server {
    listen @LISTEN@;
    # No URI after the address: the request URI goes on as the client sent it (%2F included).
    location / {
      proxy_pass http://@UPSTREAM@;
    }
  }
}
)";

}  // namespace

Nginx::Nginx(const std::string& config, bool access_log,
             const std::vector<std::pair<std::string, std::string>>& values)
    : port_(FreePort()) {
  std::string text = config;
  // Started as root, nginx hands requests to workers running as `nobody`, which could not enter
  // this private directory.
  text = Replace(text, "@USER@", geteuid() == 0 ? "user root;" : "");
  text = Replace(text, "@PREFIX@", dir_.Path().string());
  text = Replace(text, "@LISTEN@", "127.0.0.1:" + std::to_string(port_));
  error_log_ = (dir_ / "error.log").string();
  for (const auto& [placeholder, value] : values) {
    text = Replace(text, placeholder, value);
    if (placeholder == "@ERROR_LOG@") error_log_ = value;
  }
  text = Replace(text, "@ERROR_LOG@", error_log_);
  if (access_log) {
    text = Replace(text, "access_log off;", "access_log " + (dir_ / "access.log").string() + ";");
  }
  WriteFile(dir_ / "nginx.conf", text);
  process_ =
      std::make_unique<Process>(std::vector<std::string>{"nginx", "-p", dir_.Path().string(), "-c",
                                                         (dir_ / "nginx.conf").string(), "-e",
                                                         error_log_, "-g", "daemon off;"},
                                (dir_ / "nginx.out").string());
  if (!WaitForPort(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("nginx did not start: " + ReadFile(dir_ / "nginx.out") +
                             ReadFile(error_log_));
  }
}

Nginx::~Nginx() = default;

Nginx Nginx::ReverseProxy(int upstream_port) {
  return Nginx(kReverseProxyConfig, /*access_log=*/true,
               {{"@UPSTREAM@", "127.0.0.1:" + std::to_string(upstream_port)}});
}

}  // namespace ooe::test
