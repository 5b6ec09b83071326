// End to end with real Prometheus, Alertmanager and a webhook receiver: a fault in a real
// backend becomes a page or a ticket at the webhook, with the bundled rules (their `for:`
// shortened) and the bundled Alertmanager routing.
#include "tests/support/alerting.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <thread>

#include "collectors/http/client.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

double SecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string AlertingConfig(const test::AlertmanagerServer& alertmanager) {
  return "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['" +
         alertmanager.Address() + "']\n";
}

}  // namespace

TEST_CASE("Redis killed: RedisDown reaches the pager receiver as critical") {
  test::WebhookReceiver webhook;
  test::AlertmanagerServer alertmanager(webhook);
  auto redis = std::make_unique<test::RedisServer>();
  test::ExporterProcess exporter({"--redis.addr=" + redis->Address()});
  test::TempDir rules;
  test::PrometheusServer prometheus(
      {{"onlyoffice-exporter", "127.0.0.1:" + std::to_string(exporter.Port())}},
      test::ShortenedRuleFiles(rules.Path(), "3s"), AlertingConfig(alertmanager));
  REQUIRE(prometheus.WaitForData("redis_up == 1", std::chrono::seconds(30)));

  const auto fault = Clock::now();
  redis.reset();
  const auto page = webhook.WaitForFiring("/pager", "RedisDown", std::chrono::seconds(60));
  REQUIRE(page);
  const double seconds = SecondsBetween(fault, page->received);
  std::printf("RedisDown: %.1f s from killing redis-server to the page at the webhook\n", seconds);
  const auto& alert = page->body["alerts"][0];
  CHECK(alert["labels"]["severity"] == "critical");
  CHECK(alert["annotations"]["summary"].get<std::string>().find("is down") != std::string::npos);
  // Never a ticket for it: critical goes to the pager only.
  CHECK_FALSE(webhook.WaitForFiring("/ticket", "RedisDown", std::chrono::milliseconds(10)));
}

TEST_CASE("a down exporter inhibits the alerts it feeds; other instances still notify") {
  test::WebhookReceiver webhook;
  test::AlertmanagerServer alertmanager(webhook);
  HttpClient client;
  HttpRequest post;
  post.method = "POST";
  post.url = "http://" + alertmanager.Address() + "/api/v2/alerts";
  post.headers = {"Content-Type: application/json"};
  post.body = R"([
    {"labels": {"alertname": "OnlyofficeExporterDown", "severity": "critical",
                "job": "onlyoffice-exporter", "instance": "exporter-a:10981"}},
    {"labels": {"alertname": "RedisMemoryNearLimit", "severity": "warning",
                "job": "onlyoffice-exporter", "instance": "exporter-a:10981", "target": "cache"}},
    {"labels": {"alertname": "RedisMemoryNearLimit", "severity": "warning",
                "job": "onlyoffice-exporter", "instance": "exporter-b:10981", "target": "cache"}}
  ])";
  REQUIRE(client.Perform(post, Clock::now() + std::chrono::seconds(5)).status == 200);

  const auto ticket =
      webhook.WaitForFiring("/ticket", "RedisMemoryNearLimit", std::chrono::seconds(20));
  REQUIRE(ticket);
  REQUIRE(webhook.WaitForFiring("/pager", "OnlyofficeExporterDown", std::chrono::seconds(20)));
  // Only exporter-b's alert got through; exporter-a's is inhibited by its exporter being down.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  for (const auto& delivery : webhook.Deliveries()) {
    for (const auto& alert : delivery.body["alerts"]) {
      if (alert["labels"]["alertname"] == "RedisMemoryNearLimit") {
        CHECK(alert["labels"]["instance"] == "exporter-b:10981");
      }
    }
  }
  const auto inhibited = test::HttpGet("http://" + alertmanager.Address() +
                                       "/api/v2/alerts?inhibited=true&active=false");
  const auto alerts = nlohmann::json::parse(inhibited.body);
  size_t inhibited_count = 0;
  for (const auto& alert : alerts) {
    if (!alert["status"]["inhibitedBy"].empty()) {
      ++inhibited_count;
      CHECK(alert["labels"]["instance"] == "exporter-a:10981");
      CHECK(alert["labels"]["alertname"] == "RedisMemoryNearLimit");
    }
  }
  CHECK(inhibited_count == 1);
}

}  // namespace ooe
