// Lints every dashboard in dashboards/ by the rules of Grafana's dashboard-linter: datasource,
// job and instance variables; every panel on the datasource variable with a unit; every
// selector filtered by job and instance; $__rate_interval in every range; counters only
// inside rate(), irate() or increase().
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/process.h"
#include "tests/support/promql.h"

namespace ooe {
namespace {

using nlohmann::json;

std::vector<std::filesystem::path> Dashboards() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OOE_SOURCE_DIR) + "/dashboards")) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool IsCounter(const std::string& metric) {
  // postgres_exporter's gauges whose names end in _count: connections and locks held now.
  if (metric == "pg_stat_activity_count" || metric == "pg_locks_count") return false;
  return metric.ends_with("_total") || metric.ends_with("_count") || metric.ends_with("_sum") ||
         metric.ends_with("_bucket");
}

bool UsesDatasourceVariable(const json& datasource) {
  if (datasource.is_string()) return datasource == "$datasource" || datasource == "${datasource}";
  return datasource.is_object() && datasource.value("uid", "") == "${datasource}";
}

void LintPanel(const json& panel, const std::string& where, std::vector<std::string>& problems) {
  const std::string type = panel.value("type", "");
  const std::string name = where + " panel '" + panel.value("title", "?") + "'";
  if (type == "row") {
    for (const auto& inner : panel.value("panels", json::array()))
      LintPanel(inner, where, problems);
    return;
  }
  if (type == "text") return;
  if (!UsesDatasourceVariable(panel.value("datasource", json()))) {
    problems.push_back(name + ": datasource is not the ${datasource} variable");
  }
  const auto unit = panel.value("fieldConfig", json::object())
                        .value("defaults", json::object())
                        .value("unit", "");
  if (unit.empty()) problems.push_back(name + ": no unit set");
  const auto targets = panel.value("targets", json::array());
  if (targets.empty()) problems.push_back(name + ": no query");
  for (const auto& target : targets) {
    if (target.contains("datasource") && !UsesDatasourceVariable(target["datasource"])) {
      problems.push_back(name + ": a query's datasource is not ${datasource}");
    }
    const std::string expr = target.value("expr", "");
    std::vector<std::string> ranges;
    for (const auto& selector : test::FindSelectors(expr, ranges)) {
      if (selector.matchers.find("job=~\"$job\"") == std::string::npos ||
          selector.matchers.find("instance=~\"$instance\"") == std::string::npos) {
        problems.push_back(name + ": selector '" + selector.metric + "{" + selector.matchers +
                           "}' lacks job=~\"$job\" and instance=~\"$instance\"");
      }
      const auto& function = selector.enclosing_function;
      if (IsCounter(selector.metric) && function != "rate" && function != "irate" &&
          function != "increase") {
        problems.push_back(name + ": counter " + selector.metric +
                           " outside rate()/irate()/increase()");
      }
    }
    for (const auto& range : ranges) {
      if (range != "$__rate_interval") {
        problems.push_back(name + ": range [" + range + "] instead of [$__rate_interval] in " +
                           expr);
      }
    }
  }
}

}  // namespace

TEST_CASE("the PromQL reader finds selectors, their calls and ranges") {
  std::vector<std::string> ranges;
  const auto selectors = test::FindSelectors(
      "sum by (name) (rate(container_cpu_usage_seconds_total{job=~\"$job\"}[$__rate_interval])) "
      "/ on (name) group_left container_spec_cpu_quota > 0.8",
      ranges);
  REQUIRE(selectors.size() == 2);
  CHECK(selectors[0].metric == "container_cpu_usage_seconds_total");
  CHECK(selectors[0].enclosing_function == "rate");
  CHECK(selectors[1].metric == "container_spec_cpu_quota");
  CHECK(selectors[1].enclosing_function.empty());
  CHECK(ranges == std::vector<std::string>{"$__rate_interval"});
}

TEST_CASE("every dashboard passes the dashboard-linter rules") {
  const auto dashboards = Dashboards();
  REQUIRE_FALSE(dashboards.empty());
  for (const auto& path : dashboards) {
    const std::string where = path.filename().string();
    INFO(where);
    json dashboard;
    REQUIRE_NOTHROW(dashboard = json::parse(test::ReadFile(path)));
    std::vector<std::string> problems;
    std::set<std::string> variables;
    for (const auto& variable : dashboard["templating"]["list"]) {
      const std::string name = variable.value("name", "");
      variables.insert(name);
      if (name == "datasource") {
        if (variable.value("type", "") != "datasource" ||
            variable.value("query", "") != "prometheus") {
          problems.push_back(where +
                             ": variable datasource must be a prometheus datasource variable");
        }
      } else if (!UsesDatasourceVariable(variable.value("datasource", json()))) {
        problems.push_back(where + ": variable " + name + " does not use ${datasource}");
      }
    }
    for (const char* required : {"datasource", "job", "instance"}) {
      if (!variables.contains(required)) {
        problems.push_back(where + ": no '" + std::string(required) + "' variable");
      }
    }
    if (dashboard.dump().find("${DS_") != std::string::npos) {
      problems.push_back(where + ": uses an import-time ${DS_...} input instead of a variable");
    }
    for (const auto& panel : dashboard["panels"]) LintPanel(panel, where, problems);
    for (const auto& problem : problems) UNSCOPED_INFO(problem);
    CHECK(problems.empty());
  }
}

}  // namespace ooe
