#include "collectors/docker/parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "base/json_number.h"
#include "collectors/docker/json_reply.h"

namespace ooe::docker {
namespace {

using nlohmann::json;

std::string WithoutSlash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

// Reads "2026", "11" ... from `text` at `position`; false when not `digits` digits.
bool ReadDigits(std::string_view text, size_t position, size_t digits, int& value) {
  if (position + digits > text.size()) return false;
  const char* begin = text.data() + position;
  const auto [end, error] = std::from_chars(begin, begin + digits, value);
  return error == std::errc() && end == begin + digits;
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
  if (const auto time = JsonString(*document, "SystemTime"))
    info.system_time = ParseTimestamp(*time);
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

namespace {

// Absolute, and no ".." component: it is looked up under the container's root in /proc.
bool UsableDestination(std::string_view destination) {
  if (destination.empty() || destination.front() != '/') return false;
  size_t start = 0;
  while (start < destination.size()) {
    const size_t end = std::min(destination.find('/', start), destination.size());
    if (destination.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

void ReadMounts(const json& root, const json& host_config, std::vector<ContainerMount>& mounts) {
  const auto add = [&](ContainerMount mount) {
    const bool seen = std::any_of(mounts.begin(), mounts.end(), [&](const ContainerMount& other) {
      return other.destination == mount.destination;
    });
    if (!seen && mounts.size() < ContainerInspect::kMaxMounts &&
        UsableDestination(mount.destination)) {
      mounts.push_back(std::move(mount));
    }
  };
  if (const json* list = Member(root, "Mounts"); list && list->is_array()) {
    for (const auto& entry : *list) {
      if (!entry.is_object()) continue;
      ContainerMount mount{StringOr(entry, "Type"), StringOr(entry, "Name"),
                           StringOr(entry, "Destination")};
      if (mount.volume.empty()) mount.volume = StringOr(entry, "Source");
      add(std::move(mount));
    }
  }
  if (const json* tmpfs = Member(host_config, "Tmpfs"); tmpfs && tmpfs->is_object()) {
    for (const auto& [destination, options] : tmpfs->items()) add({"tmpfs", "", destination});
  }
}

}  // namespace

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
  ReadMounts(root, host_config, inspect.mounts);
  return Success(std::move(inspect));
}

Parsed<EngineEvents> ParseEvents(std::string_view body) {
  EngineEvents events;
  size_t line_start = 0;
  while (line_start < body.size()) {
    const size_t line_end = std::min(body.find('\n', line_start), body.size());
    const std::string_view line = body.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const json event = json::parse(line.begin(), line.end(), nullptr, false);
    if (!event.is_object()) {
      return Parsed<EngineEvents>::Failure("event " + std::to_string(events.count + 1) +
                                           " is not a JSON object (" + std::to_string(line.size()) +
                                           " bytes)");
    }
    ++events.count;
    const std::string type = StringOr(event, "Type");
    const json& actor = MemberOrNull(event, "Actor");
    std::string id;
    if (type == "container") {
      id = StringOr(actor, "ID");
    } else if (type == "network") {
      id = StringOr(MemberOrNull(actor, "Attributes"), "container");
    }
    if (!id.empty()) events.containers.insert(std::move(id));
  }
  return Success(std::move(events));
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
