// The Docker parsers and metric builder on real Docker Engine 20.10 replies (cgroup v1), on
// cgroup v2 documents built from the stats endpoint's documented fields, and on garbage.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <sstream>

#include "collectors/docker/client.h"
#include "collectors/docker/collector.h"
#include "collectors/docker/parser.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

const std::filesystem::path kFixtures =
    std::filesystem::path(OOE_SHARED_FIXTURES_DIR) / "docker" / "docker-20.10-cgroupv1";

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

// The whole capture as one snapshot, as the client would have assembled it.
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
                                const std::vector<std::string>& allowlist = {}) {
  MetricSet metrics(Labels{{"target", "unix:///var/run/docker.sock"}});
  docker::BuildMetrics(snapshot, allowlist, 1.8e9, metrics);
  return test::ParseExposition(SerializeText(metrics.Take()));
}

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
    CHECK(docker::CliMemoryUsageBytes(stats).value() ==
          Approx(row.memory_bytes).margin(memory_margin));
    CHECK(docker::CliCpuPercent(stats).value() == Approx(row.cpu_percent).margin(1.5));
  }
  // The container with inactive page cache is the one where "minus cache" matters: the raw
  // usage is 6.7 MiB, the CLI (and the working set) 760 KiB.
  const auto cache_inactive = Stats("oo-cache-inactive");
  CHECK(*cache_inactive.memory_usage == 7073792);
  CHECK(docker::WorkingSetBytes(cache_inactive) == 760.0 * 1024);
  CHECK(docker::CliMemoryUsageBytes(cache_inactive) == 760.0 * 1024);
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
  CHECK_FALSE(docker::CliCpuPercent(stats));
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

TEST_CASE("docker: the whole capture becomes cAdvisor-named metrics with our state metrics") {
  const auto samples = Build(FixtureSnapshot(), {"com.docker.compose.service"});
  using test::FindValue;
  const std::map<std::string, std::string> cpu = {{"name", "oo-cpu"},
                                                  {"id", "004a3190de04"},
                                                  {"image", "localhost/bb:1"},
                                                  {"compose_project", "onlyoffice"},
                                                  {"compose_service", "documentserver"},
                                                  {"target", "unix:///var/run/docker.sock"}};
  CHECK(FindValue(samples, "container_cpu_usage_seconds_total", cpu) == Approx(94.852809815));
  CHECK(FindValue(samples, "container_cpu_usage_seconds_total", {{"cpu", "total"}}));
  CHECK(FindValue(samples, "container_cpu_user_seconds_total", cpu) == Approx(93.53));
  CHECK(FindValue(samples, "container_cpu_system_seconds_total", cpu) == Approx(1.31));
  CHECK(FindValue(samples, "container_cpu_cfs_throttled_periods_total", cpu) == 1896);
  CHECK(FindValue(samples, "container_cpu_cfs_throttled_seconds_total", cpu) ==
        Approx(93.312862809));
  // --cpus 0.5: NanoCpus, which the cgroup holds as quota 50000 per 100000.
  CHECK(FindValue(samples, "container_spec_cpu_quota", cpu) == 50000);
  CHECK(FindValue(samples, "container_spec_cpu_period", cpu) == 100000);
  CHECK(FindValue(samples, "container_spec_cpu_limit_cores", cpu) == 0.5);
  CHECK(FindValue(samples, "container_spec_cpu_shares", cpu) == 1024);
  CHECK(FindValue(samples, "container_spec_memory_limit_bytes", cpu) == 64 * 1024 * 1024);
  CHECK(FindValue(samples, "container_memory_usage_bytes", cpu) == 335872);
  CHECK(FindValue(samples, "container_memory_working_set_bytes", cpu) == 335872);
  CHECK(FindValue(samples, "container_threads", cpu) == 1);
  CHECK(FindValue(samples, "container_running", cpu) == 1);
  CHECK(FindValue(samples, "container_state", {{"name", "oo-cpu"}, {"state", "running"}}) == 1);
  CHECK(FindValue(samples, "container_state", {{"name", "oo-cpu"}, {"state", "exited"}}) == 0);
  CHECK(FindValue(samples, "container_last_seen", cpu) == 1.8e9);
  CHECK(FindValue(samples, "container_start_time_seconds", cpu) == Approx(1795558390.06));
  CHECK(FindValue(samples, "container_running",
                  {{"name", "oo-cpu"},
                   {"container_label_com_docker_compose_service", "documentserver"}}) == 1);
  CHECK(FindValue(samples, "container_engine_info",
                  {{"engine", "docker"}, {"version", "20.10.24+dfsg1"}, {"api_version", "1.41"}}) ==
        1);

  // Unlimited CPU: the host's cores (online_cpus, as /info was not read here).
  CHECK(FindValue(samples, "container_spec_cpu_limit_cores", {{"name", "oo-pids"}}) == 2);
  CHECK(FindValue(samples, "machine_cpu_cores") == 2);
  CHECK(FindValue(samples, "container_spec_memory_limit_bytes", {{"name", "oo-pids"}}) == 0);
  CHECK(FindValue(samples, "container_threads_max", {{"name", "oo-pids"}}) == 50);
  CHECK(FindValue(samples, "container_threads", {{"name", "oo-pids"}}) == 6);
  CHECK_FALSE(FindValue(samples, "container_spec_cpu_quota", {{"name", "oo-pids"}}));
  CHECK(FindValue(samples, "container_memory_working_set_bytes", {{"name", "oo-cache-inactive"}}) ==
        760 * 1024);
  CHECK(FindValue(samples, "container_memory_usage_bytes", {{"name", "oo-cache-inactive"}}) ==
        7073792);

  // Stopped containers: state, exit code, OOM kill, restarts; no usage.
  const std::map<std::string, std::string> oom = {{"name", "oo-oom"},
                                                  {"compose_service", "converter"}};
  CHECK(FindValue(samples, "container_running", oom) == 0);
  CHECK(FindValue(samples, "container_state", {{"name", "oo-oom"}, {"state", "exited"}}) == 1);
  CHECK(FindValue(samples, "container_last_exit_code", oom) == 137);
  CHECK(FindValue(samples, "container_oom_killed", oom) == 1);
  CHECK(FindValue(samples, "container_spec_memory_limit_bytes", oom) == 16 * 1024 * 1024);
  CHECK_FALSE(FindValue(samples, "container_cpu_usage_seconds_total", oom));
  CHECK_FALSE(FindValue(samples, "container_memory_usage_bytes", oom));
  CHECK(FindValue(samples, "container_oom_killed", {{"name", "oo-exit1"}}) == 0);
  CHECK(FindValue(samples, "container_last_exit_code", {{"name", "oo-exit1"}}) == 1);
  CHECK(FindValue(samples, "container_restarts_total", {{"name", "oo-restarting"}}) == 3);
  CHECK(FindValue(samples, "container_last_exit_code", {{"name", "oo-restarting"}}) == 2);

  // Health as a state set, only for containers with a health check.
  CHECK(FindValue(samples, "container_health_status",
                  {{"name", "oo-healthy"}, {"status", "healthy"}}) == 1);
  CHECK(FindValue(samples, "container_health_status",
                  {{"name", "oo-healthy"}, {"status", "unhealthy"}}) == 0);
  CHECK(FindValue(samples, "container_health_status",
                  {{"name", "oo-unhealthy"}, {"status", "unhealthy"}}) == 1);
  CHECK_FALSE(FindValue(samples, "container_health_status", {{"name", "oo-cpu"}}));
  CHECK(test::CountSamples(samples, "container_running") == 9);
}

TEST_CASE(
    "docker: the exposition passes promtool's rules: counters end in _total, units in names") {
  MetricSet metrics(Labels{{"target", "t"}});
  docker::BuildMetrics(FixtureSnapshot(), {}, 1.8e9, metrics);
  const auto text = SerializeText(metrics.Take());
  CHECK(text.find("# TYPE container_cpu_usage_seconds_total counter") != std::string::npos);
  CHECK(text.find("# TYPE container_restarts_total counter") != std::string::npos);
  CHECK(text.find("# TYPE container_memory_working_set_bytes gauge") != std::string::npos);
  test::TempDir dir;
  test::WriteFile(dir / "metrics.txt", text);
  int exit_code = -1;
  std::string errors;
  const auto output =
      test::RunCommand({"sh", "-c", "promtool check metrics < " + (dir / "metrics.txt").string()},
                       &exit_code, &errors);
  INFO(output << errors);
  CHECK(exit_code == 0);
}

TEST_CASE("docker: cgroup v2 stats: working set is usage minus inactive_file, cache is file") {
  // The fields Docker documents for cgroup v2: no total_*, no max_usage, no failcnt.
  const std::string v2 = R"({
    "read": "2026-11-24T22:16:19.67582345Z", "preread": "2026-11-24T22:16:18.672048064Z",
    "pids_stats": {"current": 12, "limit": 200},
    "blkio_stats": {"io_service_bytes_recursive": [
      {"major": 8, "minor": 0, "op": "read", "value": 4096},
      {"major": 8, "minor": 0, "op": "write", "value": 8192},
      {"major": 8, "minor": 16, "op": "read", "value": 100}]},
    "cpu_stats": {"cpu_usage": {"total_usage": 5000000000, "usage_in_kernelmode": 1000000000,
                                "usage_in_usermode": 4000000000},
                  "system_cpu_usage": 20000000000, "online_cpus": 4,
                  "throttling_data": {"periods": 10, "throttled_periods": 2,
                                      "throttled_time": 300000000}},
    "precpu_stats": {"cpu_usage": {"total_usage": 4000000000}, "system_cpu_usage": 16000000000,
                     "online_cpus": 4},
    "memory_stats": {"usage": 104857600, "limit": 209715200,
                     "stats": {"anon": 52428800, "file": 41943040, "inactive_file": 31457280,
                               "active_file": 10485760, "file_mapped": 1048576,
                               "kernel_stack": 16384, "slab": 2097152}},
    "networks": {"eth0": {"rx_bytes": 1000, "rx_packets": 10, "rx_errors": 1, "rx_dropped": 2,
                          "tx_bytes": 2000, "tx_packets": 20, "tx_errors": 3, "tx_dropped": 4},
                 "eth1": {"rx_bytes": 5, "tx_bytes": 6}},
    "name": "/v2", "id": "0123456789abcdef0123"})";
  const auto parsed = docker::ParseStats(v2);
  REQUIRE(parsed);
  const auto& stats = *parsed.value;
  CHECK(stats.cgroup_v2);
  CHECK(*stats.inactive_file == 31457280);
  CHECK(*stats.cache == 41943040);
  CHECK(*stats.rss == 52428800);
  CHECK(*stats.mapped_file == 1048576);
  CHECK_FALSE(stats.memory_max_usage);
  CHECK_FALSE(stats.memory_failcnt);
  CHECK(docker::WorkingSetBytes(stats) == 104857600.0 - 31457280);
  CHECK(docker::CliMemoryUsageBytes(stats) == 104857600.0 - 31457280);
  CHECK(docker::CliCpuPercent(stats) == Approx(100.0));  // 1 s of 4 cores' 4 s, x4 cores
  REQUIRE(stats.block_devices.size() == 2);
  CHECK(stats.block_devices[0].device == "8:0");
  CHECK(stats.block_devices[0].read_bytes == 4096);
  CHECK(stats.block_devices[0].write_bytes == 8192);

  docker::Snapshot snapshot;
  snapshot.version.engine = "docker";
  docker::ContainerReading reading;
  reading.summary.id = "0123456789abcdef0123";
  reading.summary.name = "v2";
  reading.summary.state = "running";
  reading.stats = stats;
  snapshot.containers.push_back(reading);
  const auto samples = Build(snapshot);
  using test::FindValue;
  CHECK(FindValue(samples, "container_memory_working_set_bytes", {{"id", "0123456789ab"}}) ==
        104857600.0 - 31457280);
  CHECK(FindValue(samples, "container_memory_cache") == 41943040);
  CHECK(FindValue(samples, "container_memory_rss") == 52428800);
  CHECK_FALSE(FindValue(samples, "container_memory_max_usage_bytes"));
  CHECK(FindValue(samples, "container_network_receive_bytes_total", {{"interface", "eth0"}}) ==
        1000);
  CHECK(FindValue(samples, "container_network_receive_errors_total", {{"interface", "eth0"}}) == 1);
  CHECK(FindValue(samples, "container_network_receive_packets_dropped_total",
                  {{"interface", "eth0"}}) == 2);
  CHECK(FindValue(samples, "container_network_transmit_packets_total", {{"interface", "eth0"}}) ==
        20);
  CHECK(FindValue(samples, "container_network_transmit_packets_dropped_total",
                  {{"interface", "eth0"}}) == 4);
  CHECK(FindValue(samples, "container_network_transmit_bytes_total", {{"interface", "eth1"}}) == 6);
  CHECK_FALSE(
      FindValue(samples, "container_network_transmit_errors_total", {{"interface", "eth1"}}));
  CHECK(FindValue(samples, "container_fs_reads_bytes_total", {{"device", "8:0"}}) == 4096);
  CHECK(FindValue(samples, "container_fs_writes_bytes_total", {{"device", "8:0"}}) == 8192);
  CHECK(FindValue(samples, "container_fs_reads_bytes_total", {{"device", "8:16"}}) == 100);
  CHECK(FindValue(samples, "container_cpu_cfs_throttled_seconds_total") == Approx(0.3));
  CHECK(FindValue(samples, "container_threads") == 12);
  // No inspect: state from the list, no spec metrics.
  CHECK(FindValue(samples, "container_running") == 1);
  CHECK_FALSE(FindValue(samples, "container_spec_memory_limit_bytes"));
}

TEST_CASE(
    "docker: cgroup v2 working set never goes below 0, and without a breakdown is the usage") {
  auto stats = docker::ParseStats(R"({"read": "2026-11-24T22:16:19Z",
      "memory_stats": {"usage": 1000, "stats": {"anon": 10, "inactive_file": 5000}}})");
  REQUIRE(stats);
  CHECK(docker::WorkingSetBytes(*stats) == 0);
  CHECK(docker::CliMemoryUsageBytes(*stats) == 1000);  // the CLI keeps usage then
  // Podman's compatible API sends usage and limit only.
  stats = docker::ParseStats(R"({"read": "2026-11-24T22:16:19Z",
      "memory_stats": {"usage": 724992, "limit": 67108864}})");
  REQUIRE(stats);
  CHECK(docker::WorkingSetBytes(*stats) == 724992);
  CHECK_FALSE(stats->cache);
}

TEST_CASE("docker: garbage, truncated and wrongly typed replies are errors, never a crash") {
  for (const auto* body : {"", "garbage", "[]", "null", "{", "\"text\"", "<html>502</html>",
                           "{\"read\": 5}", "{\"State\": []}"}) {
    INFO(body);
    CHECK_FALSE(docker::ParseStats(body));
    CHECK_FALSE(docker::ParseInspect(body));
    CHECK_FALSE(docker::ParseVersion(body));
    CHECK(docker::ErrorMessage(body).empty());
  }
  CHECK_FALSE(docker::ParseContainerList("{}"));
  CHECK_FALSE(docker::ParseContainerList("[{\"Names\": [\"/x\"]}]"));  // no Id
  CHECK(docker::ParseContainerList("[]"));
  // Every prefix of real replies: a reply cut off anywhere.
  for (const auto* name :
       {"stats-oo-cpu.json", "inspect-oo-healthy.json", "containers-all.json", "version.json"}) {
    std::string body = Fixture(name);
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
    for (size_t length = 0; length < body.size(); length += 7) {
      const std::string_view cut(body.data(), length);
      INFO(name << " cut at " << length);
      CHECK_FALSE(docker::ParseStats(cut));
      CHECK_FALSE(docker::ParseInspect(cut));
      CHECK_FALSE(docker::ParseContainerList(cut));
    }
  }
  // Wrong types inside a valid document are left out, not exported as 0.
  const auto odd = docker::ParseStats(R"({"read": "2026-11-24T22:16:19Z",
      "cpu_stats": {"cpu_usage": {"total_usage": "many"}, "online_cpus": "two"},
      "memory_stats": {"usage": null, "stats": []}, "networks": {"eth0": 7},
      "blkio_stats": {"io_service_bytes_recursive": [1, {"op": "Read"}]}})");
  REQUIRE(odd);
  CHECK_FALSE(odd->cpu_total_ns);
  CHECK_FALSE(odd->online_cpus);
  CHECK_FALSE(odd->memory_usage);
  CHECK_FALSE(docker::WorkingSetBytes(*odd));
  REQUIRE(odd->networks.size() == 1);
  CHECK_FALSE(odd->networks[0].rx_bytes);
  CHECK(odd->block_devices.empty());
}

TEST_CASE("docker: the error fixtures give the engine's message") {
  CHECK(docker::ErrorMessage(Fixture("error-no-such-container.json")) ==
        "No such container: does-not-exist");
  CHECK(docker::ErrorMessage(Fixture("error-api-version-too-new.json")) ==
        "client version 1.99 is too new. Maximum supported API version is 1.41");
  CHECK(Fixture("error-api-version-too-new.headers").find("400 Bad Request") != std::string::npos);
}

TEST_CASE("docker: version and API negotiation: min(server, 1.41), Podman recognised") {
  const auto version = docker::ParseVersion(Fixture("version.json"));
  REQUIRE(version);
  CHECK(version->api_version == "1.41");
  CHECK(version->min_api_version == "1.12");
  CHECK(version->engine == "docker");
  const auto podman = docker::ParseVersion(
      R"({"Components":[{"Name":"Podman Engine","Version":"4.3.1"}],"Version":"4.3.1",
          "ApiVersion":"1.41","MinAPIVersion":"1.24"})");
  REQUIRE(podman);
  CHECK(podman->engine == "podman");
  CHECK(docker::NegotiateApiVersion("1.41") == "1.41");
  CHECK(docker::NegotiateApiVersion("1.45") == "1.41");
  CHECK(docker::NegotiateApiVersion("2.0") == "1.41");
  CHECK(docker::NegotiateApiVersion("1.40") == "1.40");
  CHECK_FALSE(docker::NegotiateApiVersion("1.12"));
  CHECK(docker::NegotiateApiVersion("") == "");  // unversioned paths
  CHECK(docker::NegotiateApiVersion("4.3.1") == "");
}

TEST_CASE("docker: timestamps: nanoseconds, offsets, Go's zero time") {
  CHECK(docker::ParseTimestamp("1970-01-01T00:00:10Z") == 10);
  CHECK(docker::ParseTimestamp("2026-11-24T22:13:10.5Z") == 1795558390.5);
  CHECK(docker::ParseTimestamp("2026-11-24T23:13:10.5+01:00") == 1795558390.5);
  CHECK_FALSE(docker::ParseTimestamp("0001-01-01T00:00:00Z"));
  CHECK_FALSE(docker::ParseTimestamp(""));
  CHECK_FALSE(docker::ParseTimestamp("2026-11-24"));
  CHECK_FALSE(docker::ParseTimestamp("2026-11-24T22:13:10.Z"));
  CHECK_FALSE(docker::ParseTimestamp("2026-11-24T22:13:10Zjunk"));
}

TEST_CASE("docker: engine hosts parse as DOCKER_HOST accepts them") {
  std::string error;
  auto endpoint = docker::ParseEndpoint("unix:///var/run/docker.sock", false, error);
  REQUIRE(endpoint);
  CHECK(endpoint->unix_socket == "/var/run/docker.sock");
  CHECK(endpoint->base_url == "http://localhost");
  endpoint = docker::ParseEndpoint("tcp://proxy:2375", false, error);
  REQUIRE(endpoint);
  CHECK(endpoint->base_url == "http://proxy:2375");
  CHECK(endpoint->unix_socket.empty());
  CHECK(docker::ParseEndpoint("tcp://proxy:2376", true, error)->base_url == "https://proxy:2376");
  CHECK(docker::ParseEndpoint("tcp://proxy", true, error)->base_url == "https://proxy:2376");
  CHECK(docker::ParseEndpoint("tcp://proxy", false, error)->base_url == "http://proxy:2375");
  CHECK(docker::ParseEndpoint("https://h:1/", false, error)->base_url == "https://h:1");
  CHECK_FALSE(docker::ParseEndpoint("unix://relative", false, error));
  CHECK_FALSE(docker::ParseEndpoint("/var/run/docker.sock", false, error));
  CHECK_FALSE(docker::ParseEndpoint("tcp://", false, error));
  CHECK_FALSE(docker::ParseEndpoint("tcp://user:pw@h:1", false, error));
}

TEST_CASE("docker: docker target configuration errors name the key") {
  auto make = [](const std::string& yaml) {
    return MakeDockerCollector(ConfigNode(YAML::Load(yaml), "test.yml", "target"));
  };
  CHECK(make("host: unix:///run/docker.sock")->Target() == "unix:///run/docker.sock");
  CHECK(make("host: tcp://h:2375\nname: engine")->Target() == "engine");
  CHECK(make("host: tcp://h:2375")->Describe() == "tcp://h:2375");
  CHECK_THROWS_WITH(make("host: docker.sock"), Catch::Contains("target.host"));
  CHECK_THROWS_WITH(make("host: unix:///s\nname_regex: '('"), Catch::Contains("name_regex"));
  CHECK_THROWS_WITH(make("host: unix:///s\nlabel_filter: '=x'"), Catch::Contains("label_filter"));
  CHECK_THROWS_WITH(make("host: unix:///s\nmax_containers: 0"), Catch::Contains("max_containers"));
  CHECK_THROWS_WITH(make("host: unix:///s\ntls_cert_file: c.pem"), Catch::Contains("tls_key_file"));
  CHECK_THROWS_WITH(make("host: unix:///s\nlabel_allowlist: [a.b, a_b]"),
                    Catch::Contains("label_allowlist"));
  CHECK_THROWS_WITH(make("host: unix:///s\nhots: x"), Catch::Contains("hots"));
  CHECK_THROWS_WITH(make("host: unix:///s\ninspect_max_age: soon"),
                    Catch::Contains("target.inspect_max_age"));
  CHECK(make("host: unix:///s\ninspect_max_age: 5m")->Target() == "unix:///s");
  CHECK_THROWS_WITH(make("host: unix:///s\nread_cgroups: sometimes"),
                    Catch::Contains("target.read_cgroups"));
  CHECK_THROWS_WITH(make("host: unix:///s\nproc_root: host/proc"),
                    Catch::Contains("target.proc_root: 'host/proc' must be an absolute path"));
  CHECK_THROWS_WITH(make("host: tcp://h:2375\nread_cgroups: true\ncgroup_root: ''"),
                    Catch::Contains("target.cgroup_root: '' must be an absolute path"));
  CHECK(
      make("host: unix:///s\nproc_root: /host/proc\ncgroup_root: /host/sys/fs/cgroup")->Target() ==
      "unix:///s");
  CHECK(docker::LabelName("com.docker.compose.project") ==
        "container_label_com_docker_compose_project");
  CHECK(docker::LabelName("a-b/c") == "container_label_a_b_c");
}

TEST_CASE(
    "docker: the default target follows DOCKER_HOST and DOCKER_TLS_VERIFY as the docker CLI") {
  unsetenv("DOCKER_HOST");
  unsetenv("DOCKER_TLS_VERIFY");
  unsetenv("DOCKER_TLS");
  CHECK(docker::DefaultTarget()["host"].as<std::string>() == "unix:///var/run/docker.sock");
  setenv("DOCKER_HOST", "tcp://engine:2376", 1);
  setenv("DOCKER_TLS_VERIFY", "1", 1);
  setenv("DOCKER_CERT_PATH", "/certs", 1);
  const auto target = docker::DefaultTarget();
  CHECK(target["host"].as<std::string>() == "tcp://engine:2376");
  CHECK(target["tls"].as<bool>());
  CHECK(target["tls_ca_file"].as<std::string>() == "/certs/ca.pem");
  CHECK(target["tls_cert_file"].as<std::string>() == "/certs/cert.pem");
  CHECK(target["tls_key_file"].as<std::string>() == "/certs/key.pem");
  unsetenv("DOCKER_HOST");
  unsetenv("DOCKER_TLS_VERIFY");
  unsetenv("DOCKER_CERT_PATH");
}

}  // namespace ooe
