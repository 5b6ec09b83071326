#include "collectors/docker/collector.h"

#include <array>
#include <chrono>
#include <cstdlib>
#include <set>

namespace ooe {
namespace docker {
namespace {

enum class Type { kGauge, kCounter };

void Add(MetricSet& metrics, Type type, std::string_view name, std::string_view help, double value,
         const Labels& labels) {
  if (type == Type::kCounter) {
    metrics.Counter(name, help, value, labels);
  } else {
    metrics.Gauge(name, help, value, labels);
  }
}

// Stats field -> cAdvisor metric, as data: adding a field is one line.
struct StatsMetric {
  std::optional<double> ContainerStats::*field;
  std::string_view metric;
  Type type;
  std::string_view help;
  double scale = 1.0;
};

const StatsMetric kStatsMetrics[] = {
    {&ContainerStats::cpu_user_ns, "container_cpu_user_seconds_total", Type::kCounter,
     "Cumulative user CPU time consumed in seconds.", 1e-9},
    {&ContainerStats::cpu_kernel_ns, "container_cpu_system_seconds_total", Type::kCounter,
     "Cumulative system CPU time consumed in seconds.", 1e-9},
    {&ContainerStats::cfs_periods, "container_cpu_cfs_periods_total", Type::kCounter,
     "Number of elapsed CFS enforcement periods."},
    {&ContainerStats::cfs_throttled_periods, "container_cpu_cfs_throttled_periods_total",
     Type::kCounter, "Number of CFS periods the container was throttled in."},
    {&ContainerStats::cfs_throttled_ns, "container_cpu_cfs_throttled_seconds_total", Type::kCounter,
     "Total time the container was throttled, in seconds.", 1e-9},
    {&ContainerStats::memory_usage, "container_memory_usage_bytes", Type::kGauge,
     "Current memory usage in bytes, page cache included."},
    {&ContainerStats::cache, "container_memory_cache", Type::kGauge,
     "Page cache memory in bytes (cgroup v1 total_cache, v2 file)."},
    {&ContainerStats::rss, "container_memory_rss", Type::kGauge,
     "Anonymous memory in bytes (cgroup v1 total_rss, v2 anon)."},
    {&ContainerStats::mapped_file, "container_memory_mapped_file", Type::kGauge,
     "Memory-mapped file bytes (cgroup v1 total_mapped_file, v2 file_mapped)."},
    {&ContainerStats::memory_max_usage, "container_memory_max_usage_bytes", Type::kGauge,
     "Maximum memory usage recorded in bytes (cgroup v1 only)."},
    {&ContainerStats::memory_failcnt, "container_memory_failcnt", Type::kCounter,
     "Number of times memory usage hit the limit (cgroup v1 only)."},
    {&ContainerStats::pids_current, "container_threads", Type::kGauge,
     "Tasks (threads) in the container's pids cgroup."},
};

struct NetworkMetric {
  std::optional<double> NetworkInterfaceStats::*field;
  std::string_view metric;
  std::string_view help;
};

const NetworkMetric kNetworkMetrics[] = {
    {&NetworkInterfaceStats::rx_bytes, "container_network_receive_bytes_total",
     "Cumulative count of bytes received."},
    {&NetworkInterfaceStats::rx_packets, "container_network_receive_packets_total",
     "Cumulative count of packets received."},
    {&NetworkInterfaceStats::rx_errors, "container_network_receive_errors_total",
     "Cumulative count of errors encountered while receiving."},
    {&NetworkInterfaceStats::rx_dropped, "container_network_receive_packets_dropped_total",
     "Cumulative count of packets dropped while receiving."},
    {&NetworkInterfaceStats::tx_bytes, "container_network_transmit_bytes_total",
     "Cumulative count of bytes transmitted."},
    {&NetworkInterfaceStats::tx_packets, "container_network_transmit_packets_total",
     "Cumulative count of packets transmitted."},
    {&NetworkInterfaceStats::tx_errors, "container_network_transmit_errors_total",
     "Cumulative count of errors encountered while transmitting."},
    {&NetworkInterfaceStats::tx_dropped, "container_network_transmit_packets_dropped_total",
     "Cumulative count of packets dropped while transmitting."},
};

constexpr std::array<std::string_view, 7> kStates = {"created",  "running", "paused", "restarting",
                                                     "removing", "exited",  "dead"};
constexpr std::array<std::string_view, 3> kHealthStates = {"starting", "healthy", "unhealthy"};

// Docker's default CFS period when only --cpus (NanoCpus) is given.
constexpr double kDefaultCfsPeriodMicroseconds = 100000;

std::string LabelOr(const std::map<std::string, std::string>& labels, const std::string& key) {
  const auto found = labels.find(key);
  return found == labels.end() ? std::string() : found->second;
}

Labels ContainerLabels(const ContainerReading& reading,
                       const std::vector<std::string>& label_allowlist) {
  const auto& summary = reading.summary;
  const auto& container_labels = reading.inspect ? reading.inspect->labels : summary.labels;
  std::string image = reading.inspect ? reading.inspect->image : std::string();
  if (image.empty()) image = summary.image;
  Labels labels = {
      {"name", summary.name},
      {"image", image},
      {"id", summary.id.substr(0, 12)},
      {"compose_project", LabelOr(container_labels, "com.docker.compose.project")},
      {"compose_service", LabelOr(container_labels, "com.docker.compose.service")},
  };
  for (const auto& key : label_allowlist) {
    labels.emplace_back(LabelName(key), LabelOr(container_labels, key));
  }
  return labels;
}

void BuildSpec(const ContainerInspect& inspect, std::optional<double> host_cores,
               const Labels& labels, MetricSet& metrics) {
  // --cpus sets NanoCpus and leaves CpuQuota 0 in Docker's HostConfig; the cgroup then has
  // quota = NanoCpus x period / 1e9, which is what cAdvisor reads.
  double period = inspect.cpu_period > 0 ? inspect.cpu_period : kDefaultCfsPeriodMicroseconds;
  double quota = inspect.cpu_quota;
  if (inspect.nano_cpus > 0) quota = inspect.nano_cpus * period / 1e9;
  std::optional<double> limit_cores;
  if (quota > 0) {
    metrics.Gauge("container_spec_cpu_quota",
                  "CPU quota of the container (microseconds per period).", quota, labels);
    metrics.Gauge("container_spec_cpu_period", "CPU period of the container (microseconds).",
                  period, labels);
    limit_cores = quota / period;
  } else {
    limit_cores = host_cores;
  }
  if (limit_cores) {
    metrics.Gauge("container_spec_cpu_limit_cores",
                  "CPU cores the container may use: its quota, or the host's cores when unlimited.",
                  *limit_cores, labels);
  }
  metrics.Gauge("container_spec_cpu_shares", "CPU shares of the container (1024 when not set).",
                inspect.cpu_shares > 0 ? inspect.cpu_shares : 1024, labels);
  metrics.Gauge("container_spec_memory_limit_bytes", "Memory limit of the container (0: none).",
                inspect.memory_limit, labels);
  metrics.Gauge("container_spec_memory_reservation_limit_bytes",
                "Memory reservation (soft limit) of the container (0: none).",
                inspect.memory_reservation, labels);
  metrics.Gauge("container_threads_max", "Limit of tasks in the container's pids cgroup (0: none).",
                inspect.pids_limit, labels);
}

void BuildState(const ContainerReading& reading, const Labels& labels, MetricSet& metrics) {
  const std::string state = reading.inspect ? reading.inspect->status : reading.summary.state;
  metrics.Gauge("container_running", "1 when the container is running, 0 otherwise.",
                state == "running" ? 1.0 : 0.0, labels);
  for (const auto candidate : kStates) {
    Labels with_state = labels;
    with_state.emplace_back("state", std::string(candidate));
    metrics.Gauge("container_state", "1 for the engine's state of the container, 0 for the others.",
                  state == candidate ? 1.0 : 0.0, with_state);
  }
  if (!reading.inspect) return;
  const ContainerInspect& inspect = *reading.inspect;
  if (inspect.restart_count) {
    metrics.Counter("container_restarts_total",
                    "Restarts by the engine's restart policy (RestartCount).",
                    *inspect.restart_count, labels);
  }
  if (inspect.exit_code) {
    metrics.Gauge("container_last_exit_code",
                  "Exit code of the container's last run (0 while it runs; 137: killed).",
                  *inspect.exit_code, labels);
  }
  metrics.Gauge("container_oom_killed", "1 when the kernel OOM killer ended the last run (Docker).",
                inspect.oom_killed ? 1.0 : 0.0, labels);
  if (inspect.started_at_seconds) {
    metrics.Gauge("container_start_time_seconds", "Start time of the container since unix epoch.",
                  *inspect.started_at_seconds, labels);
  }
  if (!inspect.health_status.empty()) {
    for (const auto candidate : kHealthStates) {
      Labels with_status = labels;
      with_status.emplace_back("status", std::string(candidate));
      metrics.Gauge("container_health_status",
                    "1 for the container's health check status, 0 for the others.",
                    inspect.health_status == candidate ? 1.0 : 0.0, with_status);
    }
    if (inspect.health_failing_streak) {
      metrics.Gauge("container_health_failing_streak", "Consecutive failed health checks.",
                    *inspect.health_failing_streak, labels);
    }
  }
}

void BuildUsage(const ContainerStats& stats, const Labels& labels, MetricSet& metrics) {
  if (stats.cpu_total_ns) {
    Labels with_cpu = labels;
    with_cpu.emplace_back("cpu", "total");
    metrics.Counter("container_cpu_usage_seconds_total", "Cumulative CPU time consumed in seconds.",
                    *stats.cpu_total_ns / 1e9, with_cpu);
  }
  for (const auto& mapping : kStatsMetrics) {
    if (const auto& value = stats.*mapping.field) {
      Add(metrics, mapping.type, mapping.metric, mapping.help, *value * mapping.scale, labels);
    }
  }
  if (const auto working_set = WorkingSetBytes(stats)) {
    metrics.Gauge("container_memory_working_set_bytes",
                  "Memory usage minus inactive page cache, in bytes (what the OOM killer weighs).",
                  *working_set, labels);
  }
  for (const auto& network : stats.networks) {
    Labels with_interface = labels;
    with_interface.emplace_back("interface", network.interface);
    for (const auto& mapping : kNetworkMetrics) {
      if (const auto& value = network.*mapping.field) {
        metrics.Counter(mapping.metric, mapping.help, *value, with_interface);
      }
    }
  }
  for (const auto& device : stats.block_devices) {
    Labels with_device = labels;
    with_device.emplace_back("device", device.device);
    metrics.Counter("container_fs_reads_bytes_total", "Cumulative count of bytes read.",
                    device.read_bytes, with_device);
    metrics.Counter("container_fs_writes_bytes_total", "Cumulative count of bytes written.",
                    device.write_bytes, with_device);
  }
}

}  // namespace

std::string LabelName(std::string_view container_label) {
  std::string name = "container_label_";
  for (const char c : container_label) {
    const bool valid =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    name += valid ? c : '_';
  }
  return name;
}

void BuildMetrics(const Snapshot& snapshot, const std::vector<std::string>& label_allowlist,
                  double now, MetricSet& metrics) {
  metrics.Info("container_engine_info", "Facts about the container engine, value 1.",
               {{"engine", snapshot.version.engine},
                {"version", snapshot.version.version},
                {"api_version", snapshot.api_version}});
  metrics.Gauge("container_engine_containers_skipped",
                "Containers selected but left out because of max_containers.",
                static_cast<double>(snapshot.skipped));
  // The host's cores: /info NCPU, else what a stats reply says.
  std::optional<double> host_cores = snapshot.info.cpus;
  for (const auto& reading : snapshot.containers) {
    if (!host_cores && reading.stats) host_cores = reading.stats->online_cpus;
  }
  if (host_cores) {
    metrics.Gauge("machine_cpu_cores", "Number of logical CPU cores of the engine's host.",
                  *host_cores);
  }
  if (snapshot.info.memory_bytes) {
    metrics.Gauge("machine_memory_bytes", "Memory of the engine's host in bytes.",
                  *snapshot.info.memory_bytes);
  }
  std::array<double, 2> usage_sources = {0, 0};  // cgroup files, engine stats
  for (const auto& reading : snapshot.containers) {
    if (reading.stats && reading.stats->sampled) ++usage_sources[reading.stats_from_cgroup ? 0 : 1];
  }
  for (const auto& [index, source] : {std::pair{0, "cgroup"}, std::pair{1, "engine"}}) {
    metrics.Gauge("container_engine_usage_containers",
                  "Containers whose usage this scrape came from their cgroup files (source "
                  "cgroup) or from the engine's stats (engine).",
                  usage_sources[static_cast<size_t>(index)], {{"source", source}});
  }
  for (const auto& reading : snapshot.containers) {
    const Labels labels = ContainerLabels(reading, label_allowlist);
    metrics.Gauge("container_last_seen", "Last time the exporter saw the container (unix seconds).",
                  now, labels);
    BuildState(reading, labels, metrics);
    if (reading.inspect) BuildSpec(*reading.inspect, host_cores, labels, metrics);
    if (reading.stats && reading.stats->sampled) BuildUsage(*reading.stats, labels, metrics);
  }
}

YAML::Node DefaultTarget() {
  YAML::Node target;
  const char* host = std::getenv("DOCKER_HOST");
  target["host"] = host && *host ? host : "unix:///var/run/docker.sock";
  const std::string host_text = target["host"].as<std::string>();
  const char* verify = std::getenv("DOCKER_TLS_VERIFY");
  const char* tls = std::getenv("DOCKER_TLS");
  const bool wants_verify = verify && *verify;
  if (host_text.rfind("tcp://", 0) == 0 && (wants_verify || (tls && *tls))) {
    const char* cert_path = std::getenv("DOCKER_CERT_PATH");
    const char* home = std::getenv("HOME");
    const std::string directory = cert_path && *cert_path ? cert_path
                                  : home                  ? std::string(home) + "/.docker"
                                                          : std::string(".docker");
    target["tls"] = true;
    if (wants_verify) target["tls_ca_file"] = directory + "/ca.pem";
    target["tls_cert_file"] = directory + "/cert.pem";
    target["tls_key_file"] = directory + "/key.pem";
    if (!wants_verify) target["tls_insecure_skip_verify"] = true;
  }
  return target;
}

}  // namespace docker

namespace {

class DockerCollector final : public Collector {
 public:
  DockerCollector(std::string target, docker::ClientOptions options,
                  std::vector<std::string> label_allowlist)
      : target_(std::move(target)),
        label_allowlist_(std::move(label_allowlist)),
        client_(std::move(options)) {}

  const std::string& Kind() const override {
    static const std::string kKind = "docker";
    return kKind;
  }
  const std::string& Target() const override { return target_; }
  std::string Describe() const override { return client_.Describe(); }

  CollectResult Collect(const ScrapeContext& context) override {
    MetricSet metrics({{"target", target_}});
    CollectResult result;
    const auto snapshot = client_.Fetch(context, result.error);
    metrics.Gauge("container_engine_up",
                  "1 when the engine answered its version and container list.",
                  snapshot ? 1.0 : 0.0);
    if (snapshot) {
      const double now =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      docker::BuildMetrics(*snapshot, label_allowlist_, now, metrics);
    }
    result.families = metrics.Take();
    return result;
  }

 private:
  std::string target_;
  std::vector<std::string> label_allowlist_;
  docker::Client client_;
};

}  // namespace

std::unique_ptr<Collector> MakeDockerCollector(const ConfigNode& target) {
  target.ExpectOnly({"name", "host", "tls", "tls_ca_file", "tls_cert_file", "tls_key_file",
                     "tls_insecure_skip_verify", "label_filter", "name_regex", "label_allowlist",
                     "max_containers", "max_body_size", "inspect_max_age", "read_cgroups",
                     "proc_root", "cgroup_root"});
  docker::ClientOptions options;
  options.tls.ca_file = target.String("tls_ca_file", "");
  options.tls.cert_file = target.String("tls_cert_file", "");
  options.tls.key_file = target.String("tls_key_file", "");
  options.tls.insecure_skip_verify = target.Bool("tls_insecure_skip_verify", false);
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    target.Fail(options.tls.cert_file.empty() ? "tls_cert_file" : "tls_key_file",
                "a client certificate needs both tls_cert_file and tls_key_file");
  }
  const bool any_tls_option = !options.tls.ca_file.empty() || !options.tls.cert_file.empty() ||
                              options.tls.insecure_skip_verify;
  const bool tls = target.Bool("tls", any_tls_option);
  const std::string host = target.String("host", docker::DefaultTarget()["host"].as<std::string>());
  std::string problem;
  auto endpoint = docker::ParseEndpoint(host, tls, problem);
  if (!endpoint) target.Fail("host", "'" + host + "' " + problem);
  options.endpoint = std::move(*endpoint);
  for (auto& filter : target.StringList("label_filter")) {
    if (filter.empty() || filter.front() == '=') {
      target.Fail("label_filter", "'" + filter + "' must be key or key=value");
    }
    options.label_filters.push_back(std::move(filter));
  }
  if (const auto pattern = target.String("name_regex", ""); !pattern.empty()) {
    try {
      options.name_regex.emplace(pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& error) {
      target.Fail("name_regex",
                  "'" + pattern + "' is not a valid regular expression: " + error.what());
    }
  }
  options.max_containers = static_cast<size_t>(target.Integer("max_containers", 300, 1, 100000));
  options.max_body_bytes = target.Bytes("max_body_size", size_t{4} << 20);
  options.inspect_max_age = target.Duration("inspect_max_age", options.inspect_max_age);
  // Over tcp:// the engine is usually another host (or behind a proxy), whose processes are not
  // in this /proc: cgroups are read only when asked for there.
  if (target.Bool("read_cgroups", !options.endpoint.unix_socket.empty())) {
    docker::CgroupOptions cgroups;
    cgroups.proc_root = target.String("proc_root", cgroups.proc_root);
    cgroups.cgroup_root = target.String("cgroup_root", cgroups.cgroup_root);
    for (const auto& [key, path] : {std::pair{"proc_root", cgroups.proc_root},
                                    std::pair{"cgroup_root", cgroups.cgroup_root}}) {
      if (path.empty() || path.front() != '/') {
        target.Fail(key, "'" + path + "' must be an absolute path");
      }
    }
    options.cgroups = std::move(cgroups);
  }
  std::vector<std::string> allowlist = target.StringList("label_allowlist");
  std::set<std::string> label_names;
  for (const auto& key : allowlist) {
    if (!label_names.insert(docker::LabelName(key)).second) {
      target.Fail("label_allowlist", "'" + key + "' gives the label name " +
                                         docker::LabelName(key) + " a second time");
    }
  }
  auto name = target.String("name", host);
  return std::make_unique<DockerCollector>(std::move(name), std::move(options),
                                           std::move(allowlist));
}

}  // namespace ooe
