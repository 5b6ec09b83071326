#include "collectors/docker/cgroup_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "collectors/docker/cgroup_parser.h"

namespace ooe::docker {
namespace {

// Kernel files report size 0: they are read until end of file, up to this much (memory.stat is
// about 1.5 KiB, io.stat a line per device).
constexpr size_t kMaxFileBytes = size_t{1} << 20;
// The files a parser cannot do without (cgroup_parser.h): their failure is the reason given.
constexpr size_t kRequiredFiles = 3;

// `path`'s whole content, or false with `why` set to "PATH: reason".
bool ReadKernelFile(const std::string& path, std::string& content, std::string& why) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) {
    why = path + ": " + std::strerror(errno);
    return false;
  }
  content.clear();
  std::array<char, 4096> buffer{};
  while (true) {
    const ssize_t count = ::read(descriptor, buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      why = path + ": " + std::strerror(errno);
      ::close(descriptor);
      return false;
    }
    if (count == 0) break;
    content.append(buffer.data(), static_cast<size_t>(count));
    if (content.size() > kMaxFileBytes) {
      why = path + ": larger than " + std::to_string(kMaxFileBytes) + " bytes";
      ::close(descriptor);
      return false;
    }
  }
  ::close(descriptor);
  return true;
}

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

std::optional<ContainerStats> CgroupReader::Read(const std::string& id, long long pid,
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

  CgroupFiles files;
  std::optional<Parsed<ContainerStats>> parsed;
  if (cgroups->Find("memory") != nullptr) {
    // v1: each controller's own hierarchy, mounted at cgroup_root/CONTROLLERS ("cpu,cpuacct",
    // with "cpu" and "cpuacct" links on Debian) or cgroup_root/CONTROLLER.
    std::map<std::string, std::string, std::less<>> directories;
    for (const std::string controller : {"cpuacct", "cpu", "memory", "pids", "blkio"}) {
      const auto* hierarchy = cgroups->Find(controller);
      if (hierarchy == nullptr) continue;
      const auto own = container_path(hierarchy->path);
      if (!own) return std::nullopt;
      std::string directory = options_.cgroup_root + "/" + hierarchy->controllers + *own;
      if (!std::filesystem::is_directory(directory)) {
        directory = options_.cgroup_root + "/" + controller + *own;
      }
      directories.emplace(controller, std::move(directory));
    }
    auto directory_of = [&](const std::string& file) -> std::optional<std::string> {
      const auto found = directories.find(file.substr(0, file.find('.')));
      if (found == directories.end()) return std::nullopt;
      return found->second;
    };
    if (!ReadFiles(kCgroupV1Files, directory_of, files, why)) return std::nullopt;
    parsed = ParseCgroupV1(files, user_hz_);
  } else if (cgroups->v2) {
    const auto own = container_path(*cgroups->v2);
    if (!own) return std::nullopt;
    const std::string directory = unified_root_ + *own;
    if (!ReadFiles(
            kCgroupV2Files, [&](const std::string&) { return std::optional(directory); }, files,
            why)) {
      return std::nullopt;
    }
    parsed = ParseCgroupV2(files);
  } else {
    why = process + "/cgroup: neither a memory hierarchy nor the unified one";
    return std::nullopt;
  }
  if (!*parsed) {
    why = "cgroup of container " + id.substr(0, 12) + ": " + parsed->error;
    return std::nullopt;
  }
  return std::move(*parsed->value);
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
