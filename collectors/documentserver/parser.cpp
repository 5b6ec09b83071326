#include "collectors/documentserver/parser.h"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "base/json_number.h"

namespace ooe::documentserver {
namespace {

using nlohmann::json;

// The largest whole numbers taken from a reply: a build number, an error code.
constexpr double kMaxWhole = 1e15;
constexpr double kMaxErrorCode = 1e6;

bool IsWholeNumber(double value, double min, double max) {
  return value >= min && value <= max && value == std::trunc(value);
}

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

const json* Object(const json& parent, std::string_view key) {
  const auto found = parent.find(key);
  return found != parent.end() && found->is_object() ? &*found : nullptr;
}

Parsed<json> ParseObject(std::string_view body, std::string_view what) {
  json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Parsed<json>::Failure(std::string(what) + " is not JSON (" +
                                 std::to_string(body.size()) + " bytes)");
  }
  if (!document.is_object()) {
    return Parsed<json>::Failure(std::string(what) + " is JSON but not an object");
  }
  return Success(std::move(document));
}

std::optional<double> Timestamp(const json& object, std::string_view key) {
  const auto text = JsonString(object, key);
  return text ? ParseIsoTimestamp(*text) : std::nullopt;
}

void AddReading(std::vector<Reading>& readings, std::string mode, std::string kind,
                const std::optional<double>& value) {
  if (value) readings.push_back({std::move(mode), std::move(kind), *value});
}

// licenseInfo of /info/info.json (camelCase).
License InfoLicense(const json& info) {
  License license;
  license.connections_limit = JsonNumber(info, "connections");
  license.connections_view_limit = JsonNumber(info, "connectionsView");
  license.users_limit = JsonNumber(info, "usersCount");
  license.users_view_limit = JsonNumber(info, "usersViewCount");
  license.start_timestamp = Timestamp(info, "startDate");
  license.end_timestamp = Timestamp(info, "endDate");
  return license;
}

// "license" of CommandService's license command (snake_case).
License CommandLicense(const json& license_object) {
  License license;
  license.connections_limit = JsonNumber(license_object, "connections");
  license.connections_view_limit = JsonNumber(license_object, "connections_view");
  license.users_limit = JsonNumber(license_object, "users_count");
  license.users_view_limit = JsonNumber(license_object, "users_view_count");
  license.start_timestamp = Timestamp(license_object, "start_date");
  license.end_timestamp = Timestamp(license_object, "end_date");
  return license;
}

void ReadQuota(const json& quota, Info& info) {
  // 7.2+: {"edit": {"connectionsCount", "usersCount": {"unique", "anonymous"}}, "view": ...}
  for (const char* mode : {"edit", "view"}) {
    const json* per_mode = Object(quota, mode);
    if (per_mode == nullptr) continue;
    AddReading(info.connections, mode, "", JsonNumber(*per_mode, "connectionsCount"));
    if (const json* users = Object(*per_mode, "usersCount")) {
      AddReading(info.users, mode, "unique", JsonNumber(*users, "unique"));
      AddReading(info.users, mode, "anonymous", JsonNumber(*users, "anonymous"));
    }
  }
  // 7.0-7.1: flat counters, all of them for editing.
  AddReading(info.connections, "edit", "", JsonNumber(quota, "editorConnectionsCount"));
  AddReading(info.users, "edit", "unique", JsonNumber(quota, "uniqueUserCount"));
  AddReading(info.users, "edit", "anonymous", JsonNumber(quota, "anonymousUserCount"));
}

}  // namespace

std::string_view ProbeFailureName(ProbeFailure failure) {
  switch (failure) {
    case ProbeFailure::kNone:
      return "none";
    case ProbeFailure::kResolve:
      return "resolve";
    case ProbeFailure::kConnect:
      return "connect";
    case ProbeFailure::kTimeout:
      return "timeout";
    case ProbeFailure::kTls:
      return "tls";
    case ProbeFailure::kHttpStatus:
      return "http_status";
    case ProbeFailure::kBody:
      return "body";
    case ProbeFailure::kOther:
      return "other";
  }
  return "other";
}

bool IsHealthcheckBody(std::string_view body) {
  const auto trimmed = Trim(body);
  return trimmed == "true" || trimmed == "false";
}

ProbeFailure JudgeHealthcheck(long status, std::string_view body) {
  if (status != 200) return ProbeFailure::kHttpStatus;
  return Trim(body) == "true" ? ProbeFailure::kNone : ProbeFailure::kBody;
}

Parsed<Info> ParseInfo(std::string_view body) {
  auto document = ParseObject(body, "/info/info.json reply");
  if (!document) return Parsed<Info>::Failure(document.error);
  const json& root = *document;
  const json* server = Object(root, "serverInfo");
  if (server == nullptr) {
    return Parsed<Info>::Failure(
        "/info/info.json reply has no serverInfo object: is this Document Server 5.2 or later?");
  }
  Info info;
  info.version = JsonString(*server, "buildVersion").value_or("");
  if (const auto number = JsonNumber(*server, "buildNumber")) {
    // A build is a whole number; anything else (1e300 would not even fit a long long) is left out.
    if (IsWholeNumber(*number, 0, kMaxWhole)) {
      info.build = std::to_string(static_cast<long long>(*number));
    }
  } else {
    info.build = JsonString(*server, "buildNumber").value_or("");
  }
  if (const json* quota = Object(root, "quota")) ReadQuota(*quota, info);
  if (const json* stats = Object(root, "connectionsStat")) {
    for (const auto& [period, per_mode] : stats->items()) {
      if (!per_mode.is_object()) continue;
      for (const auto& [mode, figures] : per_mode.items()) {
        if (figures.is_object()) {
          AddReading(info.connections_peak, mode, period, JsonNumber(figures, "max"));
        }
      }
    }
  }
  if (const json* license = Object(root, "licenseInfo")) info.license = InfoLicense(*license);
  return Success(std::move(info));
}

Parsed<CommandReply> ParseCommandReply(std::string_view body) {
  auto document = ParseObject(body, "CommandService reply");
  if (!document) return Parsed<CommandReply>::Failure(document.error);
  const auto error = JsonNumber(*document, "error");
  if (!error) {
    return Parsed<CommandReply>::Failure("CommandService reply has no numeric 'error' field");
  }
  if (!IsWholeNumber(*error, -kMaxErrorCode, kMaxErrorCode)) {
    return Parsed<CommandReply>::Failure("CommandService reply's 'error' is not an error code");
  }
  CommandReply reply;
  reply.error = static_cast<int>(*error);
  reply.version = JsonString(*document, "version").value_or("");
  if (const json* license = Object(*document, "license")) {
    reply.license = CommandLicense(*license);
  }
  return Success(std::move(reply));
}

std::pair<std::string, std::string> SplitVersion(std::string_view version) {
  // Four parts: the last is the build. Three or fewer: no build number in it.
  size_t dots = 0;
  for (const char c : version) dots += c == '.' ? 1 : 0;
  if (dots < 3) return {std::string(version), ""};
  const auto last = version.rfind('.');
  return {std::string(version.substr(0, last)), std::string(version.substr(last + 1))};
}

std::optional<double> ParseIsoTimestamp(std::string_view text) {
  std::tm parts{};
  int fraction_digits = 0;
  char zone = 0;
  const std::string copy(text);
  // Document Server writes Date.toISOString(): 2026-11-01T00:00:00.000Z.
  int milliseconds = 0;
  const int fields = std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%n%c", &parts.tm_year,
                                 &parts.tm_mon, &parts.tm_mday, &parts.tm_hour, &parts.tm_min,
                                 &parts.tm_sec, &milliseconds, &fraction_digits, &zone);
  if (fields != 8 || zone != 'Z' || static_cast<size_t>(fraction_digits) + 1 != copy.size()) {
    return std::nullopt;
  }
  if (parts.tm_mon < 1 || parts.tm_mon > 12 || parts.tm_mday < 1 || parts.tm_mday > 31 ||
      parts.tm_hour > 23 || parts.tm_min > 59 || parts.tm_sec > 60) {
    return std::nullopt;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return static_cast<double>(timegm(&parts)) + milliseconds / 1000.0;
}

}  // namespace ooe::documentserver
