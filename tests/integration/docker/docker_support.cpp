#include "tests/integration/docker/docker_support.h"

#include <catch2/catch.hpp>
#include <thread>

#include "collectors/docker/cgroup_parser.h"
#include "collectors/docker/podman_stats.h"

namespace ooe::docker_test {

TargetCollector MakeCollector(const std::string& yaml) { return test::MakeTarget("docker", yaml); }

Scrape CollectOnce(const TargetCollector& collector, std::chrono::milliseconds budget) {
  Scrape scrape;
  const auto start = Clock::now();
  scrape.result = collector.Collect(ScrapeContext{start + budget});
  scrape.end = Clock::now();
  scrape.seconds = std::chrono::duration<double>(scrape.end - start).count();
  scrape.samples = test::SamplesOf(scrape.result);
  return scrape;
}

test::ContainerEngine& Engine(Kind kind) {
  auto& engine = test::ContainerEngine::Shared(kind);
  engine.RemoveAllContainers();
  return engine;
}

bool WaitFor(const test::ContainerEngine& engine, const std::string& name,
             const std::string& format, const std::string& expected) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (engine.Cli({"inspect", "-f", format, name}) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

LoggingProxy::LoggingProxy(const test::ContainerEngine& engine, bool refuse_libpod,
                           bool refuse_events)
    : port_(test::FreePort()) {
  const auto path = [&](const std::string& name) { return (dir_ / name).string(); };
  test::WriteFile(
      dir_ / "nginx.conf",
      "daemon off; master_process off; pid " + path("nginx.pid") + "; error_log " +
          path("error.log") + ";\nevents {}\nhttp {\n  access_log " + path("access.log") +
          ";\n  client_body_temp_path " + path("body") + "; proxy_temp_path " + path("proxy") +
          "; fastcgi_temp_path " + path("fastcgi") + "; uwsgi_temp_path " + path("uwsgi") +
          "; scgi_temp_path " + path("scgi") +
          ";\n  server {\n    listen 127.0.0.1:" + std::to_string(port_) + ";\n" +
          (refuse_libpod ? "    location ~ ^/(v[0-9.]+/)?libpod/ { return 403; }\n" : "") +
          (refuse_events ? "    location ~ ^/(v[0-9.]+/)?events { return 403; }\n" : "") +
          "    location / { proxy_pass http://unix:" + engine.SocketPath() + ":; }\n  }\n}\n");
  nginx_ = std::make_unique<test::Process>(
      std::vector<std::string>{"nginx", "-p", dir_.Path().string(), "-c", path("nginx.conf")},
      path("nginx.out"));
  REQUIRE(test::WaitForPort(port_, std::chrono::seconds(5)));
}

std::string LoggingProxy::AccessLog() const {
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  return test::ReadFile(dir_ / "access.log");
}

std::optional<docker::ContainerStats> EngineStats(const test::ContainerEngine& engine,
                                                  const std::string& id) {
  const bool podman = engine.Name() == "podman";
  const std::string path = podman
                               ? "/v" + engine.Cli({"version", "--format", "{{.Server.Version}}"}) +
                                     "/libpod/containers/stats?stream=false&containers=" + id
                               : "/v1.41/containers/" + id + "/stats?stream=false&one-shot=true";
  const auto body =
      test::RunCommand({"curl", "-sf", "--unix-socket", engine.SocketPath(), "http://d" + path});
  if (!podman) {
    auto stats = docker::ParseStats(body);
    return stats ? stats.value : std::nullopt;
  }
  auto report = docker::ParsePodmanStats(body);
  if (!report || report->size() != 1) return std::nullopt;
  return report->front().stats;
}

std::optional<double> CgroupOomKills(const test::ContainerEngine& engine, const std::string& name) {
  const std::string pid = engine.Cli({"inspect", "-f", "{{.State.Pid}}", name});
  if (pid.empty() || pid == "0") return std::nullopt;
  const auto cgroups = docker::ParseProcessCgroups(test::ReadFile("/proc/" + pid + "/cgroup"));
  if (!cgroups || cgroups->Find("memory") == nullptr) return std::nullopt;
  const std::string control = test::ReadFile("/sys/fs/cgroup/memory" +
                                             cgroups->Find("memory")->path + "/memory.oom_control");
  const auto at = control.find("oom_kill ");
  if (at == std::string::npos) return std::nullopt;
  return std::stod(control.substr(at + 9));
}

Scrape CollectUntilOomEvents(const TargetCollector& collector, const std::string& name,
                             double at_least) {
  Scrape scrape;
  for (int attempt = 0; attempt < 100; ++attempt) {
    scrape = CollectOnce(collector);
    const auto events = FindValue(scrape.samples, "container_oom_events_total", {{"name", name}});
    if (events && *events >= at_least) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return scrape;
}

}  // namespace ooe::docker_test
