#include "collectors/logs/log4js.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace ooe::logs {
namespace {

struct LevelWord {
  std::string_view word;
  Log4jsLevel level;
};

constexpr LevelWord kLevelWords[] = {
    {"TRACE", Log4jsLevel::kTrace}, {"DEBUG", Log4jsLevel::kDebug}, {"INFO", Log4jsLevel::kInfo},
    {"WARN", Log4jsLevel::kWarn},   {"ERROR", Log4jsLevel::kError}, {"FATAL", Log4jsLevel::kFatal},
    {"MARK", Log4jsLevel::kMark},
};

// Words of an entry's message that name its cause, looked for in this order (lower case: the
// message is compared case-insensitively). From DocService 7.1 and 9.4's own lines
// (../shared/fixtures/documentserver/logs/) and the modules they log from.
struct CauseWord {
  std::string_view word;
  Cause cause;
};

constexpr CauseWord kMessageWords[] = {
    {"uncaughtexception", Cause::kUncaughtException},
    {"checkjwt", Cause::kJwt},
    {"jsonwebtokenerror", Cause::kJwt},
    {"tokenexpirederror", Cause::kJwt},
    {"postgresql", Cause::kDatabase},
    {"sqlquery", Cause::kDatabase},
    {"mysql", Cause::kDatabase},
    {"pool error", Cause::kDatabase},
    {"terminating connection due to administrator command", Cause::kDatabase},
    {"[amqp]", Cause::kAmqp},
    {"rabbitmq", Cause::kAmqp},
    {"activemq", Cause::kAmqp},
    {"redis", Cause::kRedis},
    {"exitcode (code=", Cause::kConversion},
    {"x2t", Cause::kConversion},
};

// Stack frames that name the module an error came from: what follows "node_modules/".
constexpr CauseWord kFrameModules[] = {
    {"pg-", Cause::kDatabase},      {"pg/", Cause::kDatabase},   {"mysql", Cause::kDatabase},
    {"oracledb", Cause::kDatabase}, {"mssql", Cause::kDatabase}, {"amqplib", Cause::kAmqp},
    {"rhea", Cause::kAmqp},         {"redis", Cause::kRedis},    {"ioredis", Cause::kRedis},
    {"@redis", Cause::kRedis},
};

// The first kLookBytes of `text`, lower case, into `buffer`: the cause is in the first words of
// an entry, and a line can be any length.
constexpr size_t kLookBytes = 512;

std::string_view Lower(std::string_view text, std::string& buffer) {
  buffer.assign(text.substr(0, kLookBytes));
  std::transform(buffer.begin(), buffer.end(), buffer.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return buffer;
}

template <size_t N>
Cause FindCause(std::string_view lower, const CauseWord (&words)[N]) {
  for (const auto& each : words) {
    if (lower.find(each.word) != std::string_view::npos) return each.cause;
  }
  return Cause::kNone;
}

bool Digits(std::string_view text, size_t from, size_t count) {
  if (text.size() < from + count) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// After the level: 8.x and later put [TENANT] [DOCID] [USERID] first; then "category - ".
std::string_view Message(std::string_view rest) {
  while (rest.starts_with("[")) {
    const size_t close = rest.find("] ");
    if (close == std::string_view::npos) break;
    rest.remove_prefix(close + 2);
  }
  const size_t dash = rest.find(" - ");
  return dash == std::string_view::npos ? rest : rest.substr(dash + 3);
}

}  // namespace

std::string_view Log4jsLevelName(Log4jsLevel level) {
  switch (level) {
    case Log4jsLevel::kTrace:
      return "trace";
    case Log4jsLevel::kDebug:
      return "debug";
    case Log4jsLevel::kInfo:
      return "info";
    case Log4jsLevel::kWarn:
      return "warn";
    case Log4jsLevel::kError:
      return "error";
    case Log4jsLevel::kFatal:
      return "fatal";
    case Log4jsLevel::kMark:
      return "mark";
  }
  return "info";
}

std::string_view CauseName(Cause cause) {
  switch (cause) {
    case Cause::kNone:
      return "none";
    case Cause::kUncaughtException:
      return "uncaught_exception";
    case Cause::kDatabase:
      return "database";
    case Cause::kAmqp:
      return "amqp";
    case Cause::kRedis:
      return "redis";
    case Cause::kJwt:
      return "jwt";
    case Cause::kConversion:
      return "conversion";
  }
  return "none";
}

std::optional<Log4jsHead> ParseLog4jsHead(std::string_view line, Log4jsService service) {
  // "[YYYY-MM-DDTHH:MM:SS.mmm] [LEVEL] "
  if (line.size() < 16 || line[0] != '[' || !Digits(line, 1, 4) || line[5] != '-' ||
      !Digits(line, 6, 2) || line[8] != '-' || !Digits(line, 9, 2)) {
    return std::nullopt;
  }
  const size_t stamp_end = line.find("] [");
  if (stamp_end == std::string_view::npos || stamp_end > 40) return std::nullopt;
  const size_t level_end = line.find(']', stamp_end + 3);
  if (level_end == std::string_view::npos) return std::nullopt;
  const std::string_view word = line.substr(stamp_end + 3, level_end - stamp_end - 3);
  Log4jsHead head;
  const auto known = std::find_if(std::begin(kLevelWords), std::end(kLevelWords),
                                  [&](const LevelWord& each) { return each.word == word; });
  if (known == std::end(kLevelWords)) return std::nullopt;
  head.level = known->level;
  if (head.level < Log4jsLevel::kWarn || head.level == Log4jsLevel::kMark) return head;
  std::string_view rest = line.substr(level_end + 1);
  if (rest.starts_with(' ')) rest.remove_prefix(1);
  std::string buffer;
  head.cause = FindCause(Lower(Message(rest), buffer), kMessageWords);
  if (head.cause == Cause::kNone && service == Log4jsService::kConverter &&
      head.level >= Log4jsLevel::kError) {
    head.cause = Cause::kConversion;
  }
  return head;
}

Cause RefineCause(const Log4jsHead& head, std::string_view continuation) {
  // An uncaught exception or a rejected token stays what it is, whatever its stack shows; the
  // converter's errors default to conversion, and a frame can say better.
  if (head.level < Log4jsLevel::kWarn || head.level == Log4jsLevel::kMark) return head.cause;
  if (head.cause != Cause::kNone && head.cause != Cause::kConversion) return head.cause;
  // Module names are lower case: no copy of the line is needed, and most frames have none.
  constexpr std::string_view kModules = "node_modules/";
  for (size_t at = continuation.find(kModules); at != std::string_view::npos;
       at = continuation.find(kModules, at + kModules.size())) {
    const std::string_view module = continuation.substr(at + kModules.size());
    for (const auto& each : kFrameModules) {
      if (module.starts_with(each.word)) return each.cause;
    }
  }
  return head.cause;
}

}  // namespace ooe::logs
