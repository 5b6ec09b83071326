#include "tests/unit/docker_fixtures.h"

#include <catch2/catch.hpp>

#include "tests/support/process.h"

namespace ooe::docker_test {

std::string Fixture(const std::string& name) { return test::ReadFile(kFixtures / name); }

docker::ContainerStats Stats(const std::string& container) {
  const auto stats = docker::ParseStats(Fixture("stats-" + container + ".json"));
  REQUIRE(stats);
  return *stats.value;
}

docker::ContainerInspect Inspect(const std::string& container) {
  const auto inspect = docker::ParseInspect(Fixture("inspect-" + container + ".json"));
  REQUIRE(inspect);
  return *inspect.value;
}

docker::Snapshot FixtureSnapshot() {
  docker::Snapshot snapshot;
  const auto version = docker::ParseVersion(Fixture("version.json"));
  REQUIRE(version);
  snapshot.version = *version.value;
  snapshot.api_version = "1.41";
  const auto list = docker::ParseContainerList(Fixture("containers-all.json"));
  REQUIRE(list);
  for (const auto& summary : *list.value) {
    docker::ContainerReading reading{summary, Inspect(summary.name), std::nullopt};
    if (summary.state == "running") reading.stats = Stats(summary.name);
    snapshot.containers.push_back(std::move(reading));
  }
  return snapshot;
}

std::vector<test::Sample> Build(const docker::Snapshot& snapshot,
                                const std::vector<std::string>& allowlist) {
  MetricSet metrics(Labels{{"target", "unix:///var/run/docker.sock"}});
  docker::BuildMetrics(snapshot, allowlist, 1.8e9, metrics);
  return test::ParseExposition(SerializeText(metrics.Take()));
}

}  // namespace ooe::docker_test
