#include <algorithm>
#include <cctype>
#include <cmath>

#include "base/json_number.h"
#include "collectors/docker/json_reply.h"
#include "collectors/docker/parser.h"

// GET /containers/ID/stats (one-shot): CPU, memory, pids, network and block I/O, cgroup v1 and v2.
namespace ooe::docker {
namespace {

using nlohmann::json;

bool IsDeviceNumber(double value) {
  return value >= 0 && value <= 4294967295.0 && value == std::trunc(value);
}

void ReadCpu(const json& cpu, ContainerStats& stats) {
  const json& cpu_usage = MemberOrNull(cpu, "cpu_usage");
  stats.cpu_total_ns = JsonNumber(cpu_usage, "total_usage");
  stats.cpu_user_ns = JsonNumber(cpu_usage, "usage_in_usermode");
  stats.cpu_kernel_ns = JsonNumber(cpu_usage, "usage_in_kernelmode");
  stats.online_cpus = JsonNumber(cpu, "online_cpus");
  if (!stats.online_cpus) {
    // Before API 1.27 (and where online_cpus is 0) the CLI counts percpu_usage.
    if (const json* percpu = Member(cpu_usage, "percpu_usage"); percpu && percpu->is_array()) {
      if (!percpu->empty()) stats.online_cpus = static_cast<double>(percpu->size());
    }
  }
  if (stats.online_cpus && *stats.online_cpus <= 0) stats.online_cpus.reset();
  const json& throttling = MemberOrNull(cpu, "throttling_data");
  stats.cfs_periods = JsonNumber(throttling, "periods");
  stats.cfs_throttled_periods = JsonNumber(throttling, "throttled_periods");
  stats.cfs_throttled_ns = JsonNumber(throttling, "throttled_time");
}

void ReadMemory(const json& memory, ContainerStats& stats) {
  stats.memory_usage = JsonNumber(memory, "usage");
  stats.memory_limit = JsonNumber(memory, "limit");
  stats.memory_max_usage = JsonNumber(memory, "max_usage");
  stats.memory_failcnt = JsonNumber(memory, "failcnt");
  const json& detail = MemberOrNull(memory, "stats");
  // cgroup v1 reports the hierarchy's totals as total_*; v2 has flat keys only and "anon".
  stats.cgroup_v2 = detail.is_object() && !Member(detail, "total_inactive_file") &&
                    (Member(detail, "anon") || Member(detail, "file"));
  const std::string prefix = stats.cgroup_v2 ? "" : "total_";
  stats.inactive_file = JsonNumber(detail, prefix + "inactive_file");
  stats.cache = JsonNumber(detail, stats.cgroup_v2 ? "file" : "total_cache");
  stats.rss = JsonNumber(detail, stats.cgroup_v2 ? "anon" : "total_rss");
  stats.mapped_file = JsonNumber(detail, stats.cgroup_v2 ? "file_mapped" : "total_mapped_file");
}

void ReadNetworks(const json& root, ContainerStats& stats) {
  const json* networks = Member(root, "networks");
  if (networks == nullptr || !networks->is_object()) return;
  for (const auto& [interface, counters] : networks->items()) {
    NetworkInterfaceStats network;
    network.interface = interface;
    network.rx_bytes = JsonNumber(counters, "rx_bytes");
    network.rx_packets = JsonNumber(counters, "rx_packets");
    network.rx_errors = JsonNumber(counters, "rx_errors");
    network.rx_dropped = JsonNumber(counters, "rx_dropped");
    network.tx_bytes = JsonNumber(counters, "tx_bytes");
    network.tx_packets = JsonNumber(counters, "tx_packets");
    network.tx_errors = JsonNumber(counters, "tx_errors");
    network.tx_dropped = JsonNumber(counters, "tx_dropped");
    stats.networks.push_back(std::move(network));
  }
}

void ReadBlockIo(const json& root, ContainerStats& stats) {
  // cgroup v1 says "Read"/"Write" (plus Sync, Async, Total), v2 "read"/"write".
  const json& service_bytes =
      MemberOrNull(MemberOrNull(root, "blkio_stats"), "io_service_bytes_recursive");
  if (!service_bytes.is_array()) return;
  for (const auto& entry : service_bytes) {
    const auto major = JsonNumber(entry, "major");
    const auto minor = JsonNumber(entry, "minor");
    const auto value = JsonNumber(entry, "value");
    auto op = StringOr(entry, "op");
    // Device numbers are 32-bit: anything else is no device (and no undefined cast).
    if (!major || !minor || !value || !IsDeviceNumber(*major) || !IsDeviceNumber(*minor)) {
      continue;
    }
    std::transform(op.begin(), op.end(), op.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (op != "read" && op != "write") continue;
    std::string device = std::to_string(static_cast<long long>(*major));
    device += ':';
    device += std::to_string(static_cast<long long>(*minor));
    auto found =
        std::find_if(stats.block_devices.begin(), stats.block_devices.end(),
                     [&](const BlockDeviceStats& known) { return known.device == device; });
    if (found == stats.block_devices.end()) {
      stats.block_devices.push_back(BlockDeviceStats{device, 0, 0});
      found = std::prev(stats.block_devices.end());
    }
    (op == "read" ? found->read_bytes : found->write_bytes) += *value;
  }
}

}  // namespace

Parsed<ContainerStats> ParseStats(std::string_view body) {
  auto document = ParseObject(body, "stats reply");
  if (!document) return Parsed<ContainerStats>::Failure(document.error);
  const json& root = *document;
  ContainerStats stats;
  const auto read = JsonString(root, "read");
  if (!read) return Parsed<ContainerStats>::Failure("stats reply has no \"read\" time");
  stats.sampled = ParseTimestamp(*read).has_value();
  if (!stats.sampled) return Success(std::move(stats));
  ReadCpu(MemberOrNull(root, "cpu_stats"), stats);
  ReadMemory(MemberOrNull(root, "memory_stats"), stats);
  const json& pids = MemberOrNull(root, "pids_stats");
  stats.pids_current = JsonNumber(pids, "current");
  stats.pids_limit = JsonNumber(pids, "limit");
  ReadNetworks(root, stats);
  ReadBlockIo(root, stats);
  return Success(std::move(stats));
}

std::optional<double> WorkingSetBytes(const ContainerStats& stats) {
  if (!stats.memory_usage) return std::nullopt;
  if (!stats.inactive_file) return *stats.memory_usage;
  return std::max(0.0, *stats.memory_usage - *stats.inactive_file);
}

}  // namespace ooe::docker
