// The Document Server parsers on every real DocService reply in fixtures/documentserver/ (7.1.1
// and 9.4.0), on edited copies with distinct numbers, and the HS256 tokens CommandService reads.
#include <catch2/catch.hpp>
#include <filesystem>

#include "collectors/documentserver/collector.h"
#include "collectors/documentserver/jwt.h"
#include "collectors/documentserver/parser.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

namespace ds = documentserver;
namespace fs = std::filesystem;

const fs::path kRealReplies = fs::path(OOE_SHARED_FIXTURES_DIR) / "documentserver";
const fs::path kEdited = fs::path(OOE_SOURCE_DIR) / "tests/fixtures/documentserver";

std::vector<test::Sample> InfoSamples(const std::string& body) {
  const auto info = ds::ParseInfo(body);
  REQUIRE(info);
  MetricSet metrics;
  ds::AddInfoMetrics(*info, metrics);
  return test::ParseExposition(SerializeText(metrics.Take()));
}

// What SOURCES.md says each reply is.
int ExpectedCommandError(const std::string& name) {
  if (name.find("jwt-expired") != std::string::npos) return 7;
  if (name.find("jwt-missing") != std::string::npos ||
      name.find("jwt-wrong-secret") != std::string::npos ||
      name.find("jwt-garbage-token") != std::string::npos) {
    return 6;
  }
  if (name == "command-unknown-nojwt" || name == "command-garbage-nojwt" || name == "command-get") {
    return 1;
  }
  return 0;
}

}  // namespace

TEST_CASE("documentserver: every real DocService reply parses as what it is") {
  size_t checked = 0;
  for (const auto& version : {"docservice-7.1.1", "docservice-9.4.0"}) {
    for (const auto& entry : fs::directory_iterator(kRealReplies / version)) {
      if (entry.path().extension() != ".body") continue;
      const std::string name = entry.path().stem().string();
      const std::string body = test::ReadFile(entry.path());
      INFO(version << "/" << name);
      if (name.starts_with("healthcheck-")) {
        CHECK(ds::IsHealthcheckBody(body));
        // SOURCES.md: false while PostgreSQL (9.4) or RabbitMQ is down, true otherwise.
        const bool down =
            name == "healthcheck-postgres-down" || name == "healthcheck-rabbitmq-down";
        CHECK(ds::JudgeHealthcheck(200, body) ==
              (down ? ds::ProbeFailure::kBody : ds::ProbeFailure::kNone));
        CHECK(ds::JudgeHealthcheck(502, body) == ds::ProbeFailure::kHttpStatus);
      } else if (name.starts_with("info-json")) {
        const auto info = ds::ParseInfo(body);
        REQUIRE(info);
        CHECK(info->version == "4.1.2");  // a source build's placeholder version
        CHECK(info->build == "37");
        CHECK(info->license.connections_limit == 20);
        CHECK_FALSE(info->license.end_timestamp);  // endDate null: no end
        CHECK(info->license.start_timestamp == 1793491200);
        const bool is_94 = std::string(version) == "docservice-9.4.0";
        CHECK(info->license.connections_view_limit.has_value() == is_94);
        CHECK(info->connections.size() == (is_94 ? 2U : 1U));
        CHECK(info->users.size() == (is_94 ? 4U : 2U));
        CHECK(info->connections_peak.size() == (is_94 ? 15U : 8U));
      } else if (name.starts_with("command-")) {
        const auto reply = ds::ParseCommandReply(body);
        REQUIRE(reply);
        CHECK(reply->error == ExpectedCommandError(name));
        if (name.starts_with("command-version") && reply->error == 0) {
          CHECK(reply->version == "4.1.2.37");
        }
        if (name.starts_with("command-license") && reply->error == 0) {
          REQUIRE(reply->license);
          CHECK(reply->license->connections_limit == 20);
          CHECK(reply->license->start_timestamp == 1793491200);
        }
      } else if (name == "index") {
        // The welcome text is no JSON: a clear error, not an empty Info.
        const auto info = ds::ParseInfo(body);
        CHECK_FALSE(info);
        CHECK_THAT(info.error, Catch::StartsWith("/info/info.json reply is not JSON"));
        CHECK_FALSE(ds::IsHealthcheckBody(body));
      } else {
        FAIL("no expectation for " << name << ": say in this test what it is");
      }
      ++checked;
    }
  }
  CHECK(checked == 38);  // every .body file in both directories
}

TEST_CASE("documentserver: 9.4's info.json with distinct numbers maps each to its series") {
  const auto samples = InfoSamples(test::ReadFile(kEdited / "info-json-9.4.0.edited.body"));
  using test::FindValue;
  CHECK(FindValue(samples, "onlyoffice_documentserver_build_info",
                  {{"version", "9.4.0"}, {"build", "36"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_connections", {{"mode", "edit"}}) == 7);
  CHECK(FindValue(samples, "onlyoffice_documentserver_connections", {{"mode", "view"}}) == 3);
  CHECK(FindValue(samples, "onlyoffice_documentserver_users",
                  {{"mode", "edit"}, {"kind", "unique"}}) == 5);
  CHECK(FindValue(samples, "onlyoffice_documentserver_users",
                  {{"mode", "edit"}, {"kind", "anonymous"}}) == 2);
  CHECK(FindValue(samples, "onlyoffice_documentserver_users",
                  {{"mode", "view"}, {"kind", "unique"}}) == 4);
  CHECK(FindValue(samples, "onlyoffice_documentserver_users",
                  {{"mode", "view"}, {"kind", "anonymous"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_connections_max",
                  {{"mode", "edit"}, {"period", "hour"}}) == 9);
  CHECK(FindValue(samples, "onlyoffice_documentserver_connections_max",
                  {{"mode", "liveview"}, {"period", "day"}}) == 2);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                  {{"mode", "edit"}}) == 50);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                  {{"mode", "view"}}) == 100);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_users_limit", {{"mode", "edit"}}) ==
        25);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_end_timestamp_seconds") ==
        1803859200);
}

TEST_CASE("documentserver: 7.1's flat quota counts editing") {
  const auto samples = InfoSamples(test::ReadFile(kEdited / "info-json-7.1.1.edited.body"));
  using test::FindValue;
  CHECK(FindValue(samples, "onlyoffice_documentserver_build_info",
                  {{"version", "7.1.1"}, {"build", "76"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_connections", {{"mode", "edit"}}) == 4);
  CHECK(test::CountSamples(samples, "onlyoffice_documentserver_connections") == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_users",
                  {{"mode", "edit"}, {"kind", "unique"}}) == 3);
  CHECK(FindValue(samples, "onlyoffice_documentserver_users",
                  {{"mode", "edit"}, {"kind", "anonymous"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                  {{"mode", "edit"}}) == 50);
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                        {{"mode", "view"}}));
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_end_timestamp_seconds") ==
        1803859200);
}

TEST_CASE("documentserver: the license command with distinct numbers") {
  const auto reply =
      ds::ParseCommandReply(test::ReadFile(kEdited / "command-license-9.4.0.edited.body"));
  REQUIRE(reply);
  REQUIRE(reply->license);
  CHECK(reply->license->connections_limit == 50);
  CHECK(reply->license->connections_view_limit == 20);
  CHECK(reply->license->users_limit == 25);
  CHECK(reply->license->end_timestamp == 1803859200);
}

TEST_CASE("documentserver: garbage is an error naming what was wrong, never zeros") {
  CHECK_THAT(ds::ParseInfo("{not json").error,
             Catch::Equals("/info/info.json reply is not JSON (9 bytes)"));
  CHECK_THAT(ds::ParseInfo("[1,2]").error, Catch::Contains("not an object"));
  CHECK_THAT(ds::ParseInfo("{}").error, Catch::Contains("no serverInfo object"));
  CHECK_THAT(ds::ParseInfo("").error, Catch::Contains("not JSON"));
  CHECK_THAT(ds::ParseCommandReply(R"({"version":"7.1.1.23"})").error,
             Catch::Contains("no numeric 'error' field"));
  CHECK_THAT(ds::ParseCommandReply("<html>502 Bad Gateway</html>").error,
             Catch::Contains("CommandService reply is not JSON"));
  // Wrong types are left out rather than read as 0.
  const auto info = ds::ParseInfo(
      R"({"serverInfo":{"buildVersion":"7.1.1"},"quota":{"editorConnectionsCount":"many"},)"
      R"("licenseInfo":{"connections":null,"endDate":"soon"}})");
  REQUIRE(info);
  CHECK(info->connections.empty());
  CHECK_FALSE(info->license.connections_limit);
  CHECK_FALSE(info->license.end_timestamp);
  CHECK(info->build.empty());
  // nginx's error page is not a verdict.
  CHECK_FALSE(ds::IsHealthcheckBody("<html><head><title>502 Bad Gateway</title></head></html>"));
  CHECK(ds::JudgeHealthcheck(200, "truely") == ds::ProbeFailure::kBody);
  CHECK(ds::JudgeHealthcheck(200, "true\n") == ds::ProbeFailure::kNone);
  CHECK(ds::JudgeHealthcheck(200, "") == ds::ProbeFailure::kBody);
}

TEST_CASE("documentserver: versions and timestamps") {
  CHECK(ds::SplitVersion("7.1.1.23") == std::pair<std::string, std::string>{"7.1.1", "23"});
  CHECK(ds::SplitVersion("4.1.2.37") == std::pair<std::string, std::string>{"4.1.2", "37"});
  CHECK(ds::SplitVersion("7.1.1") == std::pair<std::string, std::string>{"7.1.1", ""});
  CHECK(ds::ParseIsoTimestamp("2026-11-01T00:00:00.000Z") == 1793491200);
  CHECK(ds::ParseIsoTimestamp("2027-03-01T00:00:00.500Z") == 1803859200.5);
  CHECK_FALSE(ds::ParseIsoTimestamp("2026-11-01"));
  CHECK_FALSE(ds::ParseIsoTimestamp("2026-13-01T00:00:00.000Z"));
  CHECK_FALSE(ds::ParseIsoTimestamp("2026-11-01T00:00:00.000Zjunk"));
  CHECK_FALSE(ds::ParseIsoTimestamp(""));
}

TEST_CASE("documentserver: HS256 tokens agree with an independent implementation") {
  // jwt.io's example token, signed with "your-256-bit-secret" (checked with Python's hmac).
  const std::string example =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
      "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  nlohmann::json claims;
  CHECK(ds::CheckHs256(example, "your-256-bit-secret", 1'700'000'000, &claims) ==
        ds::TokenCheck::kValid);
  CHECK(claims["name"] == "John Doe");
  CHECK(ds::CheckHs256(example, "another-secret", 1'700'000'000) == ds::TokenCheck::kInvalid);

  const nlohmann::json payload = {{"payload", {{"c", "version"}}}, {"exp", 2'000}};
  const auto token = ds::SignHs256(payload, "exporter-test-secret");
  CHECK(ds::CheckHs256(token, "exporter-test-secret", 1'000, &claims) == ds::TokenCheck::kValid);
  CHECK(claims == payload);
  CHECK(ds::CheckHs256(token, "exporter-test-secret", 2'000) == ds::TokenCheck::kExpired);
  CHECK(ds::CheckHs256(token, "wrong", 1'000) == ds::TokenCheck::kInvalid);
  CHECK(ds::CheckHs256("not.a.jwt", "exporter-test-secret", 1'000) == ds::TokenCheck::kInvalid);
  CHECK(ds::CheckHs256("", "exporter-test-secret", 1'000) == ds::TokenCheck::kInvalid);
  std::string tampered = token;
  tampered[tampered.find('.') + 2] ^= 1;
  CHECK(ds::CheckHs256(tampered, "exporter-test-secret", 1'000) == ds::TokenCheck::kInvalid);
  for (const std::string bytes : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe"}) {
    CHECK(ds::Base64UrlDecode(ds::Base64UrlEncode(bytes)) == bytes);
  }
  CHECK(ds::Base64UrlEncode("\xfb\xff") == "-_8");
}

}  // namespace ooe
