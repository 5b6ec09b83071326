#include "collectors/docker/kind.h"

#include <cstdlib>
#include <set>

#include "collectors/docker/collector.h"

namespace ooe::docker {
namespace {

std::string Host(const ConfigNode& target) {
  return target.String("host", DefaultTarget()["host"].as<std::string>());
}

std::optional<CgroupOptions> ReadCgroupOptions(const ConfigNode& target, bool unix_socket) {
  // Over tcp:// the engine is usually another host (or behind a proxy), whose processes are not
  // in this /proc: cgroups are read only when asked for there.
  if (!target.Bool("read_cgroups", unix_socket)) return std::nullopt;
  CgroupOptions cgroups;
  cgroups.proc_root = target.String("proc_root", cgroups.proc_root);
  cgroups.cgroup_root = target.String("cgroup_root", cgroups.cgroup_root);
  for (const auto& [key, path] :
       {std::pair{"proc_root", cgroups.proc_root}, std::pair{"cgroup_root", cgroups.cgroup_root}}) {
    if (path.empty() || path.front() != '/') {
      target.Fail(key, "'" + path + "' must be an absolute path");
    }
  }
  return cgroups;
}

Selection ReadSelection(const ConfigNode& target) {
  Selection selection;
  for (auto& filter : target.StringList("label_filter")) {
    if (filter.empty() || filter.front() == '=') {
      target.Fail("label_filter", "'" + filter + "' must be key or key=value");
    }
    selection.label_filters.push_back(std::move(filter));
  }
  selection.name_regex = ParseRegex(target, "name_regex");
  selection.max_containers = static_cast<size_t>(target.Integer("max_containers", 300, 1, 100000));
  return selection;
}

std::unique_ptr<Collector> Make(const ConfigNode& target, const TargetOptions& options) {
  DockerSettings settings;
  const std::string host = Host(target);
  std::string problem;
  // tcp:// speaks TLS when a tls_config is given, as DOCKER_TLS_VERIFY makes the CLI do.
  auto endpoint = ParseEndpoint(host, options.tls_configured, problem);
  if (!endpoint) target.Fail("host", "'" + host + "' " + problem);
  settings.endpoint = std::move(*endpoint);
  settings.selection = ReadSelection(target);
  settings.inspect_max_age = target.Duration("inspect_max_age", settings.inspect_max_age);
  settings.cgroups = ReadCgroupOptions(target, !settings.endpoint.unix_socket.empty());
  settings.max_programs = target.Bool("read_processes", settings.cgroups.has_value())
                              ? static_cast<size_t>(target.Integer("max_programs", 10, 1, 100))
                              : 0;
  settings.read_volumes = target.Bool("read_volumes", settings.cgroups.has_value());
  // The kernel log is this host's: over tcp:// the engine's host is usually another one.
  settings.kernel_log =
      target.String("kernel_log", settings.endpoint.unix_socket.empty() ? "" : "/dev/kmsg");
  if (!settings.kernel_log.empty() && settings.kernel_log.front() != '/') {
    target.Fail("kernel_log", "'" + settings.kernel_log + "' must be an absolute path");
  }
  settings.label_allowlist = target.StringList("label_allowlist");
  std::set<std::string> label_names;
  for (const auto& key : settings.label_allowlist) {
    if (!label_names.insert(LabelName(key)).second) {
      target.Fail("label_allowlist",
                  "'" + key + "' gives the label name " + LabelName(key) + " a second time");
    }
  }
  return std::make_unique<DockerCollector>(std::move(settings), options);
}

}  // namespace

YAML::Node DefaultTarget() {
  YAML::Node target;
  const char* host = std::getenv("DOCKER_HOST");
  target["host"] = host && *host ? host : "unix:///var/run/docker.sock";
  const std::string host_text = target["host"].as<std::string>();
  const char* verify = std::getenv("DOCKER_TLS_VERIFY");
  const char* tls = std::getenv("DOCKER_TLS");
  const bool wants_verify = verify && *verify;
  if (host_text.starts_with("tcp://") && (wants_verify || (tls && *tls))) {
    const char* cert_path = std::getenv("DOCKER_CERT_PATH");
    const char* home = std::getenv("HOME");
    const std::string directory = cert_path && *cert_path ? cert_path
                                  : home                  ? std::string(home) + "/.docker"
                                                          : std::string(".docker");
    YAML::Node tls_config;
    if (wants_verify) tls_config["ca_file"] = directory + "/ca.pem";
    tls_config["cert_file"] = directory + "/cert.pem";
    tls_config["key_file"] = directory + "/key.pem";
    if (!wants_verify) tls_config["insecure_skip_verify"] = true;
    target["tls_config"] = tls_config;
  }
  return target;
}

const CollectorKind& Kind() {
  static const CollectorKind kKind = {
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
              {"docker.max-containers", "max_containers",
               "At most this many containers get series; the rest are counted in "
               "container_engine_containers_skipped (default 300)"},
              {"docker.inspect-max-age", "inspect_max_age",
               "Reuse a container's inspect for at most this long while the list (and on "
               "Docker its events) show no change (default 60s; 0 inspects every scrape); "
               "limits changed by podman update show within it"},
              {"docker.read-cgroups", "read_cgroups",
               "Read running containers' usage from their cgroup files, as cAdvisor does "
               "(default true for a unix:// socket; needs the engine host's /proc and "
               "/sys/fs/cgroup), else from the engine's stats"},
              {"docker.proc-root", "proc_root",
               "Where the engine host's /proc is seen (default /proc)"},
              {"docker.cgroup-root", "cgroup_root",
               "Where the engine host's /sys/fs/cgroup is seen (default /sys/fs/cgroup)"},
              {"docker.read-processes", "read_processes",
               "Read running containers' processes through the host's /proc, grouped by "
               "program (default: where cgroup files are read)"},
              {"docker.max-programs", "max_programs",
               "Programs per container with series of their own, the largest by memory; the "
               "rest are \"other\" (default 10)"},
              {"docker.read-volumes", "read_volumes",
               "Read the free and total space of the file systems mounted into running "
               "containers, through their root in the host's /proc (default: where cgroup "
               "files are read)"},
              {"docker.kernel-log", "kernel_log",
               "The engine host's kernel log, where container_oom_events_total counts OOM "
               "kills (default /dev/kmsg for a unix:// socket, else none; '' turns it off; "
               "needs CAP_SYSLOG unless kernel.dmesg_restrict is 0)"},
          },
      .secret_envs = {},
      .keys = {"host", "label_filter", "name_regex", "label_allowlist", "max_containers",
               "inspect_max_age", "read_cgroups", "proc_root", "cgroup_root", "read_processes",
               "max_programs", "read_volumes", "kernel_log"},
      .defaults = {.timeout = {}, .max_body_bytes = size_t{4} << 20},
      .default_target = DefaultTarget,
      .default_name = Host,
      .make = Make,
  };
  return kKind;
}

}  // namespace ooe::docker
