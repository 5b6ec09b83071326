// The captured Docker Engine 20.10 replies (cgroup v1) the unit tests of the Docker collector
// read, parsed as the client would parse them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "collectors/docker/collector.h"
#include "collectors/docker/parser.h"
#include "tests/support/scrape.h"

namespace ooe::docker_test {

inline const std::filesystem::path kFixtures =
    std::filesystem::path(OOE_SHARED_FIXTURES_DIR) / "docker" / "docker-20.10-cgroupv1";

std::string Fixture(const std::string& name);

// The parsed stats-CONTAINER.json and inspect-CONTAINER.json of the capture.
docker::ContainerStats Stats(const std::string& container);
docker::ContainerInspect Inspect(const std::string& container);

// The whole capture as one snapshot, as the client would have assembled it.
docker::Snapshot FixtureSnapshot();

// The samples the metric builder makes of `snapshot`, as a scrape would parse them.
std::vector<test::Sample> Build(const docker::Snapshot& snapshot,
                                const std::vector<std::string>& allowlist = {});

}  // namespace ooe::docker_test
