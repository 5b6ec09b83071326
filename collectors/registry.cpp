#include "collectors/registry.h"

#include "collectors/docker/collector.h"
#include "collectors/documentserver/collector.h"
#include "collectors/rabbitmq/collector.h"
#include "collectors/redis/collector.h"

namespace ooe {

const std::vector<CollectorKind>& CollectorKinds() {
  static const std::vector<CollectorKind> kKinds = {
      {
          .name = "redis",
          .help = "Redis INFO and CONFIG (hiredis)",
          .enabled_by_default = true,
          .target_flags =
              {
                  {"redis.addr", "address",
                   "Redis to watch: redis://host:port, rediss://host:port or unix:///path"},
                  {"redis.user", "username", "Redis ACL user name (Redis 6+)"},
                  {"redis.password-file", "password_file", "File holding the Redis password"},
              },
          .secret_envs = {{"ONLYOFFICE_EXPORTER_REDIS_PASSWORD", "password_env"},
                          {"REDIS_PASSWORD", "password_env"}},
          .default_target = [] { return YAML::Load("address: redis://localhost:6379"); },
          .make = MakeRedisCollector,
      },
      {
          .name = "docker",
          .help = "Docker Engine API (Docker or Podman): container CPU, memory, state, health",
          .enabled_by_default = true,
          .target_flags =
              {
                  {"docker.host", "host",
                   "Engine API to watch: unix:///path or tcp://host:port (default: DOCKER_HOST, "
                   "else unix:///var/run/docker.sock)"},
                  {"docker.label-filter", "label_filter",
                   "Only containers with this label (key or key=value), e.g. "
                   "com.docker.compose.project=onlyoffice"},
                  {"docker.name-regex", "name_regex", "Only containers whose name matches"},
                  {"docker.inspect-max-age", "inspect_max_age",
                   "Podman: reuse a container's inspect for at most this long (default 60s; "
                   "0 inspects every scrape); limits changed by podman update show within it"},
                  {"docker.read-cgroups", "read_cgroups",
                   "Read running containers' usage from their cgroup files, as cAdvisor does "
                   "(default true for a unix:// socket; needs the engine host's /proc and "
                   "/sys/fs/cgroup), else from the engine's stats"},
                  {"docker.proc-root", "proc_root",
                   "Where the engine host's /proc is seen (default /proc)"},
                  {"docker.cgroup-root", "cgroup_root",
                   "Where the engine host's /sys/fs/cgroup is seen (default /sys/fs/cgroup)"},
              },
          .secret_envs = {},
          .default_target = docker::DefaultTarget,
          .make = MakeDockerCollector,
      },
      {
          .name = "rabbitmq",
          .help = "RabbitMQ management API: broker, nodes, queues",
          .enabled_by_default = true,
          .target_flags =
              {
                  {"rabbitmq.url", "url",
                   "RabbitMQ management API base URL, e.g. http://rabbitmq:15672"},
                  {"rabbitmq.user", "username",
                   "Management API user (the 'monitoring' tag is enough)"},
                  {"rabbitmq.password-file", "password_file", "File holding its password"},
              },
          .secret_envs = {{"ONLYOFFICE_EXPORTER_RABBITMQ_PASSWORD", "password_env"},
                          {"RABBIT_PASSWORD", "password_env"}},
          .default_target = [] { return YAML::Load("url: http://localhost:15672"); },
          .make = MakeRabbitmqCollector,
      },
      {
          .name = "documentserver",
          .help = "Document Server: /healthcheck via nginx and docservice, info.json, "
                  "CommandService",
          .enabled_by_default = true,
          .target_flags =
              {
                  {"documentserver.url", "url",
                   "Document Server's public base URL, through nginx, e.g. http://documentserver"},
                  {"documentserver.docservice-url", "docservice_url",
                   "docservice itself (port 8000), for /info/info.json and telling a 502 apart"},
                  {"documentserver.jwt-secret-file", "jwt_secret_file",
                   "File holding Document Server's JWT secret, for CommandService"},
                  {"documentserver.jwt-header", "jwt_header",
                   "Header that carries the JWT (default Authorization)"},
              },
          .secret_envs = {{"ONLYOFFICE_EXPORTER_DOCUMENTSERVER_JWT_SECRET", "jwt_secret_env"},
                          {"JWT_SECRET", "jwt_secret_env"}},
          .default_target = [] { return YAML::Load("url: http://localhost"); },
          .make = MakeDocumentServerCollector,
      },
  };
  return kKinds;
}

}  // namespace ooe
