#include "collectors/docker/usage_reader.h"

#include "base/log.h"

namespace ooe::docker {

UsageReader::UsageReader(std::optional<CgroupOptions> cgroups, std::string host)
    : host_(std::move(host)) {
  if (cgroups) reader_.emplace(std::move(*cgroups));
}

std::future<EarlyCgroupReads> UsageReader::StartEarlyReads() const {
  if (!reader_ || processes_.empty()) return {};
  return std::async(std::launch::async, [reader = &*reader_, processes = processes_] {
    EarlyCgroupReads early;
    std::string why;
    for (const auto& [id, pid] : processes) {
      if (auto stats = reader->Read(id, pid, why)) {
        early.emplace(id, std::pair{pid, std::move(*stats)});
      }
    }
    return early;
  });
}

std::vector<size_t> UsageReader::ReadCgroups(Snapshot& snapshot,
                                             std::future<EarlyCgroupReads>& early_reads) {
  EarlyCgroupReads early = early_reads.valid() ? early_reads.get() : EarlyCgroupReads();
  std::vector<size_t> without_usage;
  size_t failures = 0;
  std::string first_why;
  processes_.clear();
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    auto& reading = snapshot.containers[i];
    if (!HasUsage(reading.summary)) continue;
    if (!reader_) {
      without_usage.push_back(i);
      continue;
    }
    const auto pid = ProcessOf(reading);
    std::string why;
    std::optional<ContainerStats> stats;
    // Read through the same process the engine names now: the same container, still running.
    if (const auto found = early.find(reading.summary.id);
        found != early.end() && pid == found->second.first) {
      stats = std::move(found->second.second);
    } else {
      stats = reader_->Read(reading.summary.id, pid.value_or(0), why);
    }
    if (stats) {
      processes_.emplace_back(reading.summary.id, *pid);
      reading.stats = std::move(*stats);
      reading.stats_from_cgroup = true;
      continue;
    }
    if (failures++ == 0) first_why = std::move(why);
    without_usage.push_back(i);
  }
  if (reader_) reader_->KeepLocations(processes_);
  if (reader_ && (!failures_ || (failures > 0) != (*failures_ > 0))) {
    LogSourceChange(failures, first_why);
  }
  failures_ = failures;
  return without_usage;
}

void UsageReader::LogSourceChange(size_t failures, const std::string& first_why) const {
  // Logged when it changes, not every scrape: an exporter in a container without the host's
  // /proc (or PID namespace) falls back for good, which is worth one line, not one a scrape.
  if (failures > 0) {
    Log(LogLevel::kInfo, "docker: usage from the engine's stats: cannot read cgroup files",
        {{"host", host_}, {"containers", std::to_string(failures)}, {"first", first_why}});
  } else {
    Log(LogLevel::kInfo, "docker: usage from cgroup files",
        {{"host", host_},
         {"proc_root", reader_->Options().proc_root},
         {"cgroup_root", reader_->Options().cgroup_root}});
  }
}

void UsageReader::ReadNetworks(Snapshot& snapshot) const {
  if (!reader_) return;
  for (auto& reading : snapshot.containers) {
    if (!reading.stats_from_cgroup || !reading.stats || !reading.inspect) continue;
    // As the engines report them: none of its own under --network host or container:ID.
    const std::string& mode = reading.inspect->network_mode;
    if (mode == "host" || mode.starts_with("container:")) continue;
    reading.stats->networks = reader_->ReadNetworks(ProcessOf(reading).value_or(0));
  }
}

}  // namespace ooe::docker
