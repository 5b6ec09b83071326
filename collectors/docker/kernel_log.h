// The kernel's log as /dev/kmsg gives it, for the one thing the docker kind reads there: OOM
// kills, and the container whose memory cgroup each victim was in. It is where cAdvisor's
// container_oom_events_total comes from too (its oomparser): the only source that sees a
// child's kill and PID 1's alike, under every engine, and keeps them when the engine restarts
// the container (docs/metrics.md weighs it against the cgroup counter and the engine's events).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/parsed.h"

namespace ooe::docker {

// One /dev/kmsg record: "PRIORITY,SEQUENCE,MICROSECONDS,FLAGS[,...];MESSAGE\n", then optional
// continuation lines (" KEY=VALUE") that are not part of the message.
struct KernelRecord {
  uint64_t sequence = 0;
  std::string_view message;  // into the parsed text: the first line after ';'
};
Parsed<KernelRecord> ParseKernelRecord(std::string_view record);

// The victim of an OOM kill, from the kernel's "oom-kill:" line (kernel >= 4.19:
// "...,oom_memcg=PATH,task_memcg=PATH,task=NAME,pid=N,uid=N") or the older "Task in PATH killed
// as a result of limit of PATH". nullopt for every other message.
struct OomKill {
  std::string task_memcg;  // the victim's memory cgroup
  std::string task;        // its process name; empty in the old format
};
std::optional<OomKill> ParseOomKill(std::string_view message);

// The container id a memory cgroup path names: the 64 hex digits of its last component that has
// them ("/docker/ID", "/libpod_parent/libpod-ID", "/system.slice/docker-ID.scope",
// "/kubepods/burstable/podUID/ID"); empty when none does (the host's own processes).
std::string ContainerIdOfCgroup(std::string_view path);

// OOM kills counted per container id from the records read so far. Pure: the reader feeds it.
class OomTally {
 public:
  // Counts `record` once: a record whose sequence is not past the last one counted is skipped.
  void Add(const KernelRecord& record);
  // Kills counted for the container with this full id (0 when none).
  double Kills(std::string_view id) const;
  // Forgets the containers `keep` says no: a removed container's id never comes back.
  template <typename Keep>
  void Prune(Keep keep) {
    std::erase_if(kills_, [&](const auto& entry) { return !keep(entry.first); });
  }
  size_t Containers() const { return kills_.size(); }

 private:
  std::optional<uint64_t> last_sequence_;
  std::map<std::string, double, std::less<>> kills_;
};

}  // namespace ooe::docker
