// Pure parsers of a container's processes as the host's /proc shows them, and their grouping by
// program (the kernel's process name) into a bounded set of series: cgroup.procs, /proc/PID/stat,
// /proc/PID/limits and /proc/stat's boot time.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/parsed.h"

namespace ooe::docker {

// cgroup.procs: one PID a line.
Parsed<std::vector<long long>> ParseProcessList(std::string_view body);

// /proc/PID/stat: "PID (COMM) STATE PPID ..." (COMM may hold spaces and parentheses: it ends at
// the last ')'). Times in clock ticks since boot, RSS in pages.
struct ProcessStat {
  std::string comm;
  double user_ticks = 0;    // utime, field 14
  double system_ticks = 0;  // stime, field 15
  double start_ticks = 0;   // starttime, field 22
  double rss_pages = 0;     // rss, field 24
};
Parsed<ProcessStat> ParseProcessStat(std::string_view body);

// /proc/PID/limits: the soft limit of "Max open files"; -1 for "unlimited" (as cAdvisor's
// container_ulimits_soft says it).
Parsed<double> ParseOpenFilesSoftLimit(std::string_view body);

// /proc/stat: "btime SECONDS", the boot time in unix seconds.
Parsed<double> ParseBootTime(std::string_view body);

// The kernel's process name as a label value: bytes outside printable ASCII become '_' (a
// process may name itself anything, and the exposition needs UTF-8).
std::string ProgramName(std::string_view comm);

// One process of a container as read this scrape.
struct ProcessSample {
  long long pid = 0;
  ProcessStat stat;
  std::optional<double> file_descriptors;  // entries of /proc/PID/fd; unset when unreadable
  std::optional<double> open_files_limit;  // soft "Max open files"
};

// What one `program` series says.
struct ProgramUsage {
  std::string program;  // a kernel process name, or "other"
  double processes = 0;
  double resident_bytes = 0;
  double cpu_seconds = 0;  // a counter: see ProcessTally
  double newest_start_seconds = 0;
  double file_descriptors = 0;
  // The process with the most open files, and its own soft limit (the limit is per process).
  double busiest_file_descriptors = 0;
  std::optional<double> busiest_open_files_limit;
};

struct HostClock {
  double boot_time_seconds = 0;
  double ticks_per_second = 100;
  double page_bytes = 4096;
};

// The processes of one container across scrapes, grouped into at most `max_programs` series by
// program plus "other". A program keeps its own series while it has processes (so a series never
// moves between labels); free places go to the largest programs by resident memory. CPU seconds
// are counted per series as the growth of each process's CPU time since the previous scrape (all
// of it for a process new since then), so a series' counter never falls, whatever processes end
// or move into "other" (what a process used between the last scrape and its end is not counted).
class ProcessTally {
 public:
  static constexpr std::string_view kOther = "other";

  std::vector<ProgramUsage> Update(const std::vector<ProcessSample>& processes,
                                   const HostClock& clock, size_t max_programs);

 private:
  struct Seen {
    double start_ticks = 0;
    double cpu_ticks = 0;
  };
  std::map<long long, Seen> seen_;  // by pid, from the previous scrape
  std::set<std::string, std::less<>> own_series_;
  std::map<std::string, double, std::less<>> cpu_seconds_;  // by series
};

}  // namespace ooe::docker
