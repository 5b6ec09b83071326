#include "collectors/docker/parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "collectors/json_number.h"

namespace ooe::docker {
namespace {

using nlohmann::json;

// The member `key` of `object`, or null when `object` is no object or lacks it; nlohmann's
// operator[] on a const object would be undefined behaviour for a missing key.
const json* Member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

const json& MemberOrNull(const json& object, std::string_view key) {
  static const json kNull;
  const json* member = Member(object, key);
  return member != nullptr ? *member : kNull;
}

std::string StringOr(const json& object, std::string_view key, std::string fallback = {}) {
  auto value = JsonString(object, key);
  return value ? std::move(*value) : std::move(fallback);
}

double NumberOr(const json& object, std::string_view key, double fallback) {
  return JsonNumber(object, key).value_or(fallback);
}

std::map<std::string, std::string> StringMap(const json& object) {
  std::map<std::string, std::string> result;
  if (!object.is_object()) return result;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) result.emplace(key, value.get<std::string>());
  }
  return result;
}

std::string WithoutSlash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

Parsed<json> ParseObject(std::string_view body, std::string_view what) {
  json document = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Parsed<json>::Failure(std::string(what) + " is not valid JSON (" +
                                 std::to_string(body.size()) + " bytes)");
  }
  if (!document.is_object()) {
    return Parsed<json>::Failure(std::string(what) + " is not a JSON object");
  }
  return Success(std::move(document));
}

bool IsDeviceNumber(double value) {
  return value >= 0 && value <= 4294967295.0 && value == std::trunc(value);
}

// Reads "2026", "11" ... from `text` at `position`; false when not `digits` digits.
bool ReadDigits(std::string_view text, size_t position, size_t digits, int& value) {
  if (position + digits > text.size()) return false;
  const char* begin = text.data() + position;
  const auto [end, error] = std::from_chars(begin, begin + digits, value);
  return error == std::errc() && end == begin + digits;
}

// A whole number JSON value as an integer; nullopt for anything else (or out of range).
std::optional<long long> JsonInteger(const json& object, std::string_view key) {
  const auto value = JsonNumber(object, key);
  if (!value || *value != std::trunc(*value) || std::fabs(*value) > 9.0e15) return std::nullopt;
  return static_cast<long long>(*value);
}

// libpod list times: Go's zero time (-62135596800) and anything before 1970 mean "never".
std::optional<long long> UnixTimeOrNever(const json& object, std::string_view key) {
  const auto value = JsonInteger(object, key);
  if (!value || *value <= 0) return std::nullopt;
  return value;
}

struct TimestampParts {
  long long whole_seconds;
  double fraction;
};

std::optional<TimestampParts> ParseTimestampParts(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 0, 4, year) || !ReadDigits(text, 5, 2, month) ||
      !ReadDigits(text, 8, 2, day) || !ReadDigits(text, 11, 2, hour) ||
      !ReadDigits(text, 14, 2, minute) || !ReadDigits(text, 17, 2, second) || text[4] != '-' ||
      text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  if (year <= 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;  // Go's zero time means "never"
  }
  size_t position = 19;
  double fraction = 0;
  if (position < text.size() && text[position] == '.') {
    double scale = 0.1;
    ++position;
    const size_t digits_start = position;
    while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position]))) {
      fraction += (text[position] - '0') * scale;
      scale /= 10;
      ++position;
    }
    if (position == digits_start) return std::nullopt;
  }
  long offset_seconds = 0;
  if (position < text.size() && text[position] == 'Z') {
    ++position;
  } else if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
    int offset_hours = 0, offset_minutes = 0;
    if (!ReadDigits(text, position + 1, 2, offset_hours) || position + 3 >= text.size() ||
        text[position + 3] != ':' || !ReadDigits(text, position + 4, 2, offset_minutes)) {
      return std::nullopt;
    }
    offset_seconds =
        (offset_hours * 3600L + offset_minutes * 60L) * (text[position] == '-' ? -1 : 1);
    position += 6;
  } else {
    return std::nullopt;
  }
  if (position != text.size()) return std::nullopt;
  std::tm broken_down{};
  broken_down.tm_year = year - 1900;
  broken_down.tm_mon = month - 1;
  broken_down.tm_mday = day;
  broken_down.tm_hour = hour;
  broken_down.tm_min = minute;
  broken_down.tm_sec = second;
  const time_t seconds = timegm(&broken_down);
  return TimestampParts{static_cast<long long>(seconds) - offset_seconds, fraction};
}

}  // namespace

std::optional<double> ParseTimestamp(std::string_view text) {
  const auto parts = ParseTimestampParts(text);
  if (!parts) return std::nullopt;
  return static_cast<double>(parts->whole_seconds) + parts->fraction;
}

std::optional<long long> ParseTimestampUnix(std::string_view text) {
  const auto parts = ParseTimestampParts(text);
  if (!parts) return std::nullopt;
  return parts->whole_seconds;
}

Parsed<VersionInfo> ParseVersion(std::string_view body) {
  auto document = ParseObject(body, "/version reply");
  if (!document) return Parsed<VersionInfo>::Failure(document.error);
  const json& root = *document;
  VersionInfo version;
  version.version = StringOr(root, "Version");
  version.api_version = StringOr(root, "ApiVersion");
  version.min_api_version = StringOr(root, "MinAPIVersion");
  version.engine = "docker";
  if (const json* components = Member(root, "Components"); components && components->is_array()) {
    for (const auto& component : *components) {
      if (StringOr(component, "Name").find("Podman") != std::string::npos) {
        version.engine = "podman";
      }
    }
  }
  if (version.version.empty() && version.api_version.empty()) {
    return Parsed<VersionInfo>::Failure("/version reply has neither Version nor ApiVersion");
  }
  return Success(std::move(version));
}

Parsed<EngineInfo> ParseEngineInfo(std::string_view body) {
  auto document = ParseObject(body, "/info reply");
  if (!document) return Parsed<EngineInfo>::Failure(document.error);
  EngineInfo info;
  info.cpus = JsonNumber(*document, "NCPU");
  info.memory_bytes = JsonNumber(*document, "MemTotal");
  return Success(info);
}

Parsed<std::vector<ContainerSummary>> ParseContainerList(std::string_view body) {
  using Result = Parsed<std::vector<ContainerSummary>>;
  json document = json::parse(body.begin(), body.end(), nullptr, false);
  if (document.is_discarded()) {
    return Result::Failure("container list is not valid JSON (" + std::to_string(body.size()) +
                           " bytes)");
  }
  if (!document.is_array()) return Result::Failure("container list is not a JSON array");
  std::vector<ContainerSummary> containers;
  containers.reserve(document.size());
  for (const auto& item : document) {
    ContainerSummary summary;
    summary.id = StringOr(item, "Id");
    if (summary.id.empty()) return Result::Failure("container list: an entry has no Id");
    if (const json* names = Member(item, "Names");
        names && names->is_array() && !names->empty() && names->front().is_string()) {
      summary.name = WithoutSlash(names->front().get<std::string>());
    }
    if (summary.name.empty()) summary.name = summary.id.substr(0, 12);
    summary.image = StringOr(item, "Image");
    summary.state = StringOr(item, "State");
    summary.status = StringOr(item, "Status");
    summary.started_at = UnixTimeOrNever(item, "StartedAt");
    summary.exited_at = UnixTimeOrNever(item, "ExitedAt");
    summary.exit_code = JsonInteger(item, "ExitCode");
    summary.pid = JsonInteger(item, "Pid");
    summary.labels = StringMap(MemberOrNull(item, "Labels"));
    containers.push_back(std::move(summary));
  }
  return Success(std::move(containers));
}

Parsed<ContainerInspect> ParseInspect(std::string_view body) {
  auto document = ParseObject(body, "inspect reply");
  if (!document) return Parsed<ContainerInspect>::Failure(document.error);
  const json& root = *document;
  ContainerInspect inspect;
  inspect.id = StringOr(root, "Id");
  if (inspect.id.empty()) return Parsed<ContainerInspect>::Failure("inspect reply has no Id");
  inspect.name = WithoutSlash(StringOr(root, "Name"));
  const json& config = MemberOrNull(root, "Config");
  inspect.image = StringOr(config, "Image");
  inspect.labels = StringMap(MemberOrNull(config, "Labels"));
  inspect.restart_count = JsonNumber(root, "RestartCount");

  const json& state = MemberOrNull(root, "State");
  if (!state.is_object()) return Parsed<ContainerInspect>::Failure("inspect reply has no State");
  inspect.status = StringOr(state, "Status");
  inspect.oom_killed = NumberOr(state, "OOMKilled", 0) != 0;
  inspect.exit_code = JsonNumber(state, "ExitCode");
  inspect.pid = JsonInteger(state, "Pid");
  if (const auto started = JsonString(state, "StartedAt")) {
    inspect.started_at_seconds = ParseTimestamp(*started);
    inspect.started_at_unix = ParseTimestampUnix(*started);
  }
  if (const auto finished = JsonString(state, "FinishedAt")) {
    inspect.finished_at_seconds = ParseTimestamp(*finished);
    inspect.finished_at_unix = ParseTimestampUnix(*finished);
  }
  // Docker leaves Health out without a health check; Podman sends it with Status "".
  const json& health = MemberOrNull(state, "Health");
  inspect.health_status = StringOr(health, "Status");
  if (!inspect.health_status.empty()) {
    inspect.health_failing_streak = JsonNumber(health, "FailingStreak");
  }

  const json& host_config = MemberOrNull(root, "HostConfig");
  inspect.nano_cpus = std::max(0.0, NumberOr(host_config, "NanoCpus", 0));
  inspect.cpu_quota = std::max(0.0, NumberOr(host_config, "CpuQuota", 0));
  inspect.cpu_period = std::max(0.0, NumberOr(host_config, "CpuPeriod", 0));
  inspect.cpu_shares = std::max(0.0, NumberOr(host_config, "CpuShares", 0));
  inspect.memory_limit = std::max(0.0, NumberOr(host_config, "Memory", 0));
  inspect.memory_reservation = std::max(0.0, NumberOr(host_config, "MemoryReservation", 0));
  inspect.pids_limit = std::max(0.0, NumberOr(host_config, "PidsLimit", 0));
  inspect.network_mode = StringOr(host_config, "NetworkMode");
  return Success(std::move(inspect));
}

Parsed<ContainerStats> ParseStats(std::string_view body) {
  auto document = ParseObject(body, "stats reply");
  if (!document) return Parsed<ContainerStats>::Failure(document.error);
  const json& root = *document;
  ContainerStats stats;
  const auto read = JsonString(root, "read");
  if (!read) return Parsed<ContainerStats>::Failure("stats reply has no \"read\" time");
  stats.sampled = ParseTimestamp(*read).has_value();
  if (!stats.sampled) return Success(std::move(stats));

  const json& cpu = MemberOrNull(root, "cpu_stats");
  const json& cpu_usage = MemberOrNull(cpu, "cpu_usage");
  stats.cpu_total_ns = JsonNumber(cpu_usage, "total_usage");
  stats.cpu_user_ns = JsonNumber(cpu_usage, "usage_in_usermode");
  stats.cpu_kernel_ns = JsonNumber(cpu_usage, "usage_in_kernelmode");
  stats.system_cpu_ns = JsonNumber(cpu, "system_cpu_usage");
  stats.online_cpus = JsonNumber(cpu, "online_cpus");
  if (!stats.online_cpus) {
    // Before API 1.27 (and where online_cpus is 0) the CLI counts percpu_usage.
    if (const json* percpu = Member(cpu_usage, "percpu_usage"); percpu && percpu->is_array()) {
      if (!percpu->empty()) stats.online_cpus = static_cast<double>(percpu->size());
    }
  }
  if (stats.online_cpus && *stats.online_cpus <= 0) stats.online_cpus.reset();
  const json& throttling = MemberOrNull(cpu, "throttling_data");
  stats.cfs_periods = JsonNumber(throttling, "periods");
  stats.cfs_throttled_periods = JsonNumber(throttling, "throttled_periods");
  stats.cfs_throttled_ns = JsonNumber(throttling, "throttled_time");

  const json& precpu = MemberOrNull(root, "precpu_stats");
  stats.precpu_total_ns = JsonNumber(MemberOrNull(precpu, "cpu_usage"), "total_usage");
  stats.presystem_cpu_ns = JsonNumber(precpu, "system_cpu_usage");

  const json& memory = MemberOrNull(root, "memory_stats");
  stats.memory_usage = JsonNumber(memory, "usage");
  stats.memory_limit = JsonNumber(memory, "limit");
  stats.memory_max_usage = JsonNumber(memory, "max_usage");
  stats.memory_failcnt = JsonNumber(memory, "failcnt");
  const json& memory_detail = MemberOrNull(memory, "stats");
  // cgroup v1 reports the hierarchy's totals as total_*; v2 has flat keys only and "anon".
  stats.cgroup_v2 = memory_detail.is_object() && !Member(memory_detail, "total_inactive_file") &&
                    (Member(memory_detail, "anon") || Member(memory_detail, "file"));
  if (stats.cgroup_v2) {
    stats.inactive_file = JsonNumber(memory_detail, "inactive_file");
    stats.cache = JsonNumber(memory_detail, "file");
    stats.rss = JsonNumber(memory_detail, "anon");
    stats.mapped_file = JsonNumber(memory_detail, "file_mapped");
  } else {
    stats.inactive_file = JsonNumber(memory_detail, "total_inactive_file");
    stats.cache = JsonNumber(memory_detail, "total_cache");
    stats.rss = JsonNumber(memory_detail, "total_rss");
    stats.mapped_file = JsonNumber(memory_detail, "total_mapped_file");
  }

  const json& pids = MemberOrNull(root, "pids_stats");
  stats.pids_current = JsonNumber(pids, "current");
  stats.pids_limit = JsonNumber(pids, "limit");

  if (const json* networks = Member(root, "networks"); networks && networks->is_object()) {
    for (const auto& [interface, counters] : networks->items()) {
      NetworkInterfaceStats network;
      network.interface = interface;
      network.rx_bytes = JsonNumber(counters, "rx_bytes");
      network.rx_packets = JsonNumber(counters, "rx_packets");
      network.rx_errors = JsonNumber(counters, "rx_errors");
      network.rx_dropped = JsonNumber(counters, "rx_dropped");
      network.tx_bytes = JsonNumber(counters, "tx_bytes");
      network.tx_packets = JsonNumber(counters, "tx_packets");
      network.tx_errors = JsonNumber(counters, "tx_errors");
      network.tx_dropped = JsonNumber(counters, "tx_dropped");
      stats.networks.push_back(std::move(network));
    }
  }

  // cgroup v1 says "Read"/"Write" (plus Sync, Async, Total), v2 "read"/"write".
  const json& service_bytes =
      MemberOrNull(MemberOrNull(root, "blkio_stats"), "io_service_bytes_recursive");
  if (service_bytes.is_array()) {
    for (const auto& entry : service_bytes) {
      const auto major = JsonNumber(entry, "major");
      const auto minor = JsonNumber(entry, "minor");
      const auto value = JsonNumber(entry, "value");
      auto op = StringOr(entry, "op");
      // Device numbers are 32-bit: anything else is no device (and no undefined cast).
      if (!major || !minor || !value || !IsDeviceNumber(*major) || !IsDeviceNumber(*minor)) {
        continue;
      }
      std::transform(op.begin(), op.end(), op.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (op != "read" && op != "write") continue;
      const std::string device = std::to_string(static_cast<long long>(*major)) + ":" +
                                 std::to_string(static_cast<long long>(*minor));
      auto found =
          std::find_if(stats.block_devices.begin(), stats.block_devices.end(),
                       [&](const BlockDeviceStats& known) { return known.device == device; });
      if (found == stats.block_devices.end()) {
        stats.block_devices.push_back(BlockDeviceStats{device, 0, 0});
        found = std::prev(stats.block_devices.end());
      }
      (op == "read" ? found->read_bytes : found->write_bytes) += *value;
    }
  }
  return Success(std::move(stats));
}

std::optional<double> WorkingSetBytes(const ContainerStats& stats) {
  if (!stats.memory_usage) return std::nullopt;
  if (!stats.inactive_file) return *stats.memory_usage;
  return std::max(0.0, *stats.memory_usage - *stats.inactive_file);
}

std::optional<double> CliMemoryUsageBytes(const ContainerStats& stats) {
  if (!stats.memory_usage) return std::nullopt;
  if (stats.inactive_file && *stats.inactive_file < *stats.memory_usage) {
    return *stats.memory_usage - *stats.inactive_file;
  }
  return *stats.memory_usage;
}

std::optional<double> CliCpuPercent(const ContainerStats& stats) {
  if (!stats.cpu_total_ns || !stats.precpu_total_ns || !stats.system_cpu_ns ||
      !stats.presystem_cpu_ns || !stats.online_cpus) {
    return std::nullopt;
  }
  const double cpu_delta = *stats.cpu_total_ns - *stats.precpu_total_ns;
  const double system_delta = *stats.system_cpu_ns - *stats.presystem_cpu_ns;
  if (system_delta <= 0 || cpu_delta < 0) return 0.0;
  return cpu_delta / system_delta * *stats.online_cpus * 100.0;
}

std::string ErrorMessage(std::string_view body) {
  const json document = json::parse(body.begin(), body.end(), nullptr, false);
  auto message = JsonString(document, "message");
  if (!message) return {};
  // One line, bounded: this text ends up in a log line.
  std::replace(message->begin(), message->end(), '\n', ' ');
  if (message->size() > 200) message->resize(200);
  return *message;
}

}  // namespace ooe::docker
