#include "collectors/docker/podman_stats.h"

#include <nlohmann/json.hpp>

#include "base/json_number.h"

namespace ooe::docker {

Parsed<std::vector<PodmanContainerStats>> ParsePodmanStats(std::string_view body) {
  using Result = Parsed<std::vector<PodmanContainerStats>>;
  const auto root = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Result::Failure("libpod stats reply is not JSON");
  if (!root.is_object()) return Result::Failure("libpod stats reply is not a JSON object");
  if (const auto error = root.find("Error"); error != root.end() && !error->is_null()) {
    const auto message = error->is_string() ? error->get<std::string>() : error->dump();
    return Result::Failure("libpod stats reply carries an error: " + message.substr(0, 200));
  }
  const auto list = root.find("Stats");
  if (list == root.end() || !(list->is_array() || list->is_null())) {
    return Result::Failure("libpod stats reply has no \"Stats\" list");
  }
  std::vector<PodmanContainerStats> containers;
  if (list->is_null()) return Success(std::move(containers));  // no running container
  containers.reserve(list->size());
  for (const auto& entry : *list) {
    if (!entry.is_object()) return Result::Failure("libpod stats entry is not a JSON object");
    auto id = JsonString(entry, "ContainerID");
    if (!id || id->empty()) return Result::Failure("libpod stats entry has no \"ContainerID\"");
    ContainerStats stats;
    stats.sampled = true;
    stats.cpu_total_ns = JsonNumber(entry, "CPUNano");
    stats.cpu_kernel_ns = JsonNumber(entry, "CPUSystemNano");
    // As Podman's compatible endpoint splits it: user = total - system.
    if (stats.cpu_total_ns && stats.cpu_kernel_ns && *stats.cpu_total_ns >= *stats.cpu_kernel_ns) {
      stats.cpu_user_ns = *stats.cpu_total_ns - *stats.cpu_kernel_ns;
    }
    if (const auto per_cpu = entry.find("PerCPU");
        per_cpu != entry.end() && per_cpu->is_array() && !per_cpu->empty()) {
      stats.online_cpus = static_cast<double>(per_cpu->size());
    }
    stats.memory_usage = JsonNumber(entry, "MemUsage");
    stats.memory_limit = JsonNumber(entry, "MemLimit");
    stats.pids_current = JsonNumber(entry, "PIDs");
    NetworkInterfaceStats network;
    network.interface = "network";  // Podman's compatible endpoint's name for its one total
    network.rx_bytes = JsonNumber(entry, "NetInput");
    network.tx_bytes = JsonNumber(entry, "NetOutput");
    if (network.rx_bytes || network.tx_bytes) stats.networks.push_back(std::move(network));
    containers.push_back(PodmanContainerStats{std::move(*id), std::move(stats)});
  }
  return Success(std::move(containers));
}

}  // namespace ooe::docker
