#include "collectors/nginx/kind.h"

#include "collectors/nginx/collector.h"

namespace ooe::nginx {
namespace {

std::string StatusUrl(const ConfigNode& target) {
  std::string url = target.RequiredString("status_url");
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    target.Fail("status_url", "'" + url + "' must be an http:// or https:// URL");
  }
  if (url.find('@') != std::string::npos) {
    target.Fail("status_url",
                std::string("'").append(RedactUrl(url)).append("' must carry no credentials"));
  }
  return url;
}

std::unique_ptr<Collector> Make(const ConfigNode& target, const TargetOptions& options) {
  return std::make_unique<NginxCollector>(StatusUrl(target), options);
}

}  // namespace

const CollectorKind& Kind() {
  static const CollectorKind kKind = {
      .name = "nginx",
      .help = "nginx's stub_status page (Document Server's nginx, the edge proxy)",
      .enabled_by_default = true,
      .target_flags = {{"nginx.status-url", "status_url",
                        "nginx's stub_status page, e.g. http://documentserver:8080/stub_status"}},
      .secret_envs = {},
      .keys = {"status_url"},
      // The page is about 100 bytes; nginx answers it from memory.
      .defaults = {.timeout = std::chrono::seconds(5), .max_body_bytes = size_t{64} << 10},
      // nginx-prometheus-exporter's default --nginx.scrape-uri.
      .default_target = [] { return YAML::Load("status_url: http://127.0.0.1:8080/stub_status"); },
      .default_name =
          [](const ConfigNode& target) {
            const auto url = StatusUrl(target);
            const auto host = url.substr(url.find("://") + 3);
            return host.substr(0, host.find('/'));
          },
      .make = Make,
  };
  return kKind;
}

}  // namespace ooe::nginx
