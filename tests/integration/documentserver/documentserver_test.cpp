// The Document Server collector against real nginx, configured as Document Server configures it,
// in front of the DocService stand-in answering real DocService 7.1 and 9.4 replies: healthy,
// unhealthy, upstream stopped (nginx's 502), upstream too slow (nginx's 504, or our timeout
// first), JWT with the right and the wrong secret.
#include "tests/support/documentserver.h"

#include <catch2/catch.hpp>

#include "collectors/documentserver/collector.h"
#include "tests/support/collect.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

using test::FindValue;
using Labels = std::map<std::string, std::string>;

const Labels kNginx = {{"via", "nginx"}};
const Labels kDocservice = {{"via", "docservice"}};

TargetCollector MakeCollector(const std::string& yaml) {
  return test::MakeTarget("documentserver", yaml);
}

std::string Target(const test::DocumentServerNginx& nginx, const test::DocServiceStandin* direct,
                   const std::string& extra = "") {
  std::string yaml = "url: " + nginx.Url() + "\n";
  if (direct != nullptr) yaml += "docservice_url: " + direct->Url() + "\n";
  return yaml + extra;
}

struct Scraped {
  std::vector<test::Sample> samples;
  std::string error;
  double seconds = 0;
};

Scraped Scrape(const TargetCollector& collector,
               std::chrono::seconds deadline = std::chrono::seconds(10)) {
  const auto start = Clock::now();
  const auto result = collector.Collect(ScrapeContext{start + deadline});
  Scraped scraped;
  scraped.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  scraped.samples = test::SamplesOf(result);
  scraped.error = result.ErrorLine();
  return scraped;
}

// The one failure reason set to 1 for `via`, or "none".
std::string FailureReason(const std::vector<test::Sample>& samples, const std::string& via) {
  std::string reason = "none";
  for (const auto& sample : samples) {
    if (sample.name == "onlyoffice_documentserver_healthcheck_failure" &&
        sample.labels.at("via") == via && sample.value == 1) {
      CHECK(reason == "none");  // never two at once
      reason = sample.labels.at("reason");
    }
  }
  return reason;
}

}  // namespace

TEST_CASE("healthy 9.4 through nginx and on docservice: probes, info.json, commands") {
  test::DocServiceStandin docservice("docservice-9.4.0");
  test::DocumentServerNginx nginx(docservice.Port());
  auto collector = MakeCollector(Target(nginx, &docservice));
  const auto scraped = Scrape(collector);
  INFO(scraped.error);
  CHECK(scraped.error.empty());
  const auto& samples = scraped.samples;
  for (const auto& via : {kNginx, kDocservice}) {
    CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_up", via) == 1);
    CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_http_status", via) == 200);
    CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_duration_seconds", via) > 0);
    CHECK(FailureReason(samples, via.at("via")) == "none");
  }
  CHECK(test::CountSamples(samples, "onlyoffice_documentserver_healthcheck_failure") == 14);
  CHECK(FindValue(samples, "onlyoffice_documentserver_info_up") == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_build_info",
                  {{"version", "4.1.2"}, {"build", "37"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                  {{"mode", "edit"}}) == 20);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                  {{"mode", "view"}}) == 20);
  CHECK(FindValue(samples, "onlyoffice_documentserver_connections", {{"mode", "view"}}) == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_connections_max",
                  {{"mode", "liveview"}, {"period", "hour"}}) == 0);
  // The open-source license never ends: no end date rather than a 1970 one.
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_license_end_timestamp_seconds"));
  CHECK(FindValue(samples, "onlyoffice_documentserver_command_error", {{"command", "version"}}) ==
        0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_command_error", {{"command", "license"}}) ==
        0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_jwt_rejected") == 0);
}

TEST_CASE("7.1's info.json shape: edit counters only, no view license") {
  test::DocServiceStandin docservice("docservice-7.1.1");
  test::DocumentServerNginx nginx(docservice.Port());
  auto collector = MakeCollector(Target(nginx, &docservice));
  const auto scraped = Scrape(collector);
  INFO(scraped.error);
  CHECK(scraped.error.empty());
  const auto& samples = scraped.samples;
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_up", kNginx) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_connections", {{"mode", "edit"}}) == 0);
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_connections", {{"mode", "view"}}));
  CHECK(FindValue(samples, "onlyoffice_documentserver_users",
                  {{"mode", "edit"}, {"kind", "unique"}}) == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                  {{"mode", "edit"}}) == 20);
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                        {{"mode", "view"}}));
  CHECK_FALSE(
      FindValue(samples, "onlyoffice_documentserver_connections_max", {{"mode", "liveview"}}));
}

TEST_CASE(
    "unhealthy: 200 with the body false is Document Server's verdict, not an exporter error") {
  test::DocServiceStandin docservice;
  test::DocumentServerNginx nginx(docservice.Port());
  docservice.SetMode("unhealthy");
  auto collector = MakeCollector(Target(nginx, &docservice));
  const auto scraped = Scrape(collector);
  CHECK(scraped.error.empty());
  for (const auto& via : {kNginx, kDocservice}) {
    CHECK(FindValue(scraped.samples, "onlyoffice_documentserver_healthcheck_up", via) == 0);
    CHECK(FindValue(scraped.samples, "onlyoffice_documentserver_healthcheck_http_status", via) ==
          200);
    CHECK(FailureReason(scraped.samples, via.at("via")) == "body");
  }
  docservice.SetMode("healthy");
  CHECK(FindValue(Scrape(collector).samples, "onlyoffice_documentserver_healthcheck_up", kNginx) ==
        1);
}

TEST_CASE("upstream stopped: nginx's real 502, docservice refusing, and recovery") {
  test::DocServiceStandin docservice;
  test::DocumentServerNginx nginx(docservice.Port());
  auto collector = MakeCollector(Target(nginx, &docservice));
  docservice.Stop();
  CHECK(test::HttpGet(nginx.Url() + "/healthcheck").status == 502);  // nginx itself says so

  const auto scraped = Scrape(collector);
  const auto& samples = scraped.samples;
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_up", kNginx) == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_http_status", kNginx) == 502);
  CHECK(FailureReason(samples, "nginx") == "http_status");
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_http_status", kDocservice) == 0);
  CHECK(FailureReason(samples, "docservice") == "connect");
  CHECK(FindValue(samples, "onlyoffice_documentserver_info_up") == 0);
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_build_info"));
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_command_error"));
  CHECK_THAT(scraped.error, Catch::Contains("/healthcheck: HTTP 502: nginx: nothing answers "
                                            "behind it, docservice down") &&
                                Catch::Contains("/healthcheck: connect: Connection refused"));

  docservice.Start();
  const auto recovered = Scrape(collector);
  CHECK(recovered.error.empty());
  CHECK(FindValue(recovered.samples, "onlyoffice_documentserver_healthcheck_up", kNginx) == 1);
}

TEST_CASE("upstream too slow: nginx's real 504 when its proxy_read_timeout passes first") {
  test::DocServiceStandin docservice;
  test::DocumentServerNginx nginx(docservice.Port(), "1s");
  docservice.SetMode("hang");
  auto collector = MakeCollector(Target(nginx, &docservice, "timeout: 3s\n"));
  const auto scraped = Scrape(collector);
  const auto& samples = scraped.samples;
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_http_status", kNginx) == 504);
  CHECK(FailureReason(samples, "nginx") == "http_status");
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_duration_seconds", kNginx) ==
        Approx(1.0).margin(0.5));
  CHECK(FailureReason(samples, "docservice") == "timeout");
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_duration_seconds", kDocservice) ==
        Approx(3.0).margin(0.5));
  CHECK_THAT(scraped.error, Catch::Contains("HTTP 504: nginx: docservice too slow to answer"));
  CHECK(scraped.seconds < 4.5);
  docservice.SetMode("healthy");
}

TEST_CASE("upstream too slow: our own timeout first, long before nginx's 60 s") {
  test::DocServiceStandin docservice;
  test::DocumentServerNginx nginx(docservice.Port());  // Document Server's default: 60 s
  docservice.SetMode("hang");
  auto collector = MakeCollector(Target(nginx, nullptr, "timeout: 1500ms\n"));
  const auto scraped = Scrape(collector);
  const auto& samples = scraped.samples;
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_up", kNginx) == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_http_status", kNginx) == 0);
  CHECK(FailureReason(samples, "nginx") == "timeout");
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_duration_seconds", kNginx) ==
        Approx(1.5).margin(0.3));
  CHECK_THAT(scraped.error, Catch::Contains("no complete reply within its 1500 ms timeout"));
  CHECK(scraped.seconds < 2.5);  // the scrape does not wait for the hung probe
  // Only nginx was given: no docservice series at all.
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_healthcheck_up", kDocservice));
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_info_up"));
  docservice.SetMode("healthy");
}

TEST_CASE("the scrape deadline bounds the probe when it is shorter than the timeout") {
  test::DocServiceStandin docservice;
  test::DocumentServerNginx nginx(docservice.Port());
  docservice.SetMode("hang");
  auto collector = MakeCollector(Target(nginx, &docservice, "timeout: 30s\n"));
  const auto scraped = Scrape(collector, std::chrono::seconds(2));
  CHECK(scraped.seconds < 3);
  CHECK(FailureReason(scraped.samples, "nginx") == "timeout");
  CHECK(FailureReason(scraped.samples, "docservice") == "timeout");
  docservice.SetMode("healthy");
}

TEST_CASE("without docservice_url: version and license from CommandService through nginx") {
  test::DocServiceStandin docservice("docservice-7.1.1");
  test::DocumentServerNginx nginx(docservice.Port());
  auto collector = MakeCollector(Target(nginx, nullptr));
  const auto scraped = Scrape(collector);
  INFO(scraped.error);
  CHECK(scraped.error.empty());
  const auto& samples = scraped.samples;
  CHECK(FindValue(samples, "onlyoffice_documentserver_build_info",
                  {{"version", "4.1.2"}, {"build", "37"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                  {{"mode", "edit"}}) == 20);
  CHECK(FindValue(samples, "onlyoffice_documentserver_license_start_timestamp_seconds") ==
        1793491200);  // 2026-11-01T00:00:00.000Z
  CHECK_FALSE(FindValue(samples, "onlyoffice_documentserver_connections"));
}

TEST_CASE("JWT on, the right secret: in the Authorization header and in the body") {
  test::TempDir dir;
  test::WriteFile(dir / "secret", "exporter-test-secret\n");
  test::DocServiceStandin docservice("docservice-9.4.0", "exporter-test-secret");
  test::DocumentServerNginx nginx(docservice.Port());
  for (const std::string placement : {"jwt_in_body: false\n", "jwt_in_body: true\n"}) {
    INFO(placement);
    auto collector = MakeCollector(
        Target(nginx, nullptr, "jwt_secret_file: " + (dir / "secret").string() + "\n" + placement));
    const auto scraped = Scrape(collector);
    INFO(scraped.error);
    CHECK(scraped.error.empty());
    CHECK(FindValue(scraped.samples, "onlyoffice_documentserver_command_error",
                    {{"command", "version"}}) == 0);
    CHECK(FindValue(scraped.samples, "onlyoffice_documentserver_jwt_rejected") == 0);
    CHECK(FindValue(scraped.samples, "onlyoffice_documentserver_build_info",
                    {{"version", "4.1.2"}}) == 1);
  }
}

TEST_CASE("JWT on, the wrong secret: error 6, reported as a configuration problem") {
  test::TempDir dir;
  test::WriteFile(dir / "secret", "not-the-secret");
  test::DocServiceStandin docservice("docservice-9.4.0", "exporter-test-secret");
  test::DocumentServerNginx nginx(docservice.Port());
  auto collector = MakeCollector(
      Target(nginx, &docservice, "jwt_secret_file: " + (dir / "secret").string() + "\n"));
  const auto scraped = Scrape(collector);
  const auto& samples = scraped.samples;
  CHECK(FindValue(samples, "onlyoffice_documentserver_command_error", {{"command", "version"}}) ==
        6);
  CHECK(FindValue(samples, "onlyoffice_documentserver_jwt_rejected") == 1);
  // The server is fine: only the exporter's secret is wrong.
  CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_up", kNginx) == 1);
  CHECK_THAT(scraped.error, Catch::Contains("error 6 (token invalid or missing)") &&
                                Catch::Contains("the secret from " + (dir / "secret").string()) &&
                                Catch::Contains("services.CoAuthoring.secret"));
  CHECK(scraped.error.find("not-the-secret") == std::string::npos);
  CHECK(collector.collector->Describe().find("not-the-secret") == std::string::npos);
}

TEST_CASE("JWT on and no secret configured: the error says to set one") {
  test::DocServiceStandin docservice("docservice-7.1.1", "exporter-test-secret");
  test::DocumentServerNginx nginx(docservice.Port());
  auto collector = MakeCollector(Target(nginx, nullptr));
  const auto scraped = Scrape(collector);
  CHECK(FindValue(scraped.samples, "onlyoffice_documentserver_jwt_rejected") == 1);
  CHECK_THAT(scraped.error, Catch::Contains("Document Server wants a JWT: set jwt_secret_file"));
}

TEST_CASE("a name that does not resolve fails in the resolve phase") {
  auto collector = MakeCollector("url: http://documentserver.invalid\ntimeout: 3s\ncommands: []\n");
  const auto scraped = Scrape(collector);
  CHECK(FailureReason(scraped.samples, "nginx") == "resolve");
  CHECK(FindValue(scraped.samples, "onlyoffice_documentserver_healthcheck_http_status", kNginx) ==
        0);
  CHECK_THAT(scraped.error, Catch::Contains("documentserver.invalid"));
}

TEST_CASE("what answers is not Document Server: a clear error, no healthy probe") {
  // nginx with nothing but the stand-in's 404 for an unknown path would be too kind: point the
  // probe at nginx's own /control/ location, which answers 404 like a wrong base URL does.
  test::DocServiceStandin docservice;
  test::DocumentServerNginx nginx(docservice.Port());
  auto collector = MakeCollector("url: " + nginx.Url() + "/control\ncommands: []\n");
  const auto scraped = Scrape(collector);
  CHECK(FindValue(scraped.samples, "onlyoffice_documentserver_healthcheck_http_status", kNginx) ==
        404);
  CHECK(FailureReason(scraped.samples, "nginx") == "http_status");
  CHECK_THAT(scraped.error, Catch::Contains("/control/healthcheck: HTTP 404"));
}

TEST_CASE("configuration mistakes name the key") {
  const auto error_of = [](const std::string& yaml) {
    try {
      MakeCollector(yaml);
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("docservice_url: http://x:8000\n") == "test.yml: target.url: is required");
  CHECK_THAT(error_of("url: documentserver\n"),
             Catch::Contains("target.url: 'documentserver' must be an http:// or https://"));
  CHECK_THAT(error_of("url: http://ds\ncommands: [restart]\n"),
             Catch::Contains("target.commands: 'restart' is not one the exporter reads"));
  CHECK_THAT(error_of("url: http://ds\njwt_secret: plain\n"), Catch::Contains("jwt_secret"));
  CHECK_THAT(error_of("url: http://ds\ntimeout: soon\n"), Catch::Contains("target.timeout"));
  CHECK_THAT(error_of("url: http://ds\njwt_header: 'X Token:'\n"),
             Catch::Contains("target.jwt_header"));
}

}  // namespace ooe

namespace ooe {

TEST_CASE("the stand-in reports the editor connections it is told, as info.json's quota") {
  for (const std::string version : {"docservice-9.4.0", "docservice-7.1.1"}) {
    INFO(version);
    test::DocServiceStandin standin(version);
    test::DocumentServerNginx nginx(standin.Port());
    const auto collector = test::MakeTarget("documentserver", Target(nginx, &standin));
    standin.SetConnections(18);
    const auto samples = Scrape(collector).samples;
    CHECK(FindValue(samples, "onlyoffice_documentserver_connections", {{"mode", "edit"}}) == 18);
    CHECK(FindValue(samples, "onlyoffice_documentserver_license_connections_limit",
                    {{"mode", "edit"}}) == 20);
  }
}

}  // namespace ooe

namespace ooe {

TEST_CASE("healthcheck failing streak: failed probes in a row, 0 again after one that passed") {
  test::DocServiceStandin standin;
  test::DocumentServerNginx nginx(standin.Port());
  const auto collector = test::MakeTarget("documentserver", Target(nginx, &standin));
  const std::map<std::string, std::string> nginx_via = {{"via", "nginx"}};
  CHECK(FindValue(Scrape(collector).samples, "onlyoffice_documentserver_healthcheck_failing_streak",
                  nginx_via) == 0);
  standin.Stop();
  CHECK(FindValue(Scrape(collector).samples, "onlyoffice_documentserver_healthcheck_failing_streak",
                  nginx_via) == 1);
  const auto second = Scrape(collector).samples;
  CHECK(FindValue(second, "onlyoffice_documentserver_healthcheck_failing_streak", nginx_via) == 2);
  CHECK(FindValue(second, "onlyoffice_documentserver_healthcheck_failing_streak",
                  {{"via", "docservice"}}) == 2);
  standin.Start();
  CHECK(FindValue(Scrape(collector).samples, "onlyoffice_documentserver_healthcheck_failing_streak",
                  nginx_via) == 0);
}

}  // namespace ooe
