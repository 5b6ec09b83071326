// What fuzzing (tests/fuzz) found in the parsers: each case is a reply that once crashed, threw
// through, invoked undefined behaviour or was silently misread, and must now be an error value or
// a sensible reading.
#include <catch2/catch.hpp>

#include "collectors/docker/parser.h"
#include "collectors/documentserver/jwt.h"
#include "collectors/documentserver/parser.h"
#include "collectors/rabbitmq/parser.h"
#include "exporter/config.h"

namespace ooe {

TEST_CASE("rabbitmq: a queue page with a huge, negative or fractional page_count is an error") {
  for (const char* count : {"1e300", "-3", "2.5", "100001", "18446744073709551615"}) {
    const auto page = rabbitmq::ParseQueuePage(
        std::string(R"({"items":[],"page":1,"page_count":)") + count + R"(,"total_count":0})");
    INFO(count);
    REQUIRE_FALSE(page);
    CHECK(page.error == "\"page_count\" is not a whole number from 0 to 100000");
  }
  const auto page = rabbitmq::ParseQueuePage(R"({"items":[],"page":0,"page_count":1})");
  CHECK_FALSE(page);
  const auto empty = rabbitmq::ParseQueuePage(R"({"items":[],"page":1,"page_count":0})");
  REQUIRE(empty);
  CHECK(empty->page_count == 0);
}

TEST_CASE("rabbitmq: a node whose running is not a boolean is not running, and no exception") {
  const auto nodes = rabbitmq::ParseNodes(R"([{"name":"rabbit@a","running":"yes"}])");
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 1);
  CHECK_FALSE(nodes->front().running);
}

TEST_CASE("documentserver: a CommandService error that is no error code is an error value") {
  for (const char* error : {"1e300", "-1e300", "1.5", "4294967296"}) {
    INFO(error);
    const auto reply = documentserver::ParseCommandReply(std::string(R"({"error":)") + error + "}");
    REQUIRE_FALSE(reply);
    CHECK(reply.error == "CommandService reply's 'error' is not an error code");
  }
  const auto reply = documentserver::ParseCommandReply(R"({"error":7})");
  REQUIRE(reply);
  CHECK(reply->error == 7);
}

TEST_CASE("documentserver: info.json with a build number that is no whole number has no build") {
  const auto info =
      documentserver::ParseInfo(R"({"serverInfo":{"buildVersion":"7.1.1","buildNumber":1e300}})");
  REQUIRE(info);
  CHECK(info->build.empty());
  CHECK(info->version == "7.1.1");
}

TEST_CASE("documentserver: a token whose alg is not a string is invalid, not an exception") {
  const auto header = documentserver::Base64UrlEncode(R"({"alg":1})");
  const auto token = header + "." + documentserver::Base64UrlEncode("{}") + ".c2ln";
  CHECK(documentserver::CheckHs256(token, "secret", 0) == documentserver::TokenCheck::kInvalid);
}

TEST_CASE("docker: block devices with impossible device numbers are skipped") {
  const auto stats = docker::ParseStats(
      R"({"read":"2026-11-24T22:13:10Z","blkio_stats":{"io_service_bytes_recursive":[)"
      R"({"major":1e300,"minor":0,"op":"read","value":1},)"
      R"({"major":8,"minor":-1,"op":"read","value":1},)"
      R"({"major":8,"minor":0,"op":"Read","value":7}]}})");
  REQUIRE(stats);
  REQUIRE(stats->block_devices.size() == 1);
  CHECK(stats->block_devices.front().device == "8:0");
  CHECK(stats->block_devices.front().read_bytes == 7);
}

TEST_CASE("config: a list or a mapping as a key is a config error naming where it is") {
  const auto collectors = ParseConfigText("collectors:\n  [a]: 1\n", "ooe.yml");
  REQUIRE_FALSE(collectors);
  CHECK(collectors.error == "ooe.yml: collectors.(key): must be a collector kind's name");
  const auto scrape = ParseConfigText("scrape:\n  {a: 1}: 1\n", "ooe.yml");
  REQUIRE_FALSE(scrape);
  CHECK(scrape.error == "ooe.yml: scrape.(key): must be a name, not a list or a mapping");
}

TEST_CASE("config: a file without a collectors section, or with a section twice, loads") {
  const auto no_collectors = ParseConfigText("scrape:\n  timeout: 1s\n", "ooe.yml");
  REQUIRE(no_collectors);
  CHECK(no_collectors->scrape_timeout == std::chrono::seconds(1));
  CHECK(ParseConfigText("collectors:\n  docker:\n    enabled: false\n", "ooe.yml"));
  CHECK(ParseConfigText("scrape:\n  timeout: 1s\nscrape:\n  timeout: 2s\n", "ooe.yml"));
}

TEST_CASE("config: the config text loader returns YAML errors with the line") {
  const auto broken = ParseConfigText("scrape: [\n", "ooe.yml");
  REQUIRE_FALSE(broken);
  CHECK(broken.error.starts_with("ooe.yml: line 2 column 1: "));
  const auto fine = ParseConfigText("collectors:\n  docker:\n    enabled: false\n", "ooe.yml");
  REQUIRE(fine);
}

}  // namespace ooe
