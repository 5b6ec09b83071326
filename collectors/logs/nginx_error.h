// Pure classifier of nginx error log lines: the level, and for a failed request to an upstream,
// the reason, which says what the client got (a 502 or a 504).
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ooe::logs {

enum class NginxLevel { kDebug, kInfo, kNotice, kWarn, kError, kCrit, kAlert, kEmerg };
inline constexpr std::array kNginxLevels = {
    NginxLevel::kDebug, NginxLevel::kInfo, NginxLevel::kNotice, NginxLevel::kWarn,
    NginxLevel::kError, NginxLevel::kCrit, NginxLevel::kAlert,  NginxLevel::kEmerg};
std::string_view NginxLevelName(NginxLevel level);

// Why nginx could not get an answer from its upstream. Behind one server (Document Server's
// nginx in front of docservice) each line is one request answered with 502 (refused, no live
// upstreams, prematurely closed, resolve, most of other) or 504 (timeout).
enum class UpstreamFailure {
  kRefused,            // connect() failed (111: Connection refused): nothing listens
  kTimeout,            // upstream timed out (110: Connection timed out): 504
  kNoLiveUpstreams,    // every server is marked down after max_fails
  kPrematurelyClosed,  // upstream prematurely closed connection: it died mid-request
  kResolve,            // the upstream's name could not be resolved (a `resolver` in use)
  kOther,              // reset by peer, invalid header, no route to host ...
};
inline constexpr std::array kUpstreamFailures = {
    UpstreamFailure::kRefused,         UpstreamFailure::kTimeout,
    UpstreamFailure::kNoLiveUpstreams, UpstreamFailure::kPrematurelyClosed,
    UpstreamFailure::kResolve,         UpstreamFailure::kOther};
std::string_view UpstreamFailureName(UpstreamFailure failure);

struct NginxErrorLine {
  NginxLevel level = NginxLevel::kError;
  std::optional<UpstreamFailure> upstream;  // set for a failed request to an upstream
};

// "2026/12/01 19:16:02 [error] 18043#18043: *12 connect() failed (111: ...) while connecting to
// upstream, client: ..."; nullopt for a line that is not one (nginx writes no continuation lines).
std::optional<NginxErrorLine> ClassifyNginxErrorLine(std::string_view line);

}  // namespace ooe::logs
