// The captured Docker Engine 20.10 replies (cgroup v1) the unit tests of the Docker collector
// read, parsed as the client would parse them.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "collectors/docker/collector.h"
#include "collectors/docker/parser.h"
#include "tests/support/scrape.h"

namespace ooe::docker_test {

inline const std::filesystem::path kFixtures =
    std::filesystem::path(OOE_SHARED_FIXTURES_DIR) / "docker" / "docker-20.10-cgroupv1";

std::string Fixture(const std::string& name);
// tests/fixtures/docker/NAME: this repository's own captures (Podman 4.3.1, events).
std::string RepoFixture(const std::string& name);

// The parsed stats-CONTAINER.json and inspect-CONTAINER.json of the capture.
docker::ContainerStats Stats(const std::string& container);
docker::ContainerInspect Inspect(const std::string& container);

// The whole capture as one snapshot, as the client would have assembled it.
docker::Snapshot FixtureSnapshot();

// The samples the metric builder makes of `snapshot`, as a scrape would parse them.
std::vector<test::Sample> Build(const docker::Snapshot& snapshot,
                                const std::vector<std::string>& allowlist = {});

// An engine of the test's own for the container sources' decisions: answers each path from
// recorded replies (Answer) and keeps the paths asked.
class RecordedEngine : public docker::EngineTransport {
 public:
  std::vector<HttpResponse> GetAll(const std::vector<std::string>& paths,
                                   Clock::time_point deadline) override;

  // How many of the paths asked since Forget() contain `part`.
  size_t Count(const std::string& part) const;
  // Requests of one container's inspect (/v1.41/containers/ID/json).
  size_t Inspects() const;
  const std::vector<std::string>& Requested() const { return requested_; }
  void Forget() { requested_.clear(); }

 protected:
  static HttpResponse Reply(long status, std::string body);
  virtual HttpResponse Answer(const std::string& path) const = 0;

 private:
  std::vector<std::string> requested_;
};

// A docker collector of `host` whose engine is `transport`.
std::unique_ptr<docker::DockerCollector> RecordedCollector(
    std::unique_ptr<docker::EngineTransport> transport, const std::string& host,
    std::chrono::milliseconds inspect_max_age);

// A collector on a new recorded engine of type `Engine`, and that engine.
template <typename Engine>
struct Recorded {
  Engine* engine = nullptr;
  std::unique_ptr<docker::DockerCollector> collector;
};
template <typename Engine>
Recorded<Engine> MakeRecorded(const std::string& host, std::chrono::milliseconds inspect_max_age) {
  auto transport = std::make_unique<Engine>();
  Recorded<Engine> made;
  made.engine = transport.get();
  made.collector = RecordedCollector(std::move(transport), host, inspect_max_age);
  return made;
}

// One scrape of `collector`, as Prometheus would parse it; `errors` gets the errors it returned.
std::vector<test::Sample> ScrapeOnce(docker::DockerCollector& collector,
                                     std::vector<Error>* errors = nullptr);

}  // namespace ooe::docker_test
