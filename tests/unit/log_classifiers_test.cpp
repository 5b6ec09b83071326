// The log line classifiers on real lines: DocService 7.1 and 9.4's out.log and nginx's error log
// in front of a dead docservice (../shared/fixtures/documentserver/logs/, SOURCES.md says what
// happened while each was written), and nginx's upstream failures as nginx 1.22 writes them.
#include <catch2/catch.hpp>

#include "collectors/documentserver/log_watch.h"
#include "collectors/logs/log4js.h"
#include "collectors/logs/nginx_error.h"
#include "tests/support/process.h"

namespace ooe {
namespace {

using logs::Cause;
using logs::Log4jsLevel;
using logs::Log4jsService;
using logs::UpstreamFailure;

std::string SharedLog(const std::string& name) {
  return test::ReadFile(std::string(OOE_SHARED_FIXTURES_DIR) + "/documentserver/logs/" + name);
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

documentserver::ServiceCounts CountEntries(const std::string& text, Log4jsService service) {
  documentserver::EntryCounter counter(service);
  for (const auto line : Lines(text)) counter.Line(line);
  counter.Finish();
  return counter.Counts();
}

uint64_t Level(const documentserver::ServiceCounts& counts, Log4jsLevel level) {
  return counts.levels[static_cast<size_t>(level)];
}
uint64_t CauseCount(const documentserver::ServiceCounts& counts, Cause cause) {
  return counts.causes[static_cast<size_t>(cause)];
}

std::optional<UpstreamFailure> Upstream(std::string_view line) {
  const auto entry = logs::ClassifyNginxErrorLine(line);
  REQUIRE(entry);
  return entry->upstream;
}

}  // namespace

TEST_CASE("DocService 7.1's log: JWT rejections, then the uncaught exception that killed it") {
  const auto counts =
      CountEntries(SharedLog("docservice-7.1.1-out.log"), Log4jsService::kDocservice);
  // Nine entries: the stack trace is part of the entry it follows.
  CHECK(Level(counts, Log4jsLevel::kWarn) == 7);
  CHECK(Level(counts, Log4jsLevel::kError) == 2);
  CHECK(CauseCount(counts, Cause::kJwt) == 4);
  CHECK(CauseCount(counts, Cause::kUncaughtException) == 1);
  // The exception's stack is logged as an entry of its own: PostgreSQL's "terminating connection".
  CHECK(CauseCount(counts, Cause::kDatabase) == 1);
  CHECK(CauseCount(counts, Cause::kNone) == 3);
  CHECK(CauseCount(counts, Cause::kAmqp) + CauseCount(counts, Cause::kRedis) +
            CauseCount(counts, Cause::kConversion) ==
        0);
}

TEST_CASE("DocService 9.4's log: JWT rejections, then database errors it lives through") {
  const auto counts =
      CountEntries(SharedLog("docservice-9.4.0-out.log"), Log4jsService::kDocservice);
  CHECK(Level(counts, Log4jsLevel::kWarn) == 14);
  CHECK(Level(counts, Log4jsLevel::kError) == 5);
  CHECK(CauseCount(counts, Cause::kJwt) == 4);
  // Two pool errors, three failed SELECT 1, and three healthCheck errors whose stack names
  // pg-pool.
  CHECK(CauseCount(counts, Cause::kDatabase) == 8);
  CHECK(CauseCount(counts, Cause::kUncaughtException) == 0);
}

TEST_CASE("log4js heads in both layouts; continuation lines are not entries") {
  const auto v7 =
      logs::ParseLog4jsHead("[2026-12-01T19:15:52.236] [WARN] nodeJS - checkJwt error: docId = x",
                            Log4jsService::kDocservice);
  REQUIRE(v7);
  CHECK(v7->level == Log4jsLevel::kWarn);
  CHECK(v7->cause == Cause::kJwt);
  // 9.x: the document and user ids sit in brackets before the category; they never name a cause.
  const auto v9 = logs::ParseLog4jsHead(
      "[2026-12-01T19:16:29.051] [ERROR] [localhost] [redis-notes] [user-redis] nodeJS - "
      "postgresql pool error error: terminating connection",
      Log4jsService::kDocservice);
  REQUIRE(v9);
  CHECK(v9->cause == Cause::kDatabase);
  CHECK_FALSE(logs::ParseLog4jsHead("    at Parser.parse (/var/www/x.js:37:38)",
                                    Log4jsService::kDocservice));
  CHECK_FALSE(logs::ParseLog4jsHead("- /var/www/onlyoffice/documentserver/server/DocService/x.js",
                                    Log4jsService::kDocservice));
  CHECK_FALSE(logs::ParseLog4jsHead("[2026-12-01T19:16:29.051] [LOUD] nodeJS - x",
                                    Log4jsService::kDocservice));
  // Below WARN nothing is a cause: production logs WARN and above.
  const auto info = logs::ParseLog4jsHead("[2026-12-01T19:16:29.051] [INFO] nodeJS - redis ready",
                                          Log4jsService::kDocservice);
  REQUIRE(info);
  CHECK(info->cause == Cause::kNone);
}

TEST_CASE("AMQP, Redis and conversion causes; the converter's other errors are conversions") {
  const auto cause = [](std::string_view message,
                        Log4jsService service = Log4jsService::kDocservice) {
    const auto head = logs::ParseLog4jsHead(
        std::string("[2026-12-01T19:16:29.051] [ERROR] nodeJS - ").append(message), service);
    REQUIRE(head);
    return head->cause;
  };
  CHECK(cause("[AMQP] Error: connect ECONNREFUSED 127.0.0.1:5672") == Cause::kAmqp);
  CHECK(cause("Redis connection error: ECONNREFUSED") == Cause::kRedis);
  CHECK(cause("ExitCode (code=89;signal=null;error:-89)", Log4jsService::kConverter) ==
        Cause::kConversion);
  CHECK(cause("something broke", Log4jsService::kConverter) == Cause::kConversion);
  CHECK(cause("something broke") == Cause::kNone);
  // The converter's entry whose stack names the broker is the broker's.
  const auto head = logs::ParseLog4jsHead("[2026-12-01T19:16:29.051] [ERROR] nodeJS - Error",
                                          Log4jsService::kConverter);
  REQUIRE(head);
  CHECK(logs::RefineCause(*head,
                          "    at Socket.x (/srv/FileConverter/node_modules/amqplib/lib/c.js:1)") ==
        Cause::kAmqp);
}

TEST_CASE("nginx in front of a dead docservice: each 502 is a refused connect()") {
  const std::string log = SharedLog("nginx-error-docservice-down.log");
  const auto lines = Lines(log);
  size_t refused = 0;
  for (const auto line : lines) {
    if (line.empty()) continue;
    if (Upstream(line) == UpstreamFailure::kRefused) ++refused;
  }
  CHECK(refused == 2);
}

TEST_CASE("nginx's upstream failures by reason, and the lines that are not failed requests") {
  const std::string tail =
      ", client: 127.0.0.1, server: , request: \"GET /healthcheck HTTP/1.1\", upstream: "
      "\"http://127.0.0.1:41000/healthcheck\", host: \"127.0.0.1:41001\"";
  const std::string head = "2026/12/01 19:20:00 [error] 4242#4242: *7 ";
  CHECK(Upstream(head +
                 "upstream timed out (110: Connection timed out) while reading response "
                 "header from upstream" +
                 tail) == UpstreamFailure::kTimeout);
  CHECK(Upstream(head + "no live upstreams while connecting to upstream" + tail) ==
        UpstreamFailure::kNoLiveUpstreams);
  CHECK(Upstream(head +
                 "upstream prematurely closed connection while reading response header "
                 "from upstream" +
                 tail) == UpstreamFailure::kPrematurelyClosed);
  CHECK(Upstream(head +
                 "recv() failed (104: Connection reset by peer) while reading response "
                 "header from upstream" +
                 tail) == UpstreamFailure::kOther);
  CHECK(Upstream(head +
                 "documentserver could not be resolved (3: Host not found), client: 127.0.0.1, "
                 "server: , request: \"GET / HTTP/1.1\", host: \"edge\"") ==
        UpstreamFailure::kResolve);
  // Warnings about upstreams and errors about files are not failed requests to an upstream.
  CHECK_FALSE(
      Upstream("2026/12/01 19:20:00 [warn] 4242#4242: *7 upstream server temporarily "
               "disabled while connecting to upstream" +
               tail));
  CHECK_FALSE(
      Upstream("2026/12/01 19:20:00 [warn] 4242#4242: *7 an upstream response is "
               "buffered to a temporary file /x/1 while reading upstream" +
               tail));
  CHECK_FALSE(Upstream(head + "open() \"/usr/share/nginx/html/favicon.ico\" failed (2: No such "
                              "file or directory), client: 1.2.3.4, server: , request: \"GET "
                              "/favicon.ico HTTP/1.1\""));
  const auto notice =
      logs::ClassifyNginxErrorLine("2026/12/01 19:20:00 [notice] 1#1: signal process started");
  REQUIRE(notice);
  CHECK(notice->level == logs::NginxLevel::kNotice);
  CHECK_FALSE(logs::ClassifyNginxErrorLine("nginx: [emerg] bind() to 0.0.0.0:80 failed"));
  CHECK_FALSE(logs::ClassifyNginxErrorLine("2026/12/01 19:20:00 [loud] 1#1: x"));
  CHECK_FALSE(logs::ClassifyNginxErrorLine(""));
}

}  // namespace ooe
