#include "collectors/docker/volume_reader.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <map>
#include <utility>

namespace ooe::docker {

void VolumeReader::Read(Snapshot& snapshot) {
  std::map<std::pair<long long, std::string>, bool> seen;
  for (auto& reading : snapshot.containers) {
    if (!reading.inspect || reading.inspect->mounts.empty() || !HasUsage(reading.summary)) continue;
    const auto pid = ProcessOf(reading);
    if (!pid || *pid <= 0) continue;
    const std::string root = proc_root_ + "/" + std::to_string(*pid) + "/root";
    for (const auto& mount : reading.inspect->mounts) {
      const std::string path = root + mount.destination;
      auto key = std::pair(*pid, mount.destination);
      const auto known = is_directory_.find(key);
      bool directory = false;
      if (known != is_directory_.end()) {
        directory = known->second;
      } else {
        struct stat status {};
        // Unreadable (the process ended, no privilege): not remembered, asked again next time.
        if (::stat(path.c_str(), &status) != 0) continue;
        directory = S_ISDIR(status.st_mode);
      }
      seen.emplace(std::move(key), directory);
      if (!directory) continue;
      struct statvfs space {};
      // A read-only file system cannot fill up, and a full one (squashfs) would alert for ever.
      if (::statvfs(path.c_str(), &space) != 0 || (space.f_flag & ST_RDONLY) != 0) continue;
      const auto block = static_cast<double>(space.f_frsize);
      reading.volumes.push_back(
          {mount, static_cast<double>(space.f_blocks) * block,
           static_cast<double>(space.f_bfree) * block, static_cast<double>(space.f_bavail) * block,
           static_cast<double>(space.f_files), static_cast<double>(space.f_ffree)});
    }
  }
  is_directory_ = std::move(seen);
}

}  // namespace ooe::docker
