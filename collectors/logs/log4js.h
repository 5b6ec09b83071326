// Pure classifier of Document Server's log4js entries (docservice/out.log, converter/out.log):
// the level and the known cause of an entry, from its first line and the lines that continue it
// (a stack trace). Only the cause's kind comes out, never the text: the lines carry document
// ids, user ids and tokens.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ooe::logs {

enum class Log4jsLevel { kTrace, kDebug, kInfo, kWarn, kError, kFatal, kMark };
inline constexpr std::array kLog4jsLevels = {
    Log4jsLevel::kTrace, Log4jsLevel::kDebug, Log4jsLevel::kInfo, Log4jsLevel::kWarn,
    Log4jsLevel::kError, Log4jsLevel::kFatal, Log4jsLevel::kMark};
std::string_view Log4jsLevelName(Log4jsLevel level);

// What an entry at WARN or above is about, where it is one of the causes that precede or make a
// 502.
enum class Cause {
  kNone,
  kUncaughtException,  // the process is ending (7.1 on a PostgreSQL restart)
  kDatabase,           // PostgreSQL/MySQL: pool errors, failed queries
  kAmqp,               // RabbitMQ/ActiveMQ: DocService's "[AMQP] ..." lines
  kRedis,
  kJwt,         // a token DocService rejected (`checkJwt error`): an integration's wrong secret
  kConversion,  // a conversion that failed (x2t's exit code, the converter's errors)
};
inline constexpr std::array kCauses = {
    Cause::kUncaughtException, Cause::kDatabase, Cause::kAmqp, Cause::kRedis, Cause::kJwt,
    Cause::kConversion};
std::string_view CauseName(Cause cause);

// Which log the entry is from: the converter's errors are conversion errors unless they name
// another cause.
enum class Log4jsService { kDocservice, kConverter };

struct Log4jsHead {
  Log4jsLevel level = Log4jsLevel::kInfo;
  Cause cause = Cause::kNone;
};

// The first line of an entry, "[2026-12-01T19:15:52.236] [WARN] nodeJS - checkJwt error: ..."
// (7.x) or "[...] [WARN] [TENANT] [DOCID] [USERID] nodeJS - ..." (8.x, 9.x); nullopt for a line
// that continues the entry before it.
std::optional<Log4jsHead> ParseLog4jsHead(std::string_view line, Log4jsService service);

// The cause once `continuation` (a line of the entry's stack trace or message) is seen: a frame
// in node_modules/pg-pool names the database behind a "healthCheck error".
Cause RefineCause(const Log4jsHead& head, std::string_view continuation);

}  // namespace ooe::logs
