// Every alert in alerts/ carries what an on-call person needs: a severity that routes, a summary,
// a templated description, a runbook section that exists and a dashboard link.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "tests/support/process.h"

namespace ooe {
namespace {

const std::string kRunbookPrefix =
    "https://github.com/onlyoffice-exporter/onlyoffice-exporter/blob/main/docs/runbooks.md#";

// GitHub's anchors for the "## Name" headings of docs/runbooks.md.
std::set<std::string> RunbookAnchors() {
  std::set<std::string> anchors;
  const auto text = test::ReadFile(std::string(OOE_SOURCE_DIR) + "/docs/runbooks.md");
  size_t position = 0;
  while ((position = text.find("\n## ", position)) != std::string::npos) {
    position += 4;
    const auto end = text.find('\n', position);
    std::string anchor;
    for (const char c : text.substr(position, end - position)) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        anchor.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      } else if (c == ' ' || c == '-') {
        anchor.push_back('-');
      }
    }
    anchors.insert(anchor);
  }
  return anchors;
}

}  // namespace

TEST_CASE("every alert has severity, summary, description, runbook section and dashboard") {
  const auto anchors = RunbookAnchors();
  size_t alerts = 0;
  std::set<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OOE_SOURCE_DIR) + "/alerts")) {
    if (!entry.path().string().ends_with(".rules.yml")) continue;
    const auto file = YAML::LoadFile(entry.path().string());
    for (const auto& group : file["groups"]) {
      for (const auto& rule : group["rules"]) {
        if (!rule["alert"]) continue;
        const auto name = rule["alert"].as<std::string>();
        INFO(entry.path().filename().string() << ": " << name);
        ++alerts;
        CHECK(names.insert(name).second);
        const auto severity = rule["labels"]["severity"].as<std::string>("");
        CHECK((severity == "critical" || severity == "warning" || severity == "info"));
        const auto annotations = rule["annotations"];
        CHECK_FALSE(annotations["summary"].as<std::string>("").empty());
        CHECK(annotations["description"].as<std::string>("").find("{{") != std::string::npos);
        const auto runbook = annotations["runbook_url"].as<std::string>("");
        REQUIRE(runbook.starts_with(kRunbookPrefix));
        std::string expected_anchor = name;
        std::transform(expected_anchor.begin(), expected_anchor.end(), expected_anchor.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        CHECK(runbook.substr(kRunbookPrefix.size()) == expected_anchor);
        CHECK(anchors.contains(expected_anchor));
        CHECK(annotations["dashboard_url"].as<std::string>("").starts_with("/d/"));
      }
    }
  }
  CHECK(alerts > 0);
}

}  // namespace ooe
