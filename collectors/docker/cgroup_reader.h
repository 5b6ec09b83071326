// Reads a container's usage from its cgroup files and /proc, as cAdvisor does, when the
// exporter sees the engine host's /proc and /sys/fs/cgroup (on the host, or with them mounted
// and `pid: host`). What the files say is parsed by cgroup_parser.h.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "collectors/docker/parser.h"

namespace ooe::docker {

struct CgroupOptions {
  std::string proc_root = "/proc";             // the engine host's /proc
  std::string cgroup_root = "/sys/fs/cgroup";  // the engine host's cgroup file systems
};

class CgroupReader {
 public:
  explicit CgroupReader(CgroupOptions options);

  // The usage of container `id` (the full id) whose main process is `pid` in proc_root's PID
  // namespace, or nullopt with `why` set to one line naming the file when the files cannot be
  // read or are not the container's (the process is in no cgroup naming the id: another PID
  // namespace, or a PID reused since the engine answered). Networks are not read here.
  std::optional<ContainerStats> Read(const std::string& id, long long pid, std::string& why) const;

  // Every interface but loopback in the network namespace of `pid` (/proc/PID/net/dev, readable
  // without privileges); empty when it cannot be read. Only for a container with a namespace of
  // its own: under --network host it would be the host's interfaces.
  std::vector<NetworkInterfaceStats> ReadNetworks(long long pid) const;

  // The container's cgroup.procs file (PIDs of proc_root's namespace), or nullopt with `why`
  // set as Read does; ReadProcessList reads one.
  std::optional<std::string> ProcessListPath(const std::string& id, long long pid,
                                             std::string& why) const;
  static std::optional<std::vector<long long>> ReadProcessList(const std::string& path,
                                                               std::string& why);

  // Forgets where the cgroups of containers not in `in_use` (id, pid) are.
  void KeepLocations(const std::vector<std::pair<std::string, long long>>& in_use);

  const CgroupOptions& Options() const { return options_; }

 private:
  // Where the container's cgroup files are: by v1 controller ("memory", "cpuacct" ...), or the
  // one unified directory (v2) under the key "".
  struct Location {
    bool v2 = false;
    std::map<std::string, std::string, std::less<>> directories;
  };
  // Where the cgroups of container `id` are, through `pid`: kept from an earlier call for the
  // same process unless `fresh` (a process stays in its container's cgroups for its life, so
  // /proc/PID/cgroup and the directories are looked up once, not every scrape).
  std::optional<Location> Locate(const std::string& id, long long pid, std::string& why,
                                 bool fresh = false) const;
  std::optional<ContainerStats> ReadAt(const Location& location, const std::string& id,
                                       std::string& why) const;
  std::optional<Location> LookUp(const std::string& id, long long pid, std::string& why) const;

  CgroupOptions options_;
  double user_hz_;
  // Where the unified (v2) hierarchy is mounted: cgroup_root itself on a v2-only host, its
  // unified/ on a hybrid one; fixed for the host, so looked up once.
  std::string unified_root_;
  struct KnownLocation {
    long long pid = 0;
    Location location;
  };
  // By container id. The early reads' thread and the scrape's use it in turn, never at once,
  // yet it is guarded.
  mutable std::mutex locations_mutex_;
  mutable std::map<std::string, KnownLocation, std::less<>> locations_;
};

}  // namespace ooe::docker
