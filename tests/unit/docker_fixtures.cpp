#include "tests/unit/docker_fixtures.h"

#include <catch2/catch.hpp>

#include "tests/support/process.h"

namespace ooe::docker_test {

std::string Fixture(const std::string& name) { return test::ReadFile(kFixtures / name); }

std::string RepoFixture(const std::string& name) {
  return test::ReadFile(std::filesystem::path(OOE_SOURCE_DIR) / "tests" / "fixtures" / "docker" /
                        name);
}

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

std::vector<HttpResponse> RecordedEngine::GetAll(const std::vector<std::string>& paths,
                                                 Clock::time_point) {
  std::vector<HttpResponse> responses;
  for (const auto& path : paths) {
    requested_.push_back(path);
    responses.push_back(Answer(path));
  }
  return responses;
}

size_t RecordedEngine::Count(const std::string& part) const {
  size_t count = 0;
  for (const auto& path : requested_) count += path.find(part) != std::string::npos ? 1 : 0;
  return count;
}

size_t RecordedEngine::Inspects() const {
  size_t count = 0;
  for (const auto& path : requested_) {
    count += path.starts_with("/v1.41/containers/") && path.ends_with("/json") &&
                     path.find("/containers/json") == std::string::npos
                 ? 1
                 : 0;
  }
  return count;
}

HttpResponse RecordedEngine::Reply(long status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::unique_ptr<docker::DockerCollector> RecordedCollector(
    std::unique_ptr<docker::EngineTransport> transport, const std::string& host,
    std::chrono::milliseconds inspect_max_age) {
  docker::DockerSettings settings;
  std::string problem;
  settings.endpoint = *docker::ParseEndpoint(host, false, problem);
  settings.inspect_max_age = inspect_max_age;
  return std::make_unique<docker::DockerCollector>(std::move(settings), TargetOptions{},
                                                   std::move(transport));
}

std::vector<test::Sample> ScrapeOnce(docker::DockerCollector& collector,
                                     std::vector<Error>* errors) {
  MetricSet metrics(Labels{{"target", collector.Describe()}});
  auto found = collector.Collect(ScrapeContext{Clock::now() + std::chrono::seconds(5)}, metrics);
  if (errors != nullptr) *errors = std::move(found);
  return test::ParseExposition(SerializeText(metrics.Take()));
}

}  // namespace ooe::docker_test
