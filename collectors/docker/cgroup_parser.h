// Pure parsers of a container's kernel files, as cAdvisor reads them: /proc/PID/cgroup, the
// cgroup v1 and v2 controller files and /proc/PID/net/dev. Read directly, they give what the
// engine's stats endpoint gives without the engine (Docker's stats wait for its 1-second tick;
// Podman re-reads these same files for its report).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/parsed.h"
#include "collectors/docker/parser.h"

namespace ooe::docker {

// /proc/PID/cgroup: "ID:CONTROLLERS:PATH" per line.
struct ProcessCgroups {
  struct Hierarchy {
    std::string controllers;  // as listed: "cpu,cpuacct", "memory", "name=systemd"
    std::string path;
  };
  std::vector<Hierarchy> v1;      // lines with controllers
  std::optional<std::string> v2;  // the "0::PATH" line: the unified hierarchy
  // The v1 hierarchy that has `controller` ("cpuacct" matches "cpu,cpuacct"); null when none.
  const Hierarchy* Find(std::string_view controller) const;
};
Parsed<ProcessCgroups> ParseProcessCgroups(std::string_view body);

// The container's own cgroup within `path`: cut after the last component that names the full
// container `id` ("/libpod_parent/libpod-ID", "/system.slice/docker-ID.scope/container" ->
// ".../docker-ID.scope"). nullopt when no component names it (the process is not the
// container's: another PID namespace, or a PID reused) or the path leaves the reader's cgroup
// namespace ("/../..").
std::optional<std::string> ContainerCgroupPath(std::string_view path, std::string_view id);

// A container's cgroup files by name ("cpuacct.usage", "memory.stat" ...); a file that could
// not be read is absent.
using CgroupFiles = std::map<std::string, std::string, std::less<>>;

// The files each version needs (the first ones) and uses when present.
extern const std::vector<std::string_view> kCgroupV1Files;  // with the controller's directory
extern const std::vector<std::string_view> kCgroupV2Files;

// cgroup v1: cpuacct.usage, cpuacct.stat (in `user_hz` ticks), cpu.stat, memory.usage_in_bytes,
// memory.limit_in_bytes, memory.max_usage_in_bytes, memory.failcnt, memory.stat (total_*),
// pids.current, pids.max and blkio.throttle.io_service_bytes_recursive, into the fields the
// stats endpoint fills from them. Fails when cpuacct.usage, memory.usage_in_bytes or
// memory.stat is missing or garbled: without them CPU or the working set would be wrong.
Parsed<ContainerStats> ParseCgroupV1(const CgroupFiles& files, double user_hz);

// cgroup v2: cpu.stat (usage_usec, user_usec, system_usec, nr_periods, nr_throttled,
// throttled_usec), memory.current, memory.max, memory.stat (anon, file, inactive_file,
// file_mapped), pids.current, pids.max and io.stat (rbytes, wbytes). Fails without cpu.stat's
// usage_usec, memory.current or memory.stat's inactive_file.
Parsed<ContainerStats> ParseCgroupV2(const CgroupFiles& files);

// /proc/PID/net/dev: every interface of the process's network namespace but loopback (as the
// engines report a container's networks).
Parsed<std::vector<NetworkInterfaceStats>> ParseNetDev(std::string_view body);

}  // namespace ooe::docker
