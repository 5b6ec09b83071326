// Podman's libpod stats report against its Docker-compatible reply for the same container.
#include "collectors/docker/podman_stats.h"

#include <catch2/catch.hpp>

#include "tests/support/process.h"

namespace ooe::docker {
namespace {

std::string Fixture(const std::string& name) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/docker/" + name);
}

}  // namespace

TEST_CASE("podman: the libpod report gives the numbers of the compatible stats reply") {
  const auto report = ParsePodmanStats(Fixture("libpod-stats-podman-4.3.1.json"));
  REQUIRE(report);
  REQUIRE(report->size() == 2);
  const auto compat = ParseStats(Fixture("compat-stats-podman-4.3.1.json"));
  REQUIRE(compat);
  const auto& first = report->front();
  CHECK(first.id == "344e63afc8f1af2ea4834ee0a6b6a3dbb452bca04d3fb83e50ee89c2a14e0a66");
  const ContainerStats& batch = first.stats;
  CHECK(batch.sampled);
  CHECK(batch.cpu_total_ns == compat->cpu_total_ns);
  CHECK(batch.cpu_kernel_ns == compat->cpu_kernel_ns);
  CHECK(batch.cpu_user_ns == compat->cpu_user_ns);
  CHECK(batch.online_cpus == compat->online_cpus);
  CHECK(batch.memory_usage == compat->memory_usage);
  CHECK(batch.memory_limit == compat->memory_limit);
  CHECK(batch.memory_limit == 32.0 * 1024 * 1024);
  CHECK(batch.pids_current == compat->pids_current);
  CHECK(WorkingSetBytes(batch) == WorkingSetBytes(*compat));
  // What Podman does not measure is left out, where the compatible reply says 0.
  CHECK(compat->cfs_throttled_periods == 0);
  CHECK_FALSE(batch.cfs_throttled_periods);
  CHECK_FALSE(batch.cfs_periods);
  REQUIRE(batch.networks.size() == 1);
  CHECK(batch.networks.front().interface == "network");
  CHECK(batch.networks.front().rx_bytes == 892);
  CHECK_FALSE(batch.networks.front().rx_packets);
}

TEST_CASE("podman: an empty, failed or malformed libpod report is told apart") {
  CHECK(ParsePodmanStats(R"({"Error":null,"Stats":null})")->empty());
  CHECK(ParsePodmanStats(R"({"Error":null,"Stats":[]})")->empty());
  const auto failed = ParsePodmanStats(R"({"Error":"no such container","Stats":null})");
  REQUIRE_FALSE(failed);
  CHECK(failed.error == "libpod stats reply carries an error: no such container");
  CHECK(ParsePodmanStats("").error == "libpod stats reply is not JSON");
  CHECK(ParsePodmanStats("[1]").error == "libpod stats reply is not a JSON object");
  CHECK(ParsePodmanStats(R"({"Stats":{}})").error == "libpod stats reply has no \"Stats\" list");
  CHECK(ParsePodmanStats(R"({"Stats":[{"CPUNano":1}]})").error ==
        "libpod stats entry has no \"ContainerID\"");
  CHECK(ParsePodmanStats(R"({"Stats":[7]})").error == "libpod stats entry is not a JSON object");
  // A number where a string belongs, a string where a number belongs: left out, not 0.
  const auto odd =
      ParsePodmanStats(R"({"Stats":[{"ContainerID":"a","CPUNano":"x","MemUsage":5}]})");
  REQUIRE(odd);
  CHECK_FALSE(odd->front().stats.cpu_total_ns);
  CHECK(odd->front().stats.memory_usage == 5);
}

}  // namespace ooe::docker
