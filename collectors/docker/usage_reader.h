// Where running containers' usage comes from: their cgroup files first (as cAdvisor reads them,
// no engine round trip and no 1-second stats tick), the engine's stats for those whose files
// cannot be read. The engine's part is the source's to ask for (one stats request per container
// on the compatible API, one report on libpod); which containers need it is decided here.
#pragma once

#include <future>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/docker/cgroup_reader.h"
#include "collectors/docker/snapshot.h"

namespace ooe::docker {

// Usage read from cgroup files ahead of the engine's list: by container id, with the process it
// was read through.
using EarlyCgroupReads = std::map<std::string, std::pair<long long, ContainerStats>, std::less<>>;

class UsageReader {
 public:
  // Without `cgroups`, every container's usage comes from the engine. `host` names the engine in
  // the log line that says when the source changes.
  UsageReader(std::optional<CgroupOptions> cgroups, std::string host);

  // Reads the cgroup files of the previous scrape's containers on another thread, while the
  // caller waits for the engine's replies; an invalid future when there is nothing to read.
  std::future<EarlyCgroupReads> StartEarlyReads() const;

  // Fills the usage of every listed container that has usage (running or paused) from its
  // cgroup files, using `early` where the engine names the same process. Returns the indexes of
  // those still without usage: all of them without cgroups, else those whose files could not be
  // read (a container without inspect has no known process, so it is one of them).
  std::vector<size_t> ReadCgroups(Snapshot& snapshot, std::future<EarlyCgroupReads>& early);

  // The networks of containers whose usage came from their cgroup files, once their inspect
  // (which says whether the network namespace is their own) is known.
  void ReadNetworks(Snapshot& snapshot) const;

  // Whether the engine's stats should be asked for with the first requests of the next scrape:
  // without cgroups, or when some container's files could not be read in this one.
  bool EngineStatsExpected() const { return !reader_ || failures_.value_or(0) > 0; }

 private:
  void LogSourceChange(size_t failures, const std::string& first_why) const;

  std::optional<CgroupReader> reader_;
  std::string host_;
  std::optional<size_t> failures_;  // in the last scrape; unset before the first
  std::vector<std::pair<std::string, long long>> processes_;  // id, pid read last scrape
};

}  // namespace ooe::docker
