// The space of the file systems mounted into running containers (the inspect's Mounts and
// HostConfig.Tmpfs), as the container sees them: statvfs of /proc/PID/root/DESTINATION in the
// engine host's /proc, so a volume is measured wherever its driver keeps it. Needs the host's
// /proc and the privilege to follow another user's root link (root or CAP_SYS_PTRACE).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "collectors/docker/snapshot.h"

namespace ooe::docker {

class VolumeReader {
 public:
  explicit VolumeReader(std::string proc_root) : proc_root_(std::move(proc_root)) {}

  // Fills `volumes` of every running container with an inspect and a known process. Mounts that
  // are not directories (a bound file, the engine's socket), read-only file systems and those
  // that cannot be read (the process ended, no privilege) are left out.
  void Read(Snapshot& snapshot);

 private:
  std::string proc_root_;
  // Whether each mount of a process is a directory, as last seen: what is mounted where stays
  // for the process's life, so only its space is asked for again (one path walk, not two).
  std::map<std::pair<long long, std::string>, bool> is_directory_;  // by pid, destination
};

}  // namespace ooe::docker
