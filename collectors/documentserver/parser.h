// Pure parsers for Document Server's replies: /healthcheck, /info/info.json (the 7.0-7.1 and the
// 7.2+ shapes) and CommandService.ashx. Bytes in, values out; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/parsed.h"

namespace ooe::documentserver {

// Why a /healthcheck probe failed, in blackbox_exporter's phases. kNone: healthy.
enum class ProbeFailure { kNone, kResolve, kConnect, kTimeout, kTls, kHttpStatus, kBody, kOther };

// Every reason, in the order the `reason` label lists them.
inline constexpr ProbeFailure kProbeFailures[] = {
    ProbeFailure::kResolve,    ProbeFailure::kConnect, ProbeFailure::kTimeout, ProbeFailure::kTls,
    ProbeFailure::kHttpStatus, ProbeFailure::kBody,    ProbeFailure::kOther};
std::string_view ProbeFailureName(ProbeFailure failure);

// An HTTP answer to /healthcheck: healthy only for status 200 with the body `true` (DocService
// answers 200 `false` when the database, broker or storage check fails).
ProbeFailure JudgeHealthcheck(long status, std::string_view body);
// True when the body is DocService's own `true`/`false` (not nginx's error page).
bool IsHealthcheckBody(std::string_view body);

// A number that the server reports, by the labels it goes out with.
struct Reading {
  std::string mode;  // edit, view, liveview
  std::string kind;  // users: unique, anonymous; connection statistics: the period
  double value = 0;
};

struct License {
  std::optional<double> connections_limit;       // edit connections (licenseInfo.connections)
  std::optional<double> connections_view_limit;  // 7.2+: live viewer connections
  std::optional<double> users_limit;             // per-user licenses; 0: not licensed by user
  std::optional<double> users_view_limit;
  std::optional<double> start_timestamp;  // seconds since the epoch
  std::optional<double> end_timestamp;    // absent for a license that does not end
};

struct Info {
  std::string version;                    // serverInfo.buildVersion, e.g. "7.1.1"
  std::string build;                      // serverInfo.buildNumber, e.g. "23"
  std::vector<Reading> connections;       // current, from quota; mode
  std::vector<Reading> users;             // current, from quota; mode and kind
  std::vector<Reading> connections_peak;  // connectionsStat.<period>.<mode>.max; kind=period
  License license;
};

Parsed<Info> ParseInfo(std::string_view body);

struct CommandReply {
  int error = 0;        // 0 ok, 1 unknown command or bad request, 6 token invalid, 7 token expired
  std::string version;  // "version": "7.1.1.23"
  std::optional<License> license;  // "license" command
};

Parsed<CommandReply> ParseCommandReply(std::string_view body);

// "7.1.1.23" -> {"7.1.1", "23"}: the version and build as /info/info.json reports them.
std::pair<std::string, std::string> SplitVersion(std::string_view version);

// "2026-11-01T00:00:00.000Z" -> seconds since the epoch; nullopt for anything else.
std::optional<double> ParseIsoTimestamp(std::string_view text);

}  // namespace ooe::documentserver
