// What one scrape knows of the engine and its selected containers: what the container sources
// fill in and the metric builder reads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collectors/docker/parser.h"
#include "collectors/docker/process_parser.h"

namespace ooe::docker {

// The processes of a running container, from the host's /proc.
struct ContainerProcesses {
  double count = 0;                             // its cgroup.procs
  std::optional<double> file_descriptors;       // summed over the processes read
  std::optional<double> main_open_files_limit;  // of its main process; -1: unlimited
  std::vector<ProgramUsage> programs;
};

// A mounted file system's space as the container sees it (statvfs through its root in /proc).
struct VolumeUsage {
  ContainerMount mount;
  double size_bytes = 0, free_bytes = 0, avail_bytes = 0;
  double files = 0, files_free = 0;
};

// One selected container: what the list said, and what inspect and its usage answered.
struct ContainerReading {
  ContainerSummary summary;
  std::optional<ContainerInspect> inspect;
  std::optional<ContainerStats> stats;  // running and paused containers only
  bool stats_from_cgroup = false;       // read from its cgroup files, not the engine's stats
  // OOM kills the kernel's log names the container's memory cgroup in; unset without the log.
  std::optional<double> oom_events = std::nullopt;
  std::optional<ContainerProcesses> processes = std::nullopt;
  std::vector<VolumeUsage> volumes = {};
};

struct Snapshot {
  VersionInfo version;
  std::string api_version;  // negotiated; "" when the engine's own is used
  EngineInfo info;
  std::vector<ContainerReading> containers;
  size_t skipped = 0;  // selected but left out by max_containers
};

// Only running and paused containers have usage (a stopped one answers zeros).
inline bool HasUsage(const ContainerSummary& summary) {
  return summary.state == "running" || summary.state == "paused";
}

// The container's main process: libpod's list has it; Docker's only its inspect.
inline std::optional<long long> ProcessOf(const ContainerReading& reading) {
  if (reading.summary.pid) return reading.summary.pid;
  return reading.inspect ? reading.inspect->pid : std::nullopt;
}

// Drops the containers marked in `vanished` (removed between the list and a later request).
void RemoveVanished(Snapshot& snapshot, const std::vector<bool>& vanished);

}  // namespace ooe::docker
