// Every PromQL expression of alerts/ and dashboards/, evaluated by a real Prometheus that has
// scraped the real exporter watching real local servers: none may error, and each selector (and
// each dashboard query) must return data unless it is on the short list below.
#include "tests/support/promql.h"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/docker_engine.h"
#include "tests/support/documentserver.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/rabbitmq_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

// Metrics that legitimately have no sample on a healthy local stack, and why.
const std::map<std::string, std::string> kNoDataExpected = {
    // Only replicas report their link to a master; the test Redis is a master.
    {"redis_master_link_up", "replica only"},
    // Containers here get no network (no bridge), and overlay block I/O counters stay empty
    // (fixtures/docker/SOURCES.md); both are unit-tested on documents instead.
    {"container_network_receive_bytes_total", "no container network here"},
    {"container_network_transmit_bytes_total", "no container network here"},
    {"container_fs_reads_bytes_total", "no blkio counters on this overlay set-up"},
    {"container_fs_writes_bytes_total", "no blkio counters on this overlay set-up"},
    // cAdvisor's form of the CPU limit; our data carries container_spec_cpu_limit_cores too.
    // The open-source license (the stand-in's, from a source build) has no end date.
    {"onlyoffice_documentserver_license_end_timestamp_seconds", "license without an end"},
};

struct Expression {
  std::string where;
  std::string expr;
};

std::vector<Expression> RuleExpressions() {
  std::vector<Expression> expressions;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OOE_SOURCE_DIR) + "/alerts")) {
    if (!entry.path().string().ends_with(".rules.yml")) continue;
    for (const auto& group : YAML::LoadFile(entry.path().string())["groups"]) {
      for (const auto& rule : group["rules"]) {
        const auto name =
            rule["alert"] ? rule["alert"].as<std::string>() : rule["record"].as<std::string>();
        expressions.push_back(
            {entry.path().filename().string() + ": " + name, rule["expr"].as<std::string>()});
      }
    }
  }
  return expressions;
}

void CollectPanelExpressions(const nlohmann::json& panel, const std::string& where,
                             std::vector<Expression>& expressions) {
  for (const auto& inner : panel.value("panels", nlohmann::json::array())) {
    CollectPanelExpressions(inner, where, expressions);
  }
  for (const auto& target : panel.value("targets", nlohmann::json::array())) {
    if (target.contains("expr")) {
      expressions.push_back({where + " / " + panel.value("title", "?"), target["expr"]});
    }
  }
}

std::vector<Expression> DashboardExpressions() {
  std::vector<Expression> expressions;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OOE_SOURCE_DIR) + "/dashboards")) {
    if (entry.path().extension() != ".json") continue;
    const auto dashboard = nlohmann::json::parse(test::ReadFile(entry.path()));
    for (const auto& panel : dashboard["panels"]) {
      CollectPanelExpressions(panel, entry.path().filename().string(), expressions);
    }
  }
  return expressions;
}

// Grafana's variables as a dashboard with "All" selected would expand them.
std::string ExpandVariables(std::string expr) {
  const std::vector<std::pair<std::string, std::string>> replacements = {
      {"$__rate_interval", "15s"}, {"$job", ".+"},   {"$instance", ".+"}, {"$target", ".+"},
      {"$container", ".+"},        {"$queue", ".+"}, {"$vhost", ".+"}};
  for (const auto& [variable, value] : replacements) {
    for (size_t at; (at = expr.find(variable)) != std::string::npos;) {
      expr.replace(at, variable.size(), value);
    }
  }
  return expr;
}

bool HasData(const nlohmann::json& answer) {
  return answer.value("status", "") == "success" && !answer["data"]["result"].empty();
}

}  // namespace

TEST_CASE("every rule and dashboard expression evaluates, and returns data on a live stack") {
  test::RedisServer redis({"--maxmemory", "256mb"});  // as a production Redis should have
  auto& docker = test::ContainerEngine::Shared(test::ContainerEngine::Kind::kDocker);
  docker.Run(
      "oo-documentserver",
      {"--cpus", "0.5", "--memory", "64m", "--label", "com.docker.compose.project=onlyoffice",
       "--label", "com.docker.compose.service=documentserver", "--health-cmd", "true",
       "--health-interval", "1s"},
      {"sh", "-c", "while true; do :; done"});
  docker.Run("oo-example", {"--label", "com.docker.compose.project=onlyoffice"},
             {"sh", "-c", "exit 3"});
  test::RabbitmqServer rabbitmq;
  rabbitmq.DeclareDocumentServerTopology();
  rabbitmq.Publish("ds.converttask", "convert");
  auto converter = rabbitmq.Consume("ds.converttask");
  auto docservice_queue = rabbitmq.Consume("", "ds.pubsub");  // the server-named queue
  test::TempDir dir;
  test::WriteFile(dir / "jwt", "exporter-test-secret");
  test::DocServiceStandin documentserver("docservice-9.4.0", "exporter-test-secret");
  test::DocumentServerNginx nginx(documentserver.Port());
  test::ExporterProcess exporter(
      {"--redis.addr=" + redis.Address(), "--docker.host=" + docker.Host(),
       "--rabbitmq.url=" + rabbitmq.ManagementUrl(), "--documentserver.url=" + nginx.Url(),
       "--documentserver.docservice-url=" + documentserver.Url(),
       "--documentserver.jwt-secret-file=" + (dir / "jwt").string()});
  std::vector<std::string> rule_files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OOE_SOURCE_DIR) + "/alerts")) {
    if (entry.path().string().ends_with(".rules.yml")) rule_files.push_back(entry.path().string());
  }
  test::PrometheusServer prometheus(
      {{"onlyoffice-exporter", "127.0.0.1:" + std::to_string(exporter.Port())}}, rule_files);
  REQUIRE(prometheus.WaitForData("redis_up == 1", std::chrono::seconds(30)));
  REQUIRE(prometheus.WaitForData("rabbitmq_up == 1", std::chrono::seconds(30)));
  REQUIRE(prometheus.WaitForData("onlyoffice_documentserver_healthcheck_up == 1",
                                 std::chrono::seconds(30)));
  REQUIRE(prometheus.WaitForData("min(onlyoffice_exporter_collector_success) == 1",
                                 std::chrono::seconds(30)));
  // Enough samples for rate() over the 15 s that stands in for $__rate_interval.
  REQUIRE(prometheus.WaitForData("count_over_time(redis_up[15s]) >= 8", std::chrono::seconds(30)));

  std::set<std::string> metrics_without_data;
  for (const auto& [where, expr] : RuleExpressions()) {
    INFO(where << ": " << expr);
    const auto answer = prometheus.Query(expr);
    CHECK(answer.value("status", "") == "success");
    std::vector<std::string> ranges;
    for (const auto& selector : test::FindSelectors(expr, ranges)) {
      if (selector.metric.empty() || kNoDataExpected.contains(selector.metric)) continue;
      if (selector.metric.find(':') != std::string::npos) continue;  // recorded: checked above
      const auto count =
          prometheus.Query("count(" + selector.metric + "{" + selector.matchers + "})");
      if (!HasData(count)) metrics_without_data.insert(selector.metric + " (" + where + ")");
    }
  }
  for (const auto& [where, expr] : DashboardExpressions()) {
    const auto expanded = ExpandVariables(expr);
    INFO(where << ": " << expanded);
    const auto answer = prometheus.Query(expanded);
    CHECK(answer.value("status", "") == "success");
    if (!HasData(answer)) {
      bool expected_empty = false;
      std::vector<std::string> ranges;
      for (const auto& selector : test::FindSelectors(expr, ranges)) {
        expected_empty = expected_empty || kNoDataExpected.contains(selector.metric);
      }
      if (!expected_empty) metrics_without_data.insert("dashboard query (" + where + ")");
    }
  }
  for (const auto& missing : metrics_without_data) UNSCOPED_INFO("no data: " << missing);
  CHECK(metrics_without_data.empty());

  // Every metric family the live stack produced is documented in docs/metrics.md.
  const auto documentation = test::ReadFile(std::string(OOE_SOURCE_DIR) + "/docs/metrics.md");
  const auto exposition = exporter.Get().body;
  std::set<std::string> undocumented;
  size_t families = 0;
  for (size_t at = exposition.find("# TYPE "); at != std::string::npos;
       at = exposition.find("# TYPE ", at + 1)) {
    const auto name_start = at + 7;
    const auto name = exposition.substr(name_start, exposition.find(' ', name_start) - name_start);
    ++families;
    if (documentation.find("`" + name + "`") == std::string::npos) undocumented.insert(name);
  }
  for (const auto& name : undocumented) UNSCOPED_INFO("not in docs/metrics.md: " << name);
  CHECK(families > 100);
  CHECK(undocumented.empty());
}

}  // namespace ooe
