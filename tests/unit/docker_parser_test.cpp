// The Docker parsers on the captured stats and inspect replies, checked against what `docker
// stats` printed.
// Against real Docker Engine 20.10 replies (cgroup v1) captured in tests' shared fixtures; see
// docker_fixtures.h.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <sstream>

#include "collectors/docker/parser.h"
#include "tests/support/docker_cli.h"
#include "tests/unit/docker_fixtures.h"

namespace ooe::docker_test {

namespace {

// "760KiB", "2.449MiB", "23.54GiB" as `docker stats` prints them.
double CliBytes(const std::string& text) {
  static const std::map<std::string, double> kUnits = {
      {"B", 1}, {"KiB", 1024}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024}};
  const auto unit_start = text.find_first_not_of("0123456789.");
  return std::stod(text.substr(0, unit_start)) * kUnits.at(text.substr(unit_start));
}

struct CliRow {
  double cpu_percent;
  double memory_bytes;
  double limit_bytes;
  double pids;
};

// cli-docker-stats.txt: NAME CPU% USAGE / LIMIT MEM% PIDS.
std::map<std::string, CliRow> CliStats() {
  std::map<std::string, CliRow> rows;
  std::istringstream lines(Fixture("cli-docker-stats.txt"));
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name, cpu, usage, slash, limit, memory_percent, pids;
    fields >> name >> cpu >> usage >> slash >> limit >> memory_percent >> pids;
    rows[name] = CliRow{std::stod(cpu), CliBytes(usage), CliBytes(limit), std::stod(pids)};
  }
  return rows;
}

}  // namespace

TEST_CASE("docker: every Docker fixture parses with the parser its endpoint needs") {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    const std::string name = entry.path().filename().string();
    const std::string body = test::ReadFile(entry.path());
    INFO(name);
    ++files;
    if (name.rfind("stats-", 0) == 0) {
      CHECK(docker::ParseStats(body));
    } else if (name.rfind("inspect-", 0) == 0) {
      CHECK(docker::ParseInspect(body));
    } else if (name.rfind("containers-", 0) == 0) {
      CHECK(docker::ParseContainerList(body));
    } else if (name == "version.json") {
      CHECK(docker::ParseVersion(body));
    } else if (name.rfind("error-", 0) == 0 && entry.path().extension() == ".json") {
      CHECK_FALSE(docker::ErrorMessage(body).empty());
      CHECK_FALSE(docker::ParseInspect(body));
      CHECK_FALSE(docker::ParseStats(body));
    } else {
      // SOURCES.md, the CLI captures and the error headers are read by the cases below.
      CHECK((entry.path().extension() == ".txt" || entry.path().extension() == ".headers"));
    }
  }
  CHECK(files == 28);
}

TEST_CASE("docker: memory usage, limits, CPU % and PIDs agree with what docker stats printed") {
  const auto cli = CliStats();
  REQUIRE(cli.size() == 6);
  for (const auto& [name, row] : cli) {
    INFO(name);
    const auto stats = Stats(name);
    CHECK(stats.sampled);
    CHECK_FALSE(stats.cgroup_v2);
    // The CLI prints 3-4 significant digits.
    CHECK(stats.memory_limit.value() == Approx(row.limit_bytes).epsilon(0.001));
    CHECK(stats.pids_current.value() == row.pids);
    // The CLI ran a few seconds after the capture: health checks and page cache moved a little
    // in those containers; the others match to the printed digit.
    const bool settled = name == "oo-cpu" || name == "oo-pids" || name == "oo-cache-inactive";
    const double memory_margin = settled ? 1024 : 3 * 1024 * 1024;
    CHECK(test::CliMemoryUsageBytes(stats).value() ==
          Approx(row.memory_bytes).margin(memory_margin));
    CHECK(test::CliCpuPercent(Fixture("stats-" + name + ".json")).value() ==
          Approx(row.cpu_percent).margin(1.5));
  }
  // The container with inactive page cache is the one where "minus cache" matters: the raw
  // usage is 6.7 MiB, the CLI (and the working set) 760 KiB.
  const auto cache_inactive = Stats("oo-cache-inactive");
  CHECK(*cache_inactive.memory_usage == 7073792);
  CHECK(docker::WorkingSetBytes(cache_inactive) == 760.0 * 1024);
  CHECK(test::CliMemoryUsageBytes(cache_inactive) == 760.0 * 1024);
}

TEST_CASE("docker: cgroup v1 stats of a throttled container map to cAdvisor's fields") {
  const auto stats = Stats("oo-cpu");
  CHECK(*stats.cpu_total_ns == 94852809815.0);
  CHECK(*stats.cpu_user_ns == 93530000000.0);
  CHECK(*stats.cpu_kernel_ns == 1310000000.0);
  CHECK(*stats.online_cpus == 2);
  CHECK(*stats.cfs_periods == 1897);
  CHECK(*stats.cfs_throttled_periods == 1896);
  CHECK(*stats.cfs_throttled_ns == 93312862809.0);
  CHECK(*stats.memory_max_usage == 3821568);
  CHECK(*stats.cache == 0);
  CHECK(*stats.rss == 61440);
  CHECK(stats.networks.empty());  // --bridge=none
  CHECK(stats.block_devices.empty());
}

TEST_CASE("docker: one-shot stats have no precpu, so no CLI CPU %, but the cumulative counters") {
  const auto stats = Stats("oneshot-oo-cpu");
  CHECK(stats.cpu_total_ns == 95362766041.0);
  CHECK_FALSE(test::CliCpuPercent(Fixture("stats-oneshot-oo-cpu.json")));
}

TEST_CASE("docker: stats of a stopped container are not a sample") {
  for (const auto* name : {"oo-oom", "oo-exit1", "oo-restarting"}) {
    INFO(name);
    CHECK_FALSE(Stats(name).sampled);
  }
}

TEST_CASE("docker: inspect gives state, exit code, OOMKilled, restarts, health and limits") {
  const auto oom = Inspect("oo-oom");
  CHECK(oom.status == "exited");
  CHECK(oom.exit_code == 137);
  CHECK(oom.oom_killed);
  CHECK(oom.memory_limit == 16 * 1024 * 1024);
  CHECK(oom.network_mode == "default");  // a namespace of its own: networks from /proc
  CHECK(oom.labels.at("com.docker.compose.service") == "converter");

  const auto exit1 = Inspect("oo-exit1");
  CHECK(exit1.exit_code == 1);
  CHECK_FALSE(exit1.oom_killed);
  REQUIRE(exit1.finished_at_seconds);
  CHECK(*exit1.finished_at_seconds > *exit1.started_at_seconds);

  const auto restarting = Inspect("oo-restarting");
  CHECK(restarting.restart_count == 3);
  CHECK(restarting.exit_code == 2);

  const auto healthy = Inspect("oo-healthy");
  CHECK(healthy.health_status == "healthy");
  CHECK(healthy.health_failing_streak == 0);
  CHECK(Inspect("oo-unhealthy").health_status == "unhealthy");
  CHECK(Inspect("oo-unhealthy").health_failing_streak.value() >= 2);
  CHECK(Inspect("oo-cpu").health_status.empty());

  const auto cpu = Inspect("oo-cpu");
  CHECK(cpu.status == "running");
  CHECK(cpu.nano_cpus == 5e8);
  CHECK(cpu.memory_limit == 64 * 1024 * 1024);
  CHECK(cpu.image == "localhost/bb:1");
  CHECK(cpu.started_at_seconds.value() == Approx(1795558390.06226054));
  CHECK_FALSE(cpu.finished_at_seconds);  // Go's zero time
  CHECK(Inspect("oo-pids").pids_limit == 50);
}

}  // namespace ooe::docker_test
