#include "collectors/docker/cgroup_reader.h"

#include <unistd.h>

#include <filesystem>

#include "collectors/docker/cgroup_parser.h"
#include "collectors/docker/kernel_file.h"
#include "collectors/docker/process_parser.h"

namespace ooe::docker {
namespace {

// The files a parser cannot do without (cgroup_parser.h): their failure is the reason given.
constexpr size_t kRequiredFiles = 3;

// Reads `names` from the directory `directory_of(name)` into `files`; false with `why` when one
// of the first kRequiredFiles cannot be read.
template <typename DirectoryOf>
bool ReadFiles(const std::vector<std::string_view>& names, DirectoryOf directory_of,
               CgroupFiles& files, std::string& why) {
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name(names[i]);
    const auto directory = directory_of(name);
    std::string content;
    std::string problem;
    if (directory && ReadKernelFile(*directory + "/" + name, content, problem)) {
      files.emplace(name, std::move(content));
      continue;
    }
    if (i < kRequiredFiles) {
      why = directory ? problem : "no cgroup of the process has the controller of " + name;
      return false;
    }
  }
  return true;
}

}  // namespace

CgroupReader::CgroupReader(CgroupOptions options)
    : options_(std::move(options)),
      user_hz_(static_cast<double>(::sysconf(_SC_CLK_TCK))),
      unified_root_(std::filesystem::exists(options_.cgroup_root + "/cgroup.controllers")
                        ? options_.cgroup_root
                        : options_.cgroup_root + "/unified") {}

std::optional<CgroupReader::Location> CgroupReader::Locate(const std::string& id, long long pid,
                                                           std::string& why, bool fresh) const {
  if (!fresh) {
    const std::lock_guard lock(locations_mutex_);
    if (const auto known = locations_.find(id);
        known != locations_.end() && known->second.pid == pid) {
      return known->second.location;
    }
  }
  auto location = LookUp(id, pid, why);
  const std::lock_guard lock(locations_mutex_);
  if (location) {
    locations_[id] = {pid, *location};
  } else {
    locations_.erase(id);
  }
  return location;
}

void CgroupReader::KeepLocations(const std::vector<std::pair<std::string, long long>>& in_use) {
  std::map<std::string, KnownLocation, std::less<>> kept;
  const std::lock_guard lock(locations_mutex_);
  for (const auto& [id, pid] : in_use) {
    if (auto known = locations_.extract(id); known && known.mapped().pid == pid) {
      kept.insert(std::move(known));
    }
  }
  locations_ = std::move(kept);
}

std::optional<CgroupReader::Location> CgroupReader::LookUp(const std::string& id, long long pid,
                                                           std::string& why) const {
  if (pid <= 0) {
    why = "the engine gives no process id";
    return std::nullopt;
  }
  const std::string process = options_.proc_root + "/" + std::to_string(pid);
  std::string body;
  if (!ReadKernelFile(process + "/cgroup", body, why)) return std::nullopt;
  const auto cgroups = ParseProcessCgroups(body);
  if (!cgroups) {
    why = process + "/cgroup: " + cgroups.error;
    return std::nullopt;
  }
  // The container's cgroup within a hierarchy's path, or nullopt with `why` set.
  auto container_path = [&](const std::string& path) {
    auto own = ContainerCgroupPath(path, id);
    if (!own) {
      why = process + "/cgroup: '" + path.substr(0, 200) + "' names no container " +
            id.substr(0, 12) + " (another PID namespace, or the process ended)";
    }
    return own;
  };
  Location location;
  if (cgroups->Find("memory") != nullptr) {
    // v1: each controller's own hierarchy, mounted at cgroup_root/CONTROLLERS ("cpu,cpuacct",
    // with "cpu" and "cpuacct" links on Debian) or cgroup_root/CONTROLLER.
    for (const std::string controller : {"cpuacct", "cpu", "memory", "pids", "blkio"}) {
      const auto* hierarchy = cgroups->Find(controller);
      if (hierarchy == nullptr) continue;
      const auto own = container_path(hierarchy->path);
      if (!own) return std::nullopt;
      std::string directory = options_.cgroup_root + "/" + hierarchy->controllers + *own;
      if (!std::filesystem::is_directory(directory)) {
        directory = options_.cgroup_root + "/" + controller + *own;
      }
      location.directories.emplace(controller, std::move(directory));
    }
    return location;
  }
  if (cgroups->v2) {
    const auto own = container_path(*cgroups->v2);
    if (!own) return std::nullopt;
    location.v2 = true;
    location.directories.emplace("", unified_root_ + *own);
    return location;
  }
  why = process + "/cgroup: neither a memory hierarchy nor the unified one";
  return std::nullopt;
}

std::optional<ContainerStats> CgroupReader::Read(const std::string& id, long long pid,
                                                 std::string& why) const {
  // A kept location whose files cannot be read (the container stopped, its cgroup removed) is
  // looked up again, so `why` says what /proc says now.
  for (const bool fresh : {false, true}) {
    const auto location = Locate(id, pid, why, fresh);
    if (!location) return std::nullopt;
    if (auto stats = ReadAt(*location, id, why)) return stats;
  }
  return std::nullopt;
}

std::optional<ContainerStats> CgroupReader::ReadAt(const Location& location, const std::string& id,
                                                   std::string& why) const {
  CgroupFiles files;
  std::optional<Parsed<ContainerStats>> parsed;
  if (!location.v2) {
    auto directory_of = [&](const std::string& file) -> std::optional<std::string> {
      const auto found = location.directories.find(file.substr(0, file.find('.')));
      if (found == location.directories.end()) return std::nullopt;
      return found->second;
    };
    if (!ReadFiles(kCgroupV1Files, directory_of, files, why)) return std::nullopt;
    parsed = ParseCgroupV1(files, user_hz_);
  } else {
    const std::string& directory = location.directories.begin()->second;
    if (!ReadFiles(
            kCgroupV2Files, [&](const std::string&) { return std::optional(directory); }, files,
            why)) {
      return std::nullopt;
    }
    parsed = ParseCgroupV2(files);
  }
  if (!*parsed) {
    why = "cgroup of container " + id.substr(0, 12) + ": " + parsed->error;
    return std::nullopt;
  }
  return std::move(*parsed->value);
}

std::optional<std::string> CgroupReader::ProcessListPath(const std::string& id, long long pid,
                                                         std::string& why) const {
  // Looked up each time: the caller keeps the path it found (process_reader.h).
  const auto location = LookUp(id, pid, why);
  if (!location) return std::nullopt;
  // v1: the memory hierarchy's (the one every engine sets up), else the pids one.
  auto found = location->directories.find(location->v2 ? "" : "memory");
  if (found == location->directories.end()) found = location->directories.find("pids");
  if (found == location->directories.end()) {
    why = "no memory or pids cgroup of container " + id.substr(0, 12);
    return std::nullopt;
  }
  return found->second + "/cgroup.procs";
}

std::optional<std::vector<long long>> CgroupReader::ReadProcessList(const std::string& path,
                                                                    std::string& why) {
  std::string body;
  if (!ReadKernelFile(path, body, why)) return std::nullopt;
  auto pids = ParseProcessList(body);
  if (!pids) {
    why = path + ": " + pids.error;
    return std::nullopt;
  }
  return std::move(*pids.value);
}

std::vector<NetworkInterfaceStats> CgroupReader::ReadNetworks(long long pid) const {
  std::string body;
  std::string why;
  if (pid <= 0 ||
      !ReadKernelFile(options_.proc_root + "/" + std::to_string(pid) + "/net/dev", body, why)) {
    return {};
  }
  auto networks = ParseNetDev(body);
  return networks ? std::move(*networks.value) : std::vector<NetworkInterfaceStats>();
}

}  // namespace ooe::docker
