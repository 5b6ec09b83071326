#include "collectors/rabbitmq/kind.h"

#include "collectors/rabbitmq/collector.h"

namespace ooe::rabbitmq {
namespace {

std::string BaseUrl(const ConfigNode& target) {
  std::string url = target.RequiredString("url");
  while (url.ends_with("/")) url.pop_back();
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    target.Fail("url", "'" + url + "' must be the management API's http:// or https:// base URL");
  }
  if (url.find('@') != std::string::npos) {
    target.Fail("url", "credentials do not belong in the URL; use username and password_file");
  }
  return url;
}

// rabbitmq_prometheus listens on its own port (15692 unless prometheus.tcp.port says otherwise)
// of the same host.
std::string DefaultPrometheusUrl(const std::string& base_url) {
  const size_t host_at = base_url.find("://") + 3;
  size_t host_end = base_url.find('/', host_at);
  if (host_end == std::string::npos) host_end = base_url.size();
  std::string host = base_url.substr(host_at, host_end - host_at);
  const size_t colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    host.resize(colon);
  }
  return base_url.substr(0, host_at) + host + ":15692";
}

QueueSource ParseSource(const ConfigNode& target) {
  const auto source = target.String("source", "auto");
  if (source == "auto") return QueueSource::kAuto;
  if (source == "prometheus") return QueueSource::kPrometheus;
  if (source == "management") return QueueSource::kManagement;
  target.Fail("source", "'" + source + "' is not one of auto, prometheus, management");
}

std::unique_ptr<Collector> Make(const ConfigNode& target, const TargetOptions& options) {
  Endpoint endpoint;
  endpoint.base_url = BaseUrl(target);
  endpoint.username = target.String("username", "guest");
  endpoint.password =
      target.Secret("password").value_or(endpoint.username == "guest" ? "guest" : "");
  endpoint.page_size = static_cast<int>(target.Integer("page_size", 500, 1, 500));
  endpoint.source = ParseSource(target);
  endpoint.prometheus_url =
      target.String("prometheus_url", DefaultPrometheusUrl(endpoint.base_url));
  while (endpoint.prometheus_url.ends_with("/")) endpoint.prometheus_url.pop_back();
  if (!endpoint.prometheus_url.starts_with("http://") &&
      !endpoint.prometheus_url.starts_with("https://")) {
    target.Fail("prometheus_url",
                "'" + endpoint.prometheus_url +
                    "' must be rabbitmq_prometheus' http:// or https:// base URL");
  }
  endpoint.stats_queues = target.String("stats_queues", "ds\\..*");
  if (!endpoint.stats_queues.empty()) ParseRegex(target, "stats_queues");
  endpoint.vhosts = target.StringList("vhosts");

  QueueFilter filter;
  filter.include = ParseRegex(target, "include_queues");
  filter.exclude = ParseRegex(target, "exclude_queues");
  filter.export_server_named = target.Bool("export_server_named_queues", false);
  filter.max_queues = static_cast<size_t>(target.Integer("max_queues", 5000, 0, 1'000'000));
  return std::make_unique<RabbitmqCollector>(std::move(endpoint), std::move(filter), options);
}

}  // namespace

const CollectorKind& Kind() {
  static const CollectorKind kKind = {
      .name = "rabbitmq",
      .help = "RabbitMQ (management API, rabbitmq_prometheus): broker, nodes, queues",
      .enabled_by_default = true,
      .target_flags =
          {
              {"rabbitmq.url", "url",
               "RabbitMQ management API base URL, e.g. http://rabbitmq:15672"},
              {"rabbitmq.user", "username", "Management API user (the 'monitoring' tag is enough)"},
              {"rabbitmq.password-file", "password_file", "File holding its password"},
          },
      .secret_envs = {{"ONLYOFFICE_EXPORTER_RABBITMQ_PASSWORD", "password_env"},
                      {"RABBIT_PASSWORD", "password_env"}},
      .keys = {"url", "username", "password_file", "password_env", "include_queues",
               "exclude_queues", "export_server_named_queues", "max_queues", "page_size", "source",
               "prometheus_url", "stats_queues", "vhosts"},
      .defaults = {.timeout = {}, .max_body_bytes = size_t{16} << 20},
      .default_target = [] { return YAML::Load("url: http://localhost:15672"); },
      .default_name =
          [](const ConfigNode& target) {
            const auto url = BaseUrl(target);
            return url.substr(url.find("://") + 3);
          },
      .make = Make,
  };
  return kKind;
}

}  // namespace ooe::rabbitmq
