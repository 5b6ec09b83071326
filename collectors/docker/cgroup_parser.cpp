#include "collectors/docker/cgroup_parser.h"

#include <algorithm>
#include <limits>

#include "base/text_number.h"

namespace ooe::docker {
namespace {

constexpr double kNanosecondsPerMicrosecond = 1e3;
constexpr double kNanosecondsPerSecond = 1e9;

// Calls `visit(line)` for each line of `text`, the last one without its '\n' too.
template <typename Visit>
void ForEachLine(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const auto newline = text.find('\n');
    visit(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
}

// The whitespace-separated words of `line`.
std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t position = 0;
  while (position < line.size()) {
    const auto begin = line.find_first_not_of(" \t", position);
    if (begin == std::string_view::npos) break;
    const auto end = std::min(line.find_first_of(" \t", begin), line.size());
    words.push_back(line.substr(begin, end - begin));
    position = end;
  }
  return words;
}

// "key value" lines (cpu.stat, memory.stat, cpuacct.stat); lines of any other shape are skipped.
std::map<std::string_view, double, std::less<>> KeyedValues(std::string_view text) {
  std::map<std::string_view, double, std::less<>> values;
  ForEachLine(text, [&](std::string_view line) {
    const auto words = Words(line);
    if (words.size() != 2) return;
    if (const auto value = TextNumber(words[1])) values.emplace(words[0], *value);
  });
  return values;
}

std::optional<double> Lookup(const std::map<std::string_view, double, std::less<>>& values,
                             std::string_view key, double scale = 1) {
  const auto found = values.find(key);
  if (found == values.end()) return std::nullopt;
  return found->second * scale;
}

const std::string* FileOf(const CgroupFiles& files, std::string_view name) {
  const auto found = files.find(name);
  return found == files.end() ? nullptr : &found->second;
}

// A file holding one number ("806912\n"); "max" (no limit) gives `unlimited`.
std::optional<double> SingleValue(const CgroupFiles& files, std::string_view name,
                                  std::optional<double> unlimited = std::nullopt) {
  const auto* text = FileOf(files, name);
  if (text == nullptr) return std::nullopt;
  std::string_view value = *text;
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  if (value == "max") return unlimited;
  return TextNumber(value);
}

BlockDeviceStats& Device(std::vector<BlockDeviceStats>& devices, std::string_view device) {
  const auto found =
      std::find_if(devices.begin(), devices.end(),
                   [&](const BlockDeviceStats& known) { return known.device == device; });
  if (found != devices.end()) return *found;
  return devices.emplace_back(BlockDeviceStats{std::string(device), 0, 0});
}

// "MAJOR:MINOR" with both numbers present.
bool IsDevice(std::string_view text) {
  const auto colon = text.find(':');
  return colon != std::string_view::npos && colon > 0 && colon + 1 < text.size() &&
         TextNumber(text.substr(0, colon)) && TextNumber(text.substr(colon + 1));
}

// memory.stat's keys for the breakdown: v1 its hierarchical total_* ones, v2 the flat ones.
struct MemoryStatKeys {
  std::string_view inactive_file, cache, rss, mapped_file;
};

// The breakdown from memory.stat into `stats`; false when it lacks inactive_file, without which
// the working set would silently be the whole usage.
bool ReadMemoryStat(const CgroupFiles& files, const MemoryStatKeys& keys, ContainerStats& stats) {
  const auto* text = FileOf(files, "memory.stat");
  const auto memory = KeyedValues(text ? *text : std::string_view());
  stats.inactive_file = Lookup(memory, keys.inactive_file);
  stats.cache = Lookup(memory, keys.cache);
  stats.rss = Lookup(memory, keys.rss);
  stats.mapped_file = Lookup(memory, keys.mapped_file);
  return stats.inactive_file.has_value();
}

// A limit for change detection; "max" is none.
constexpr double kUnlimited = std::numeric_limits<double>::infinity();

}  // namespace

const ProcessCgroups::Hierarchy* ProcessCgroups::Find(std::string_view controller) const {
  for (const auto& hierarchy : v1) {
    std::string_view list = hierarchy.controllers;
    while (!list.empty()) {
      const auto comma = list.find(',');
      if (list.substr(0, comma) == controller) return &hierarchy;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return nullptr;
}

Parsed<ProcessCgroups> ParseProcessCgroups(std::string_view body) {
  using Result = Parsed<ProcessCgroups>;
  ProcessCgroups cgroups;
  std::string problem;
  ForEachLine(body, [&](std::string_view line) {
    if (line.empty() || !problem.empty()) return;
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos || !TextNumber(line.substr(0, first))) {
      problem = "line '" + std::string(line.substr(0, 100)) + "' is not ID:CONTROLLERS:PATH";
      return;
    }
    const auto controllers = line.substr(first + 1, second - first - 1);
    const auto path = line.substr(second + 1);
    if (path.empty() || path.front() != '/') {
      problem = "line '" + std::string(line.substr(0, 100)) + "' has no absolute path";
      return;
    }
    if (controllers.empty()) {
      cgroups.v2 = std::string(path);
    } else {
      cgroups.v1.push_back({std::string(controllers), std::string(path)});
    }
  });
  if (!problem.empty()) return Result::Failure(problem);
  if (cgroups.v1.empty() && !cgroups.v2) return Result::Failure("no cgroup listed");
  return Success(std::move(cgroups));
}

std::optional<std::string> ContainerCgroupPath(std::string_view path, std::string_view id) {
  if (id.empty()) return std::nullopt;
  size_t end = std::string_view::npos;
  size_t begin = 0;
  while (begin < path.size()) {
    auto next = path.find('/', begin);
    if (next == std::string_view::npos) next = path.size();
    const auto component = path.substr(begin, next - begin);
    if (component == "..") return std::nullopt;
    if (component.find(id) != std::string_view::npos) end = next;
    begin = next + 1;
  }
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(path.substr(0, end));
}

const std::vector<std::string_view> kCgroupV1Files = {"cpuacct.usage",
                                                      "memory.usage_in_bytes",
                                                      "memory.stat",
                                                      "cpuacct.stat",
                                                      "cpu.stat",
                                                      "memory.limit_in_bytes",
                                                      "memory.failcnt",
                                                      "memory.max_usage_in_bytes",
                                                      "pids.current",
                                                      "pids.max",
                                                      "blkio.throttle.io_service_bytes_recursive"};

const std::vector<std::string_view> kCgroupV2Files = {"cpu.stat",   "memory.current", "memory.stat",
                                                      "memory.max", "pids.current",   "pids.max",
                                                      "io.stat"};

Parsed<ContainerStats> ParseCgroupV1(const CgroupFiles& files, double user_hz) {
  using Result = Parsed<ContainerStats>;
  ContainerStats stats;
  stats.sampled = true;
  stats.cpu_total_ns = SingleValue(files, "cpuacct.usage");
  if (!stats.cpu_total_ns) return Result::Failure("cpuacct.usage is missing or not a number");
  stats.memory_usage = SingleValue(files, "memory.usage_in_bytes");
  if (!stats.memory_usage) {
    return Result::Failure("memory.usage_in_bytes is missing or not a number");
  }
  if (!ReadMemoryStat(
          files, {"total_inactive_file", "total_cache", "total_rss", "total_mapped_file"}, stats)) {
    return Result::Failure("memory.stat has no total_inactive_file");
  }
  stats.memory_limit = SingleValue(files, "memory.limit_in_bytes");
  stats.memory_max_usage = SingleValue(files, "memory.max_usage_in_bytes");
  stats.memory_failcnt = SingleValue(files, "memory.failcnt");

  // Ticks of USER_HZ, as the engines convert them.
  if (const auto* text = FileOf(files, "cpuacct.stat"); text != nullptr && user_hz > 0) {
    const auto cpu = KeyedValues(*text);
    stats.cpu_user_ns = Lookup(cpu, "user", kNanosecondsPerSecond / user_hz);
    stats.cpu_kernel_ns = Lookup(cpu, "system", kNanosecondsPerSecond / user_hz);
  }
  if (const auto* text = FileOf(files, "cpu.stat")) {
    const auto cpu = KeyedValues(*text);
    stats.cfs_periods = Lookup(cpu, "nr_periods");
    stats.cfs_throttled_periods = Lookup(cpu, "nr_throttled");
    stats.cfs_throttled_ns = Lookup(cpu, "throttled_time");
  }
  stats.pids_current = SingleValue(files, "pids.current");
  stats.pids_limit = SingleValue(files, "pids.max");

  // "8:0 Read 4096" per device and operation, then "Total N".
  if (const auto* text = FileOf(files, "blkio.throttle.io_service_bytes_recursive")) {
    ForEachLine(*text, [&](std::string_view line) {
      const auto words = Words(line);
      if (words.size() != 3 || !IsDevice(words[0])) return;
      const auto value = TextNumber(words[2]);
      if (!value) return;
      if (words[1] == "Read") Device(stats.block_devices, words[0]).read_bytes += *value;
      if (words[1] == "Write") Device(stats.block_devices, words[0]).write_bytes += *value;
    });
  }
  return Success(std::move(stats));
}

Parsed<ContainerStats> ParseCgroupV2(const CgroupFiles& files) {
  using Result = Parsed<ContainerStats>;
  ContainerStats stats;
  stats.sampled = true;
  stats.cgroup_v2 = true;
  const auto* cpu_text = FileOf(files, "cpu.stat");
  const auto cpu = KeyedValues(cpu_text ? *cpu_text : std::string_view());
  stats.cpu_total_ns = Lookup(cpu, "usage_usec", kNanosecondsPerMicrosecond);
  if (!stats.cpu_total_ns) return Result::Failure("cpu.stat has no usage_usec");
  stats.cpu_user_ns = Lookup(cpu, "user_usec", kNanosecondsPerMicrosecond);
  stats.cpu_kernel_ns = Lookup(cpu, "system_usec", kNanosecondsPerMicrosecond);
  // Only with the cpu controller enabled for the cgroup.
  stats.cfs_periods = Lookup(cpu, "nr_periods");
  stats.cfs_throttled_periods = Lookup(cpu, "nr_throttled");
  stats.cfs_throttled_ns = Lookup(cpu, "throttled_usec", kNanosecondsPerMicrosecond);

  stats.memory_usage = SingleValue(files, "memory.current");
  if (!stats.memory_usage) return Result::Failure("memory.current is missing or not a number");
  if (!ReadMemoryStat(files, {"inactive_file", "file", "anon", "file_mapped"}, stats)) {
    return Result::Failure("memory.stat has no inactive_file");
  }
  stats.memory_limit = SingleValue(files, "memory.max", kUnlimited);
  stats.pids_current = SingleValue(files, "pids.current");
  stats.pids_limit = SingleValue(files, "pids.max");

  // "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0" per device.
  if (const auto* text = FileOf(files, "io.stat")) {
    ForEachLine(*text, [&](std::string_view line) {
      const auto words = Words(line);
      if (words.size() < 2 || !IsDevice(words[0])) return;
      for (size_t i = 1; i < words.size(); ++i) {
        const auto equals = words[i].find('=');
        if (equals == std::string_view::npos) continue;
        const auto key = words[i].substr(0, equals);
        const auto value = TextNumber(words[i].substr(equals + 1));
        if (!value) continue;
        if (key == "rbytes") Device(stats.block_devices, words[0]).read_bytes += *value;
        if (key == "wbytes") Device(stats.block_devices, words[0]).write_bytes += *value;
      }
    });
  }
  return Success(std::move(stats));
}

Parsed<std::vector<NetworkInterfaceStats>> ParseNetDev(std::string_view body) {
  using Result = Parsed<std::vector<NetworkInterfaceStats>>;
  // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets
  // errs drop fifo colls carrier compressed.
  constexpr size_t kCounters = 16;
  constexpr size_t kTransmit = 8;
  std::vector<NetworkInterfaceStats> interfaces;
  std::string problem;
  size_t line_number = 0;
  ForEachLine(body, [&](std::string_view line) {
    if (++line_number <= 2 || line.empty() || !problem.empty()) return;  // the two header lines
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      problem = "line " + std::to_string(line_number) + " has no interface name";
      return;
    }
    auto name = line.substr(0, colon);
    name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
    const auto words = Words(line.substr(colon + 1));
    std::vector<double> counters;
    for (const auto word : words) {
      const auto value = TextNumber(word);
      if (!value) break;
      counters.push_back(*value);
    }
    if (name.empty() || words.size() != kCounters || counters.size() != kCounters) {
      problem = "line " + std::to_string(line_number) + " is not an interface and 16 counters";
      return;
    }
    if (name == "lo") return;
    NetworkInterfaceStats network;
    network.interface = std::string(name);
    network.rx_bytes = counters[0];
    network.rx_packets = counters[1];
    network.rx_errors = counters[2];
    network.rx_dropped = counters[3];
    network.tx_bytes = counters[kTransmit];
    network.tx_packets = counters[kTransmit + 1];
    network.tx_errors = counters[kTransmit + 2];
    network.tx_dropped = counters[kTransmit + 3];
    interfaces.push_back(std::move(network));
  });
  if (!problem.empty()) return Result::Failure("/net/dev " + problem);
  if (line_number < 2) return Result::Failure("/net/dev has no header");
  return Success(std::move(interfaces));
}

}  // namespace ooe::docker
