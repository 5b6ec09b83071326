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
#include "tests/support/postgres_server.h"
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
    // Written by kube-state-metrics on Kubernetes, where the container rules' Kubernetes group
    // reads them (promtool-tested on series of its shape in containers-kubernetes.test.yml).
    {"kube_pod_container_status_restarts_total", "kube-state-metrics only"},
    {"kube_pod_container_status_last_terminated_reason", "kube-state-metrics only"},
    {"kube_pod_container_status_waiting_reason", "kube-state-metrics only"},
    {"kube_pod_container_status_ready", "kube-state-metrics only"},
    {"kube_pod_container_status_running", "kube-state-metrics only"},
    // cAdvisor's form of the CPU limit; our data carries container_spec_cpu_limit_cores too.
    // The open-source license (the stand-in's, from a source build) has no end date.
    {"onlyoffice_documentserver_license_end_timestamp_seconds", "license without an end"},
    // The live stack's Document Server speaks plain http; real TLS is served in
    // tests/integration/documentserver/security_test.cpp.
    {"onlyoffice_documentserver_ssl_earliest_cert_expiry_timestamp_seconds", "no https here"},
    {"onlyoffice_documentserver_ssl_verified", "no https here"},
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

// Containers like Document Server's in the compose stack: limited, labelled, health-checked,
// with its programs' names and a CPU burner; one without limits, one that exited.
void RunDocumentServerContainers(const test::ContainerEngine& docker) {
  docker.Run(
      "oo-documentserver",
      {"--cpus", "0.5", "--memory", "64m", "-v", "oo-data:/var/lib/onlyoffice", "--label",
       "com.docker.compose.project=onlyoffice", "--label",
       "com.docker.compose.service=documentserver", "--health-cmd", "true", "--health-interval",
       "1s"},
      // Document Server's programs by their kernel names (docker_engine.h), and a CPU burner.
      {"sh", "-c",
       "exec -a sleep /bin/docservice 100000 & exec -a sleep /bin/converter 100000 & "
       "while true; do :; done"});
  // Without a memory limit, as the seed's compose file runs Document Server.
  docker.Run("oo-unlimited", {"--label", "com.docker.compose.project=onlyoffice"},
             {"sleep", "100000"});
  docker.Run("oo-example", {"--label", "com.docker.compose.project=onlyoffice"},
             {"sh", "-c", "exit 3"});
}

std::vector<std::string> RuleFiles() {
  std::vector<std::string> rule_files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OOE_SOURCE_DIR) + "/alerts")) {
    if (entry.path().string().ends_with(".rules.yml")) rule_files.push_back(entry.path().string());
  }
  return rule_files;
}

// Every collector up, and enough samples for rate() over the 15 s that stands in for
// $__rate_interval.
void WaitForEveryCollector(const test::PrometheusServer& prometheus) {
  REQUIRE(prometheus.WaitForData("redis_up == 1", std::chrono::seconds(30)));
  REQUIRE(prometheus.WaitForData("rabbitmq_up == 1", std::chrono::seconds(30)));
  REQUIRE(prometheus.WaitForData("pg_up == 1", std::chrono::seconds(30)));
  REQUIRE(prometheus.WaitForData("onlyoffice_documentserver_healthcheck_up == 1",
                                 std::chrono::seconds(30)));
  REQUIRE(prometheus.WaitForData("min(onlyoffice_exporter_collector_success) == 1",
                                 std::chrono::seconds(30)));
  REQUIRE(prometheus.WaitForData("count_over_time(redis_up[15s]) >= 8", std::chrono::seconds(30)));
}

// The selectors of the rules' expressions that select nothing, "metric (where)"; every
// expression must evaluate.
std::set<std::string> RuleSelectorsWithoutData(const test::PrometheusServer& prometheus) {
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
  return metrics_without_data;
}

// The dashboard queries that return nothing though none of their metrics is expected empty.
std::set<std::string> DashboardQueriesWithoutData(const test::PrometheusServer& prometheus) {
  std::set<std::string> metrics_without_data;
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
  return metrics_without_data;
}

// Every metric family of `exposition` (the live stack's) is documented in docs/metrics.md.
void CheckEveryFamilyDocumented(const std::string& exposition) {
  const auto documentation = test::ReadFile(std::string(OOE_SOURCE_DIR) + "/docs/metrics.md");
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

}  // namespace

TEST_CASE("every rule and dashboard expression evaluates, and returns data on a live stack") {
  test::RedisServer redis({"--maxmemory", "256mb"});  // as a production Redis should have
  auto& docker = test::ContainerEngine::Shared(test::ContainerEngine::Kind::kDocker);
  RunDocumentServerContainers(docker);
  test::RabbitmqServer rabbitmq;
  rabbitmq.DeclareDocumentServerTopology();
  rabbitmq.Publish("ds.converttask", "convert");
  auto converter = rabbitmq.Consume("ds.converttask");
  auto docservice_queue = rabbitmq.Consume("", "ds.pubsub");  // the server-named queue
  test::PostgresServer postgres;
  postgres.Psql("CREATE DATABASE onlyoffice");
  postgres.PsqlFile(
      std::string(OOE_SHARED_FIXTURES_DIR) + "/postgresql/docservice-9.4.0-schema.sql",
      "onlyoffice");
  test::TempDir dir;
  test::WriteFile(dir / "jwt", "exporter-test-secret");
  test::DocServiceStandin documentserver("docservice-9.4.0", "exporter-test-secret");
  // Document Server's log directory as the packaged image lays it out, nginx's error log in it.
  std::filesystem::create_directories(dir / "documentserver");
  test::DocumentServerNginx nginx(documentserver.Port(), "60s", false,
                                  (dir / "documentserver" / "nginx.error.log").string());
  test::ExporterProcess exporter(
      {"--redis.addr=" + redis.Address(), "--docker.host=" + docker.Host(),
       "--rabbitmq.url=" + rabbitmq.ManagementUrl(), "--documentserver.url=" + nginx.Url(),
       "--documentserver.docservice-url=" + documentserver.Url(),
       "--documentserver.jwt-secret-file=" + (dir / "jwt").string(),
       "--documentserver.log-dir=" + dir.Path().string(),
       "--nginx.status-url=" + nginx.Url() + "/stub_status",
       "--postgres.dsn=" + postgres.Dsn("postgres", "onlyoffice")});
  test::PrometheusServer prometheus(
      {{"onlyoffice-exporter", "127.0.0.1:" + std::to_string(exporter.Port())}}, RuleFiles());
  WaitForEveryCollector(prometheus);

  std::set<std::string> metrics_without_data = RuleSelectorsWithoutData(prometheus);
  metrics_without_data.merge(DashboardQueriesWithoutData(prometheus));
  for (const auto& missing : metrics_without_data) UNSCOPED_INFO("no data: " << missing);
  CHECK(metrics_without_data.empty());

  CheckEveryFamilyDocumented(exporter.Get().body);
}

}  // namespace ooe
