#include "collectors/logs/nginx_error.h"

#include <cctype>

namespace ooe::logs {
namespace {

struct LevelWord {
  std::string_view word;
  NginxLevel level;
};

constexpr LevelWord kLevelWords[] = {
    {"debug", NginxLevel::kDebug}, {"info", NginxLevel::kInfo},   {"notice", NginxLevel::kNotice},
    {"warn", NginxLevel::kWarn},   {"error", NginxLevel::kError}, {"crit", NginxLevel::kCrit},
    {"alert", NginxLevel::kAlert}, {"emerg", NginxLevel::kEmerg},
};

// The phrase nginx writes for each reason (ngx_http_upstream.c, ngx_event_connect.c), in the
// order they are looked for.
struct ReasonPhrase {
  std::string_view phrase;
  UpstreamFailure failure;
};

constexpr ReasonPhrase kReasonPhrases[] = {
    {"(111: Connection refused)", UpstreamFailure::kRefused},
    {"upstream timed out", UpstreamFailure::kTimeout},
    {"no live upstreams", UpstreamFailure::kNoLiveUpstreams},
    {"upstream prematurely closed connection", UpstreamFailure::kPrematurelyClosed},
    {"could not be resolved", UpstreamFailure::kResolve},
};

bool Digits(std::string_view text, size_t from, size_t count) {
  if (text.size() < from + count) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// "YYYY/MM/DD HH:MM:SS ", the time nginx opens every line with.
bool HasTime(std::string_view line) {
  return line.size() > 20 && Digits(line, 0, 4) && line[4] == '/' && Digits(line, 5, 2) &&
         line[7] == '/' && Digits(line, 8, 2) && line[10] == ' ' && Digits(line, 11, 2) &&
         line[13] == ':' && Digits(line, 14, 2) && line[16] == ':' && Digits(line, 17, 2) &&
         line[19] == ' ';
}

}  // namespace

std::string_view NginxLevelName(NginxLevel level) {
  for (const auto& each : kLevelWords) {
    if (each.level == level) return each.word;
  }
  return "error";
}

std::string_view UpstreamFailureName(UpstreamFailure failure) {
  switch (failure) {
    case UpstreamFailure::kRefused:
      return "refused";
    case UpstreamFailure::kTimeout:
      return "timeout";
    case UpstreamFailure::kNoLiveUpstreams:
      return "no_live_upstreams";
    case UpstreamFailure::kPrematurelyClosed:
      return "prematurely_closed";
    case UpstreamFailure::kResolve:
      return "resolve";
    case UpstreamFailure::kOther:
      return "other";
  }
  return "other";
}

std::optional<NginxErrorLine> ClassifyNginxErrorLine(std::string_view line) {
  if (!HasTime(line) || line[20] != '[') return std::nullopt;
  const size_t close = line.find(']', 21);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view word = line.substr(21, close - 21);
  NginxErrorLine result;
  bool known = false;
  for (const auto& each : kLevelWords) {
    if (each.word == word) {
      result.level = each.level;
      known = true;
    }
  }
  if (!known) return std::nullopt;
  // Warnings about upstreams (a response buffered to a temporary file, a server marked down)
  // are not failed requests.
  if (result.level < NginxLevel::kError) return result;
  const std::string_view message = line.substr(close + 1);
  // A client's request that reached for an upstream: the line names the upstream, or (a name a
  // `resolver` could not resolve, before any upstream was chosen) the request.
  if (message.find("upstream") == std::string_view::npos &&
      message.find(", request: \"") == std::string_view::npos) {
    return result;
  }
  for (const auto& each : kReasonPhrases) {
    if (message.find(each.phrase) != std::string_view::npos) {
      result.upstream = each.failure;
      return result;
    }
  }
  if (message.find("upstream") != std::string_view::npos) result.upstream = UpstreamFailure::kOther;
  return result;
}

}  // namespace ooe::logs
