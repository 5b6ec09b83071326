// Usage read from the containers' cgroup files and /proc rather than the engine's stats.
// Against a private dockerd and Podman's API service started once for this binary, with real
// containers (busybox-static); see docker_support.h.
#include <catch2/catch.hpp>
#include <map>

#include "collectors/docker/cgroup_parser.h"
#include "tests/integration/docker/docker_support.h"

namespace ooe::docker_test {

TEST_CASE("docker: cgroup files give the numbers the engine's own stats give") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  const std::string id =
      engine.Run("measured", {"--cpus", "0.3", "--memory", "64m"}, {"sh", "-c", "yes > /dev/null"});
  auto collector = MakeCollector("host: " + engine.Host() + "\nread_cgroups: true\n");
  const std::map<std::string, std::string> measured = {{"name", "measured"}};
  // Counters: the engine's reading before ours <= ours <= the engine's reading after. Gauges
  // (memory, tasks): equal, once the engine read the same value before and after ours.
  bool compared_gauges = false;
  for (int attempt = 0; attempt < 5 && !compared_gauges; ++attempt) {
    const auto before = EngineStats(engine, id);
    const auto scrape = CollectOnce(collector);
    const auto after = EngineStats(engine, id);
    REQUIRE(before);
    REQUIRE(after);
    REQUIRE(scrape.result.ErrorLine().empty());
    REQUIRE(FindValue(scrape.samples, "container_engine_usage_containers",
                      {{"source", "cgroup"}}) == 1);
    const auto cpu = FindValue(scrape.samples, "container_cpu_usage_seconds_total", measured);
    REQUIRE(cpu);
    CHECK(before->cpu_total_ns.value() / 1e9 <= *cpu);
    CHECK(*cpu <= after->cpu_total_ns.value() / 1e9);
    CHECK(*cpu > 0);
    if (before->memory_usage != after->memory_usage ||
        before->pids_current != after->pids_current) {
      continue;
    }
    CHECK(FindValue(scrape.samples, "container_memory_usage_bytes", measured) ==
          before->memory_usage);
    CHECK(FindValue(scrape.samples, "container_threads", measured) == before->pids_current);
    if (kind == Kind::kDocker) {
      CHECK(FindValue(scrape.samples, "container_memory_working_set_bytes", measured) ==
            docker::WorkingSetBytes(*before));
      CHECK(FindValue(scrape.samples, "container_memory_cache", measured) == before->cache);
      CHECK(FindValue(scrape.samples, "container_memory_rss", measured) == before->rss);
    }
    compared_gauges = true;
  }
  CHECK(compared_gauges);
}

TEST_CASE("docker: with cgroup files, no stats request goes to the engine") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  for (int i = 0; i < 3; ++i) engine.Run("quiet-" + std::to_string(i), {}, {"sleep", "1000"});
  LoggingProxy proxy(engine, /*refuse_libpod=*/false);
  // Over tcp:// they are read only when asked for (the engine is usually another host).
  auto collector = MakeCollector("host: " + proxy.Host() + "\nread_cgroups: true\n");
  for (int scrape_number = 0; scrape_number < 2; ++scrape_number) {
    const auto scrape = CollectOnce(collector);
    INFO("scrape " << scrape_number << " took " << scrape.seconds << " s");
    REQUIRE(scrape.result.ErrorLine().empty());
    CHECK(test::CountSamples(scrape.samples, "container_cpu_usage_seconds_total") == 3);
    CHECK(test::CountSamples(scrape.samples, "container_memory_working_set_bytes") == 3);
    CHECK(FindValue(scrape.samples, "container_engine_usage_containers", {{"source", "cgroup"}}) ==
          3);
  }
  CHECK(test::CountOccurrences(proxy.AccessLog(), "/stats") == 0);
}

TEST_CASE("docker: a container on the host's network has no networks of its own from /proc") {
  auto& engine = Engine(Kind::kDocker);
  engine.Run("on-host", {"--network", "host"}, {"sleep", "1000"});
  auto collector = MakeCollector("host: " + engine.Host() + "\nread_cgroups: true\n");
  const auto scrape = CollectOnce(collector);
  REQUIRE(scrape.result.ErrorLine().empty());
  CHECK(FindValue(scrape.samples, "container_engine_usage_containers", {{"source", "cgroup"}}) ==
        1);
  // Its /proc/PID/net/dev lists the host's interfaces; Docker reports none.
  const auto host_interfaces = docker::ParseNetDev(test::ReadFile(
      "/proc/" + engine.Cli({"inspect", "-f", "{{.State.Pid}}", "on-host"}) + "/net/dev"));
  REQUIRE(host_interfaces);
  CHECK_FALSE(host_interfaces->empty());
  CHECK(test::CountSamples(scrape.samples, "container_network_receive_bytes_total") == 0);
}

TEST_CASE("docker: where cgroup files cannot be read, usage comes from the engine's stats") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  for (int i = 0; i < 2; ++i) engine.Run("fallback-" + std::to_string(i), {}, {"sleep", "1000"});
  LoggingProxy proxy(engine, /*refuse_libpod=*/false);
  // A /proc without the engine's processes, as in a container without the host's PID namespace.
  test::TempDir empty_proc;
  auto collector = MakeCollector("host: " + proxy.Host() +
                                 "\nread_cgroups: true\nproc_root: " + empty_proc.Path().string());
  for (int scrape_number = 0; scrape_number < 2; ++scrape_number) {
    const auto scrape = CollectOnce(collector);
    INFO("scrape " << scrape_number);
    REQUIRE(scrape.result.ErrorLine().empty());
    CHECK(test::CountSamples(scrape.samples, "container_cpu_usage_seconds_total") == 2);
    CHECK(FindValue(scrape.samples, "container_engine_usage_containers", {{"source", "engine"}}) ==
          2);
  }
  // The first scrape asks after the files failed; the second with its first requests.
  const auto log = proxy.AccessLog();
  if (kind == Kind::kDocker) {
    CHECK(test::CountOccurrences(log, "/stats?stream=false&one-shot=true") == 2 * 2);
  } else {
    CHECK(test::CountOccurrences(log, "/libpod/containers/stats?stream=false") == 2);
  }
}

TEST_CASE("docker: a process in another container's cgroup is not read as this container") {
  auto& engine = Engine(Kind::kPodman);
  engine.Run("mine", {"--memory", "32m"}, {"sleep", "1000"});
  engine.Run("other", {"--memory", "64m"}, {"sleep", "1000"});
  const auto pid_of = [&](const std::string& name) {
    return engine.Cli({"inspect", "-f", "{{.State.Pid}}", name});
  };
  // A /proc where the PID the engine gives for "mine" is a process of "other": a PID reused, or
  // a /proc of another PID namespace.
  test::TempDir proc;
  const std::string other_cgroup = test::ReadFile("/proc/" + pid_of("other") + "/cgroup");
  for (const auto& pid : {pid_of("mine"), pid_of("other")}) {
    std::filesystem::create_directories(proc.Path() / pid);
    test::WriteFile(proc.Path() / pid / "cgroup", other_cgroup);
  }
  auto collector = MakeCollector("host: " + engine.Host() +
                                 "\nread_cgroups: true\nproc_root: " + proc.Path().string());
  const auto scrape = CollectOnce(collector);
  REQUIRE(scrape.result.ErrorLine().empty());
  CHECK(FindValue(scrape.samples, "container_engine_usage_containers", {{"source", "cgroup"}}) ==
        1);
  CHECK(FindValue(scrape.samples, "container_engine_usage_containers", {{"source", "engine"}}) ==
        1);
  // Its usage still shows, from the engine.
  CHECK(FindValue(scrape.samples, "container_memory_usage_bytes", {{"name", "mine"}}));
}

}  // namespace ooe::docker_test
