// Scrape time with 100 real containers: onlyoffice-exporter (only the docker collector on) vs
// `podman stats --no-stream --format json` vs the same Engine API calls made with curl one after
// another (the serial floor) and all at once (the engine's own cost), on Podman's API service; then
// ours vs `docker stats --no-stream` on a private dockerd, whose stats calls wait for its 1-second
// sampling tick.
// Run (as root): cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release &&
//   cmake --build build/release --target bench_docker && build/release/bench/bench_docker
//   [containers] [rounds]
// (defaults 100 containers, 5 rounds; a Debug build times our JSON parsing unoptimised).
#include <iomanip>
#include <iostream>
#include <sstream>

#include "bench/bench_stats.h"
#include "tests/support/docker_engine.h"
#include "tests/support/scrape.h"

namespace {

using ooe::test::ContainerEngine;

double Seconds(ooe::Clock::time_point start) {
  return std::chrono::duration<double>(ooe::Clock::now() - start).count();
}

void StartContainers(const ContainerEngine& engine, int count) {
  for (int i = 0; i < count; ++i) {
    engine.Run("bench-" + std::to_string(i), {"--memory", "32m"}, {"sleep", "100000"});
  }
}

// Our exporter's /metrics, checked: docker success 1 and every container there.
double ScrapeOurs(ooe::test::ExporterProcess& exporter, int containers) {
  const auto start = ooe::Clock::now();
  const auto response = exporter.Get("/metrics", {"X-Prometheus-Scrape-Timeout-Seconds: 30"});
  const double seconds = Seconds(start);
  const auto samples = ooe::test::ParseExposition(response.body);
  const auto success = ooe::test::FindValue(samples, "onlyoffice_exporter_collector_success",
                                            {{"collector", "docker"}});
  const auto counted = ooe::test::CountSamples(samples, "container_cpu_usage_seconds_total");
  if (response.status != 200 || success != 1.0 || static_cast<int>(counted) != containers) {
    std::cerr << "our scrape failed: status " << response.status << ", " << counted
              << " containers\n"
              << exporter.Log() << "\n";
    std::exit(1);
  }
  return seconds;
}

double TimeCommand(const std::vector<std::string>& argv) {
  const auto start = ooe::Clock::now();
  int exit_code = -1;
  std::string errors;
  ooe::test::RunCommand(argv, &exit_code, &errors);
  const double seconds = Seconds(start);
  if (exit_code != 0) {
    std::cerr << argv[0] << " failed: " << errors << "\n";
    std::exit(1);
  }
  return seconds;
}

// One curl with the calls our collector makes: /version, the list, /info, every container's
// inspect, and the stats (on Podman one libpod report, as the collector reads it; else one
// request per container). `parallel`: all in flight at once (the engine's own cost, the floor
// any API client pays), else one after another on one connection (the serial floor).
std::vector<std::string> CurlCommand(const ContainerEngine& engine, bool podman, bool parallel) {
  std::istringstream ids(engine.Cli({"ps", "-q", "--no-trunc"}));
  const std::string base = "http://localhost/v1.41";
  std::string command = "curl -sf " +
                        std::string(parallel ? "--parallel --parallel-max 300 " : "") +
                        "--unix-socket " + engine.SocketPath() + " -o /dev/null " +
                        "http://localhost/version -o /dev/null '" + base +
                        "/containers/json?all=1' -o /dev/null " + base + "/info";
  if (podman) {
    command += " -o /dev/null 'http://localhost/v" +
               engine.Cli({"version", "--format", "{{.Server.Version}}"}) +
               "/libpod/containers/stats?stream=false'";
  }
  for (std::string id; ids >> id;) {
    command += " -o /dev/null " + base + "/containers/" + id + "/json";
    if (!podman) {
      command +=
          " -o /dev/null '" + base + "/containers/" + id + "/stats?stream=false&one-shot=true'";
    }
  }
  return {"sh", "-c", command};
}

void Row(const std::string& what, const std::vector<double>& seconds, double ours) {
  const double median = ooe::bench::Percentile(seconds, 0.5);
  std::cout << "  " << std::left << std::setw(44) << what << std::right << std::fixed
            << std::setprecision(3) << std::setw(8) << median << " s";
  if (ours > 0) std::cout << "   ours / this = " << std::setprecision(2) << ours / median;
  std::cout << "\n";
}

ooe::test::ExporterProcess StartExporter(const ContainerEngine& engine) {
  return ooe::test::ExporterProcess(
      {"--no-collector.redis", "--collector.docker", "--docker.host", engine.Host()});
}

}  // namespace

int main(int argc, char** argv) {
  const int containers = argc > 1 ? std::atoi(argv[1]) : 100;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;

  {
    ContainerEngine podman(ContainerEngine::Kind::kPodman);
    const auto started = ooe::Clock::now();
    StartContainers(podman, containers);
    std::cout << "Podman " << podman.Cli({"version", "--format", "{{.Server.Version}}"}) << ", "
              << containers << " running containers (started in " << std::setprecision(1)
              << std::fixed << Seconds(started) << " s), " << rounds << " rounds, medians:\n";
    auto exporter = StartExporter(podman);
    ScrapeOurs(exporter, containers);  // first scrape negotiates the API version
    std::vector<double> ours, podman_stats, serial, parallel;
    const auto serial_command = CurlCommand(podman, true, false);
    const auto parallel_command = CurlCommand(podman, true, true);
    for (int round = 0; round < rounds; ++round) {
      ours.push_back(ScrapeOurs(exporter, containers));
      const auto start = ooe::Clock::now();
      int exit_code = -1;
      podman.Cli({"stats", "--no-stream", "--format", "json"}, &exit_code);
      podman_stats.push_back(Seconds(start));
      if (exit_code != 0) {
        std::cerr << "podman stats failed\n";
        return 1;
      }
      serial.push_back(TimeCommand(serial_command));
      parallel.push_back(TimeCommand(parallel_command));
    }
    const double ours_median = ooe::bench::Percentile(ours, 0.5);
    Row("onlyoffice-exporter /metrics (docker only)", ours, 0);
    Row("podman stats --no-stream --format json", podman_stats, ours_median);
    Row("curl, the same API calls one after another", serial, ours_median);
    Row("curl, the same API calls all at once", parallel, ours_median);
    std::cout << "  exporter resident memory: " << std::setprecision(1)
              << ooe::bench::ResidentBytes(exporter.GetProcess().Pid()) / (1024 * 1024) << " MiB\n";
  }

  {
    ContainerEngine docker(ContainerEngine::Kind::kDocker);
    StartContainers(docker, containers);
    std::cout << "Docker " << docker.Cli({"version", "--format", "{{.Server.Version}}"}) << ", "
              << containers << " running containers, " << rounds << " rounds, medians:\n";
    auto exporter = StartExporter(docker);
    ScrapeOurs(exporter, containers);
    std::vector<double> ours, docker_stats;
    for (int round = 0; round < rounds; ++round) {
      ours.push_back(ScrapeOurs(exporter, containers));
      const auto start = ooe::Clock::now();
      docker.Cli({"stats", "--no-stream"});
      docker_stats.push_back(Seconds(start));
    }
    const double ours_median = ooe::bench::Percentile(ours, 0.5);
    Row("onlyoffice-exporter /metrics (docker only)", ours, 0);
    Row("docker stats --no-stream", docker_stats, ours_median);
    std::cout << "  serial floor: every stats call waits for the 1 s tick, so about " << containers
              << " s (not run)\n"
              << "  exporter resident memory: " << std::setprecision(1)
              << ooe::bench::ResidentBytes(exporter.GetProcess().Pid()) / (1024 * 1024) << " MiB\n";
  }
  return 0;
}
