// The processes of running containers, read through the host's /proc (cgroup.procs of the
// container's cgroup, then each process's stat and fd directory, and the limits of each
// program's busiest process) and grouped by program (process_parser.h). Needs what usage from
// the cgroup files needs (the host's /proc and /sys/fs/cgroup), and to see other users'
// /proc/PID/fd, root or CAP_SYS_PTRACE.
#pragma once

#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/deadline.h"
#include "collectors/docker/cgroup_reader.h"
#include "collectors/docker/process_parser.h"
#include "collectors/docker/snapshot.h"

namespace ooe::docker {

// What /proc says of one container's processes, before they are grouped.
struct ProcessReading {
  long long main_pid = 0;
  std::string process_list;  // the cgroup.procs it was read from
  double count = 0;
  std::vector<ProcessSample> samples;
};

// Process readings taken ahead of the engine's list: by container id.
using EarlyProcessReads = std::map<std::string, ProcessReading, std::less<>>;

class ProcessReader {
 public:
  // A fork bomb must not make a scrape read /proc for ever: past `kMaxProcessesRead` a
  // container's processes are counted but not read.
  static constexpr size_t kMaxProcessesRead = 2000;
  // A process's open-files limit is set when it starts and seldom changed after (prlimit), so
  // /proc/PID/limits, the costliest file read here, is read again only after this long.
  static constexpr auto kLimitMaxAge = std::chrono::seconds(60);

  ProcessReader(CgroupOptions options, size_t max_programs);

  // Reads the processes of the previous scrape's containers on another thread, while the engine
  // is asked; an invalid future when there is nothing to read.
  std::future<EarlyProcessReads> StartEarlyReads() const;

  // Fills `processes` of every container whose usage came from its cgroup files, from `early`
  // where the engine names the same main process, else read now; forgets the containers no
  // longer running.
  void Read(Snapshot& snapshot, std::future<EarlyProcessReads>& early);

 private:
  // `process_list`: the container's cgroup.procs as found last scrape (empty: look it up).
  std::optional<ProcessReading> ReadProcesses(const std::string& id, long long pid,
                                              const std::string& process_list) const;

  // The soft open-files limit of `pid` started at `start_ticks`: read again when not known for
  // that process or older than kLimitMaxAge; nullopt when it cannot be read.
  std::optional<double> OpenFilesLimit(long long pid, double start_ticks) const;

  struct KnownLimit {
    double start_ticks = 0;  // a reused PID is another process
    double limit = 0;
    Clock::time_point read_at;
  };

  struct Previous {
    std::string id;
    long long pid = 0;
    std::string process_list;
  };

  CgroupReader cgroups_;
  size_t max_programs_;
  HostClock clock_;
  bool clock_known_ = false;
  std::map<std::string, ProcessTally, std::less<>> tallies_;  // by container id
  std::vector<Previous> previous_;                            // the containers read last scrape
  // By pid; written by the early reads' thread and this one, never at once, yet guarded.
  mutable std::mutex limits_mutex_;
  mutable std::map<long long, KnownLimit> limits_;
};

}  // namespace ooe::docker
