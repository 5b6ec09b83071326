#include "collectors/docker/process_reader.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "collectors/docker/kernel_file.h"

namespace ooe::docker {
namespace {

// Since Linux 6.2 a stat of /proc/PID/fd gives its number of entries as the size, one call
// instead of listing them (open, fstat, two getdents, close); older kernels say 0 there, which our
// own /proc/self/fd (never empty) shows.
bool KernelCountsDescriptors() {
  static const bool kCounts = [] {
    struct stat status {};
    return ::stat("/proc/self/fd", &status) == 0 && status.st_size > 0;
  }();
  return kCounts;
}

// Entries of /proc/PID/fd, or nullopt when they cannot be counted (another user's without the
// privilege to, or the process ended).
std::optional<double> CountDescriptors(const std::string& directory) {
  if (KernelCountsDescriptors()) {
    struct stat status {};
    if (::stat(directory.c_str(), &status) != 0) return std::nullopt;
    return static_cast<double>(status.st_size);
  }
  DIR* listing = ::opendir(directory.c_str());
  if (listing == nullptr) return std::nullopt;
  double count = 0;
  while (const dirent* entry = ::readdir(listing)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(listing);
  return count;
}

}  // namespace

ProcessReader::ProcessReader(CgroupOptions options, size_t max_programs)
    : cgroups_(std::move(options)), max_programs_(max_programs) {
  clock_.ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  clock_.page_bytes = static_cast<double>(::sysconf(_SC_PAGESIZE));
}

std::future<EarlyProcessReads> ProcessReader::StartEarlyReads() const {
  if (previous_.empty()) return {};
  return std::async(std::launch::async, [this, containers = previous_] {
    EarlyProcessReads early;
    for (const auto& container : containers) {
      if (auto reading = ReadProcesses(container.id, container.pid, container.process_list)) {
        early.emplace(container.id, std::move(*reading));
      }
    }
    return early;
  });
}

void ProcessReader::Read(Snapshot& snapshot, std::future<EarlyProcessReads>& early_reads) {
  EarlyProcessReads early = early_reads.valid() ? early_reads.get() : EarlyProcessReads();
  if (!clock_known_) {
    std::string body;
    std::string why;
    if (!ReadKernelFile(cgroups_.Options().proc_root + "/stat", body, why)) return;
    const auto boot = ParseBootTime(body);
    if (!boot) return;
    clock_.boot_time_seconds = *boot;
    clock_known_ = true;
  }
  std::set<std::string, std::less<>> read;
  // Where each container's cgroup.procs was, for the main process seen last scrape.
  std::map<std::string, Previous, std::less<>> known;
  for (auto& previous : previous_) known.emplace(previous.id, std::move(previous));
  previous_.clear();
  for (auto& reading : snapshot.containers) {
    if (!reading.stats_from_cgroup) continue;
    const auto pid = ProcessOf(reading);
    if (!pid) continue;
    std::optional<ProcessReading> processes;
    // Read through the same process the engine names now: the same container, still running.
    if (const auto found = early.find(reading.summary.id);
        found != early.end() && found->second.main_pid == *pid) {
      processes = std::move(found->second);
    } else {
      const auto found_list = known.find(reading.summary.id);
      processes = ReadProcesses(reading.summary.id, *pid,
                                found_list != known.end() && found_list->second.pid == *pid
                                    ? found_list->second.process_list
                                    : std::string());
    }
    if (!processes) continue;
    ContainerProcesses result;
    result.count = processes->count;
    double descriptors = 0;
    bool descriptors_known = false;
    for (const auto& sample : processes->samples) {
      if (sample.file_descriptors) {
        descriptors += *sample.file_descriptors;
        descriptors_known = true;
      }
      if (sample.pid == *pid) result.main_open_files_limit = sample.open_files_limit;
    }
    if (descriptors_known) result.file_descriptors = descriptors;
    result.programs =
        tallies_[reading.summary.id].Update(processes->samples, clock_, max_programs_);
    reading.processes = std::move(result);
    read.insert(reading.summary.id);
    previous_.push_back({reading.summary.id, *pid, processes->process_list});
  }
  std::erase_if(tallies_, [&](const auto& entry) { return !read.contains(entry.first); });
  // Ended processes' limits go once they would be read again anyway.
  const auto now = Clock::now();
  const std::lock_guard lock(limits_mutex_);
  std::erase_if(limits_,
                [&](const auto& entry) { return now - entry.second.read_at >= kLimitMaxAge; });
}

std::optional<ProcessReading> ProcessReader::ReadProcesses(const std::string& id, long long pid,
                                                           const std::string& process_list) const {
  std::string why;
  ProcessReading reading;
  reading.main_pid = pid;
  // The list found last scrape for this same main process, while it can still be read (the
  // container's cgroup is removed when its main process ends); else looked up again.
  std::optional<std::vector<long long>> pids;
  if (!process_list.empty()) {
    pids = CgroupReader::ReadProcessList(process_list, why);
    if (pids) reading.process_list = process_list;
  }
  if (!pids) {
    const auto path = cgroups_.ProcessListPath(id, pid, why);
    if (!path) return std::nullopt;
    pids = CgroupReader::ReadProcessList(*path, why);
    if (!pids) return std::nullopt;
    reading.process_list = *path;
  }
  reading.count = static_cast<double>(pids->size());
  // The process with the most open files of each program, and the main one: only their limits
  // are read (the limit holds per process, and only the busiest can be near it).
  std::map<std::string, size_t, std::less<>> busiest;
  std::optional<size_t> main;
  std::string body;
  for (const long long member : *pids) {
    if (reading.samples.size() >= kMaxProcessesRead) break;
    const std::string directory = cgroups_.Options().proc_root + "/" + std::to_string(member);
    // A process that ended since cgroup.procs was read is simply left out.
    if (!ReadKernelFile(directory + "/stat", body, why)) continue;
    auto stat = ParseProcessStat(body);
    if (!stat) continue;
    reading.samples.push_back(
        {member, std::move(*stat.value), CountDescriptors(directory + "/fd"), std::nullopt});
    const size_t index = reading.samples.size() - 1;
    const auto& sample = reading.samples[index];
    if (member == pid) main = index;
    if (!sample.file_descriptors) continue;
    auto [at, inserted] = busiest.try_emplace(ProgramName(sample.stat.comm), index);
    if (!inserted && *sample.file_descriptors > *reading.samples[at->second].file_descriptors) {
      at->second = index;
    }
  }
  std::set<size_t> limited;
  for (const auto& [program, index] : busiest) limited.insert(index);
  if (main) limited.insert(*main);
  for (const size_t index : limited) {
    auto& sample = reading.samples[index];
    sample.open_files_limit = OpenFilesLimit(sample.pid, sample.stat.start_ticks);
  }
  return reading;
}

std::optional<double> ProcessReader::OpenFilesLimit(long long pid, double start_ticks) const {
  const auto now = Clock::now();
  {
    const std::lock_guard lock(limits_mutex_);
    const auto known = limits_.find(pid);
    if (known != limits_.end() && known->second.start_ticks == start_ticks &&
        now - known->second.read_at < kLimitMaxAge) {
      return known->second.limit;
    }
  }
  std::string body;
  std::string why;
  if (!ReadKernelFile(cgroups_.Options().proc_root + "/" + std::to_string(pid) + "/limits", body,
                      why)) {
    return std::nullopt;
  }
  const auto limit = ParseOpenFilesSoftLimit(body);
  if (!limit) return std::nullopt;
  const std::lock_guard lock(limits_mutex_);
  limits_[pid] = {start_ticks, *limit.value, now};
  return *limit.value;
}

}  // namespace ooe::docker
