// End to end with real Prometheus, Alertmanager and a webhook receiver: a fault in a real
// backend becomes a page or a ticket at the webhook, with the bundled rules (their `for:`
// shortened) and the bundled Alertmanager routing.
#include "tests/support/alerting.h"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "collectors/http/client.h"
#include "tests/support/docker_engine.h"
#include "tests/support/documentserver.h"
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

// Exporter, Prometheus (the bundled rules with `for:` shortened to 3 s and their ranges to 20 s)
// and Alertmanager (the bundled routing) around one fault.
struct AlertingStack {
  explicit AlertingStack(const std::vector<std::string>& exporter_flags)
      : alertmanager(webhook),
        exporter(exporter_flags),
        prometheus({{"onlyoffice-exporter", "127.0.0.1:" + std::to_string(exporter.Port())}},
                   test::ShortenedRuleFiles(rules.Path(), "3s", "20s"),
                   AlertingConfig(alertmanager)) {}

  test::WebhookReceiver webhook;
  test::AlertmanagerServer alertmanager;
  test::ExporterProcess exporter;
  test::TempDir rules;
  test::PrometheusServer prometheus;
};

}  // namespace

TEST_CASE("a container burning CPU at its --cpus limit: ContainerCpuHigh arrives as a ticket") {
  auto& docker = test::ContainerEngine::Shared(test::ContainerEngine::Kind::kDocker);
  docker.Run("oo-alert-idle", {"--cpus", "0.5"}, {"sleep", "600"});
  AlertingStack stack({"--docker.host=" + docker.Host(), "--docker.name-regex=^oo-alert-",
                       "--no-collector.redis", "--no-collector.rabbitmq"});
  REQUIRE(stack.prometheus.WaitForData("container_running{name=\"oo-alert-idle\"} == 1",
                                       std::chrono::seconds(30)));

  const auto fault = Clock::now();
  docker.Run("oo-alert-burner", {"--cpus", "0.5"}, {"sh", "-c", "while :; do :; done"});
  const auto ticket =
      stack.webhook.WaitForFiring("/ticket", "ContainerCpuHigh", std::chrono::seconds(120));
  INFO("usage ratio: " << stack.prometheus.Query("container:cpu_usage:ratio").dump());
  INFO(
      "usage 1m: " << stack.prometheus.Query("rate(container_cpu_usage_seconds_total[1m])").dump());
  INFO("limit: " << stack.prometheus.Query("container_spec_cpu_limit_cores").dump());
  INFO("usage: " << stack.prometheus.Query("container_cpu_usage_seconds_total[20s]").dump());
  INFO("alerts: " << stack.prometheus.Query("ALERTS").dump());
  docker.Cli({"rm", "-f", "oo-alert-burner", "oo-alert-idle"});
  REQUIRE(ticket);
  std::printf(
      "ContainerCpuHigh: %.1f s from starting the CPU burner to the ticket at the webhook\n",
      SecondsBetween(fault, ticket->received));
  for (const auto& alert : ticket->body["alerts"]) {
    CHECK(alert["labels"]["severity"] == "warning");
    CHECK(alert["labels"]["name"] == "oo-alert-burner");  // never the idle one
  }
  CHECK_FALSE(
      stack.webhook.WaitForFiring("/pager", "ContainerCpuHigh", std::chrono::milliseconds(10)));
}

TEST_CASE("Document Server's upstream stopped: nginx's real 502 pages as critical") {
  test::DocServiceStandin docservice;
  test::DocumentServerNginx nginx(docservice.Port());
  AlertingStack stack({"--documentserver.url=" + nginx.Url(),
                       "--documentserver.docservice-url=" + docservice.Url(),
                       "--no-collector.redis", "--no-collector.docker", "--no-collector.rabbitmq"});
  REQUIRE(stack.prometheus.WaitForData("onlyoffice_documentserver_healthcheck_up == 1",
                                       std::chrono::seconds(30)));

  const auto fault = Clock::now();
  docservice.Stop();
  const auto page = stack.webhook.WaitForFiring("/pager", "DocumentServerDocserviceDown",
                                                std::chrono::seconds(60));
  REQUIRE(page);
  std::printf(
      "DocumentServerDocserviceDown: %.1f s from stopping the upstream (nginx 502) to the "
      "page at the webhook\n",
      SecondsBetween(fault, page->received));
  const auto& alert = page->body["alerts"][0];
  CHECK(alert["labels"]["severity"] == "critical");
  CHECK(alert["labels"]["via"] == "nginx");
  CHECK_THAT(alert["annotations"]["summary"].get<std::string>(),
             Catch::Contains("answers 502 Bad Gateway"));
  // The generic "healthcheck failing" page is inhibited by the 502 diagnosis: one page, not two.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  CHECK_FALSE(
      stack.webhook.WaitForFiring("/pager", "DocumentServerDown", std::chrono::milliseconds(10)));
}

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

namespace ooe {
namespace {

// Each alert's severity as alerts/*.rules.yml gives it: an inhibition written for the wrong
// severity never matches (RabbitmqNoConvertConsumer, critical, once sat under a warning matcher).
std::map<std::string, std::string> Severities() {
  std::map<std::string, std::string> severities;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OOE_SOURCE_DIR) + "/alerts")) {
    if (!entry.path().string().ends_with(".rules.yml")) continue;
    const auto file = YAML::LoadFile(entry.path().string());
    for (const auto& group : file["groups"]) {
      for (const auto& rule : group["rules"]) {
        if (rule["alert"]) {
          severities[rule["alert"].as<std::string>()] =
              rule["labels"]["severity"].as<std::string>();
        }
      }
    }
  }
  return severities;
}

}  // namespace

TEST_CASE("every inhibition of alertmanager.yml matches the alerts as the rules label them") {
  const auto severities = Severities();
  // source, target: the target is silenced while the source fires on the same exporter.
  const std::vector<std::pair<std::string, std::string>> inhibitions = {
      {"OnlyofficeExporterDown", "RedisDown"},
      {"DocumentServerDocserviceDown", "DocumentServerDown"},
      {"DocumentServerDown", "DocumentServerHealthcheckSlow"},
      {"DocumentServerDown", "RabbitmqNoConvertConsumer"},
      {"DocumentServerDocserviceDown", "RabbitmqNoConvertConsumer"},
      {"DocumentServerDown", "RabbitmqConvertBacklogGrowing"},
      {"RedisDown", "OnlyofficeExporterCollectorFailing"},
      {"RedisDown", "RedisMemoryNearLimit"},
      {"RabbitmqDown", "RabbitmqFileDescriptorsNearLimit"},
      {"DocumentServerCertificateAboutToExpire", "DocumentServerCertificateExpiring"},
      {"ContainerCpuSaturated", "ContainerCpuHigh"},
      {"DocumentServerConnectionsAtLicenseLimit", "DocumentServerConnectionsNearLicenseLimit"},
  };
  test::WebhookReceiver webhook;
  test::AlertmanagerServer alertmanager(webhook);
  HttpClient client;
  nlohmann::json posted = nlohmann::json::array();
  for (size_t i = 0; i < inhibitions.size(); ++i) {
    const auto& [source, target] = inhibitions[i];
    INFO(source << " -> " << target);
    REQUIRE(severities.contains(source));
    REQUIRE(severities.contains(target));
    // One exporter per pair, so the pairs cannot inhibit each other.
    const std::string instance = "exporter-" + std::to_string(i) + ":10981";
    for (const auto& name : {source, target}) {
      posted.push_back({{"labels",
                         {{"alertname", name},
                          {"severity", severities.at(name)},
                          {"job", "onlyoffice-exporter"},
                          {"instance", instance},
                          {"target", "t"},
                          {"via", "nginx"}}}});
    }
  }
  HttpRequest post;
  post.method = "POST";
  post.url = "http://" + alertmanager.Address() + "/api/v2/alerts";
  post.headers = {"Content-Type: application/json"};
  post.body = posted.dump();
  REQUIRE(client.Perform(post, Clock::now() + std::chrono::seconds(5)).status == 200);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto listed = nlohmann::json::parse(
      test::HttpGet("http://" + alertmanager.Address() + "/api/v2/alerts").body);
  std::set<std::string> inhibited;  // "instance alertname"
  for (const auto& alert : listed) {
    if (!alert["status"]["inhibitedBy"].empty()) {
      inhibited.insert(alert["labels"]["instance"].get<std::string>() + " " +
                       alert["labels"]["alertname"].get<std::string>());
    }
  }
  for (size_t i = 0; i < inhibitions.size(); ++i) {
    INFO(inhibitions[i].first << " -> " << inhibitions[i].second);
    const std::string instance = "exporter-" + std::to_string(i) + ":10981";
    CHECK(inhibited.contains(instance + " " + inhibitions[i].second));
    CHECK_FALSE(inhibited.contains(instance + " " + inhibitions[i].first));
  }
}

}  // namespace ooe
