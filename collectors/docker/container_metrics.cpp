#include "collectors/docker/container_metrics.h"

#include <array>

namespace ooe::docker {
namespace {

// Stats field -> cAdvisor metric, as data: adding a field is one line.
const FieldMetric<ContainerStats> kStatsMetrics[] = {
    {&ContainerStats::cpu_user_ns, "container_cpu_user_seconds_total", MetricKind::kCounter,
     "Cumulative user CPU time consumed in seconds.", 1e-9},
    {&ContainerStats::cpu_kernel_ns, "container_cpu_system_seconds_total", MetricKind::kCounter,
     "Cumulative system CPU time consumed in seconds.", 1e-9},
    {&ContainerStats::cfs_periods, "container_cpu_cfs_periods_total", MetricKind::kCounter,
     "Number of elapsed CFS enforcement periods."},
    {&ContainerStats::cfs_throttled_periods, "container_cpu_cfs_throttled_periods_total",
     MetricKind::kCounter, "Number of CFS periods the container was throttled in."},
    {&ContainerStats::cfs_throttled_ns, "container_cpu_cfs_throttled_seconds_total",
     MetricKind::kCounter, "Total time the container was throttled, in seconds.", 1e-9},
    {&ContainerStats::memory_usage, "container_memory_usage_bytes", MetricKind::kGauge,
     "Current memory usage in bytes, page cache included."},
    {&ContainerStats::cache, "container_memory_cache", MetricKind::kGauge,
     "Page cache memory in bytes (cgroup v1 total_cache, v2 file)."},
    {&ContainerStats::rss, "container_memory_rss", MetricKind::kGauge,
     "Anonymous memory in bytes (cgroup v1 total_rss, v2 anon)."},
    {&ContainerStats::mapped_file, "container_memory_mapped_file", MetricKind::kGauge,
     "Memory-mapped file bytes (cgroup v1 total_mapped_file, v2 file_mapped)."},
    {&ContainerStats::memory_max_usage, "container_memory_max_usage_bytes", MetricKind::kGauge,
     "Maximum memory usage recorded in bytes (cgroup v1 only)."},
    {&ContainerStats::memory_failcnt, "container_memory_failcnt", MetricKind::kCounter,
     "Number of times memory usage hit the limit (cgroup v1 only)."},
    {&ContainerStats::pids_current, "container_threads", MetricKind::kGauge,
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
  if (reading.oom_events) {
    metrics.Counter("container_oom_events_total",
                    "Count of out of memory events observed for the container (the kernel's "
                    "OOM kills of any of its processes, across its restarts).",
                    *reading.oom_events, labels);
  }
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
  AddFieldMetrics(stats, kStatsMetrics, labels, metrics);
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

void BuildProcesses(const ContainerProcesses& processes, const Labels& labels, MetricSet& metrics) {
  metrics.Gauge("container_processes", "Number of processes running inside the container.",
                processes.count, labels);
  if (processes.file_descriptors) {
    metrics.Gauge("container_file_descriptors",
                  "Number of open file descriptors for the container.", *processes.file_descriptors,
                  labels);
  }
  if (processes.main_open_files_limit) {
    Labels with_ulimit = labels;
    with_ulimit.emplace_back("ulimit", "max_open_files");
    metrics.Gauge("container_ulimits_soft",
                  "Soft ulimit values for the container root process. Unlimited if -1.",
                  *processes.main_open_files_limit, with_ulimit);
  }
  for (const auto& usage : processes.programs) {
    Labels with_program = labels;
    with_program.emplace_back("program", usage.program);
    metrics.Gauge("container_program_processes",
                  "Processes of the container with this kernel process name (top programs by "
                  "resident memory, the rest as \"other\").",
                  usage.processes, with_program);
    metrics.Gauge("container_program_resident_memory_bytes",
                  "Resident memory of the program's processes in bytes (sum of their RSS).",
                  usage.resident_bytes, with_program);
    metrics.Counter("container_program_cpu_seconds_total",
                    "CPU time (user and system) the program's processes used, in seconds.",
                    usage.cpu_seconds, with_program);
    metrics.Gauge("container_program_start_time_seconds",
                  "Start time of the program's newest process since unix epoch: a restart "
                  "inside the container moves it.",
                  usage.newest_start_seconds, with_program);
    metrics.Gauge("container_program_file_descriptors",
                  "Open file descriptors of the program's processes.", usage.file_descriptors,
                  with_program);
    if (usage.busiest_open_files_limit) {
      metrics.Gauge("container_program_busiest_process_file_descriptors",
                    "Open file descriptors of the program's process with the most.",
                    usage.busiest_file_descriptors, with_program);
      metrics.Gauge("container_program_busiest_process_open_files_limit",
                    "Soft limit of open files (RLIMIT_NOFILE) of that process; -1: unlimited.",
                    *usage.busiest_open_files_limit, with_program);
    }
  }
}

void BuildVolumes(const std::vector<VolumeUsage>& volumes, const Labels& labels,
                  MetricSet& metrics) {
  for (const auto& volume : volumes) {
    Labels with_mount = labels;
    with_mount.emplace_back("destination", volume.mount.destination);
    with_mount.emplace_back("volume", volume.mount.volume);
    with_mount.emplace_back("type", volume.mount.type);
    metrics.Gauge("container_volume_size_bytes",
                  "Size of the file system mounted at destination in the container, in bytes.",
                  volume.size_bytes, with_mount);
    metrics.Gauge("container_volume_free_bytes",
                  "Free space of the mounted file system in bytes (root's reserve included).",
                  volume.free_bytes, with_mount);
    metrics.Gauge("container_volume_avail_bytes",
                  "Space of the mounted file system available to unprivileged users, in bytes.",
                  volume.avail_bytes, with_mount);
    metrics.Gauge("container_volume_files", "File nodes (inodes) of the mounted file system.",
                  volume.files, with_mount);
    metrics.Gauge("container_volume_files_free", "Free file nodes of the mounted file system.",
                  volume.files_free, with_mount);
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
    if (reading.processes) BuildProcesses(*reading.processes, labels, metrics);
    BuildVolumes(reading.volumes, labels, metrics);
  }
}

}  // namespace ooe::docker
