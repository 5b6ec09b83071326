// The Docker metric builder: cAdvisor-named metrics with our state metrics, on the capture and
// on cgroup v2 documents built from the stats endpoint's documented fields.
// Against real Docker Engine 20.10 replies (cgroup v1) captured in tests' shared fixtures; see
// docker_fixtures.h.
#include <catch2/catch.hpp>
#include <map>

#include "collectors/docker/collector.h"
#include "collectors/docker/parser.h"
#include "tests/support/docker_cli.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/unit/docker_fixtures.h"

namespace ooe::docker_test {

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
  CHECK(test::CliMemoryUsageBytes(stats) == 104857600.0 - 31457280);
  CHECK(test::CliCpuPercent(v2) == Approx(100.0));  // 1 s of 4 cores' 4 s, x4 cores
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
  CHECK(test::CliMemoryUsageBytes(*stats) == 1000);  // the CLI keeps usage then
  // Podman's compatible API sends usage and limit only.
  stats = docker::ParseStats(R"({"read": "2026-11-24T22:16:19Z",
      "memory_stats": {"usage": 724992, "limit": 67108864}})");
  REQUIRE(stats);
  CHECK(docker::WorkingSetBytes(*stats) == 724992);
  CHECK_FALSE(stats->cache);
}

}  // namespace ooe::docker_test
