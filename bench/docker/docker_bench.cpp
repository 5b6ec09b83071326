// Scrape time with 100 real containers: onlyoffice-exporter (only the docker collector on), its
// first (cold) scrape and its steady state apart, vs `podman stats --no-stream --format json` vs
// the same Engine API calls made with curl one after another (the serial floor) and all at once
// (the engine's own cost), on Podman's API service; then ours vs `docker stats --no-stream` on a
// private dockerd, whose stats calls wait for its 1-second sampling tick. Ours reads usage from
// the containers' cgroup files (the default on a socket) and, as a second exporter, from the
// engine's stats (--docker.read-cgroups=false). A third exporter has what reads inside the
// containers turned off (processes by program, volume space, OOM kills from the kernel's log),
// so the cost of those shows as a ratio measured in the same rounds, scrape time and memory; on
// Docker a fourth works as the exporter did before them (none, and every inspect every scrape).
// Run (as root): cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release &&
//   cmake --build build/release --target bench_docker && build/release/bench/bench_docker
//   [containers] [rounds]
// (defaults 100 containers, 5 rounds; a Debug build times our JSON parsing unoptimised).
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "bench/bench_stats.h"
#include "tests/support/docker_engine.h"
#include "tests/support/scrape.h"

namespace {

using ooe::test::ContainerEngine;

double Seconds(ooe::Clock::time_point start) {
  return std::chrono::duration<double>(ooe::Clock::now() - start).count();
}

// Each with two processes and a named volume, so there is something to read inside. Past 250
// containers volumes are shared: Podman takes one of its 2,048 locks (shared by every Podman on
// the host) for each container and each volume.
void StartContainers(const ContainerEngine& engine, int count) {
  for (int i = 0; i < count; ++i) {
    engine.Run("bench-" + std::to_string(i),
               {"--memory", "32m", "-v", "bench-" + std::to_string(i % 250) + ":/data"},
               {"sh", "-c", "sleep 100000 & exec sleep 100001"});
  }
}

// Our exporter's /metrics, checked: docker success 1, every container there, and each one's
// usage from where it was configured to come (`source`: "cgroup" files or "engine" stats).
double ScrapeOurs(ooe::test::ExporterProcess& exporter, int containers,
                  const std::string& source = "cgroup") {
  const auto start = ooe::Clock::now();
  const auto response = exporter.Get("/metrics", {"X-Prometheus-Scrape-Timeout-Seconds: 30"});
  const double seconds = Seconds(start);
  const auto samples = ooe::test::ParseExposition(response.body);
  const auto success = ooe::test::FindValue(samples, "onlyoffice_exporter_collector_success",
                                            {{"collector", "docker"}});
  const auto counted = ooe::test::CountSamples(samples, "container_cpu_usage_seconds_total");
  const auto from_source =
      ooe::test::FindValue(samples, "container_engine_usage_containers", {{"source", source}});
  if (response.status != 200 || success != 1.0 || static_cast<int>(counted) != containers ||
      from_source != static_cast<double>(containers)) {
    std::cerr << "our scrape failed: status " << response.status << ", " << counted
              << " containers, " << from_source.value_or(-1) << " from " << source << "\n"
              << exporter.Log() << "\n";
    // Thrown, not exited: the engines' destructors remove the containers the bench started.
    throw std::runtime_error("our scrape failed");
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
    throw std::runtime_error(argv[0] + " failed");
  }
  return seconds;
}

// One curl with the calls our collector makes. Docker: /version, the list, /info, and every
// container's inspect and stats. Podman, first scrape: /version, the libpod list, /info, the
// libpod stats report (all containers in one reply) and every container's inspect; Podman,
// `steady`: the libpod list and stats report only (the inspects a later scrape still makes are
// counted apart). `parallel`: all in flight at once (the engine's own cost, the floor any API
// client pays), else one after another on one connection (the serial floor).
std::vector<std::string> CurlCommand(const ContainerEngine& engine, bool podman, bool parallel,
                                     bool steady = false) {
  std::istringstream ids(engine.Cli({"ps", "-q", "--no-trunc"}));
  const std::string base = "http://localhost/v1.41";
  const std::string libpod = "http://localhost/v" +
                             engine.Cli({"version", "--format", "{{.Server.Version}}"}) +
                             "/libpod/containers";
  std::string command = "curl -sf " +
                        std::string(parallel ? "--parallel --parallel-max 300 " : "") +
                        "--unix-socket " + engine.SocketPath();
  if (!steady) command += " -o /dev/null http://localhost/version -o /dev/null " + base + "/info";
  if (podman) {
    command += " -o /dev/null '" + libpod + "/json?all=true' -o /dev/null '" + libpod +
               "/stats?stream=false'";
    if (steady) return {"sh", "-c", command};
  } else {
    command += " -o /dev/null '" + base + "/containers/json?all=1'";
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

// One curl for one libpod reply ("json?all=true", the list, or "stats?stream=false").
std::vector<std::string> CurlOne(const ContainerEngine& engine, const std::string& what) {
  return {"curl",
          "-sf",
          "-o",
          "/dev/null",
          "--unix-socket",
          engine.SocketPath(),
          "http://localhost/v" + engine.Cli({"version", "--format", "{{.Server.Version}}"}) +
              "/libpod/containers/" + what};
}

// The collector's own timing of its first round on Podman (list, stats report and due
// inspects together), per scrape, from its debug lines.
std::vector<double> FirstRoundSeconds(const std::string& log) {
  static const std::regex kLine("first_round_seconds=([0-9.]+)");
  std::vector<double> seconds;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), kLine); it != std::sregex_iterator();
       ++it) {
    seconds.push_back(std::stod((*it)[1].str()));
  }
  if (!seconds.empty()) seconds.erase(seconds.begin());  // the first scrape
  return seconds;
}

// The inspects each scrape made, from the collector's debug lines: kept, due (maximum age or
// health check) and changed (new, the list shows another state, or on Docker an event names it).
std::string InspectCounts(const std::string& log) {
  static const std::regex kLine(
      "inspects_kept=([0-9]+) inspects_due=([0-9]+) inspects_changed=([0-9]+)");
  std::string counts;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), kLine); it != std::sregex_iterator();
       ++it) {
    counts +=
        (counts.empty() ? "" : ", ") + (*it)[1].str() + "/" + (*it)[2].str() + "/" + (*it)[3].str();
  }
  return counts;
}

void Row(const std::string& what, const std::vector<double>& seconds, double ours) {
  const double median = ooe::bench::Percentile(seconds, 0.5);
  std::cout << "  " << std::left << std::setw(48) << what << std::right << std::fixed
            << std::setprecision(3) << std::setw(8) << median << " s";
  if (ours > 0) std::cout << "   ours / this = " << std::setprecision(2) << ours / median;
  std::cout << "\n";
}

// Every container the bench starts gets series: max_containers is raised past the default 300.
int g_containers = 100;

ooe::test::ExporterProcess StartExporter(const ContainerEngine& engine,
                                         const std::string& inspect_max_age = "",
                                         bool read_cgroups = true, bool inside = true) {
  std::vector<std::string> flags = {"--no-collector.redis",
                                    "--collector.docker",
                                    "--docker.host",
                                    engine.Host(),
                                    "--docker.max-containers",
                                    std::to_string(std::max(g_containers, 300)),
                                    "--log.level",
                                    "debug"};
  if (!inspect_max_age.empty()) {
    flags.insert(flags.end(), {"--docker.inspect-max-age", inspect_max_age});
  }
  if (!read_cgroups) flags.emplace_back("--docker.read-cgroups=false");
  if (!inside) {
    flags.insert(flags.end(), {"--docker.read-processes=false", "--docker.read-volumes=false",
                               "--docker.kernel-log="});
  }
  return ooe::test::ExporterProcess(flags);
}

// Prints the exporter's memory; returns its own (RssAnon) bytes.
double Memory(ooe::test::ExporterProcess& exporter, const std::string& what) {
  const pid_t pid = exporter.GetProcess().Pid();
  const double own = ooe::bench::ResidentBytes(pid, "RssAnon:");
  std::cout << "  " << what << " resident memory: " << std::setprecision(1) << std::fixed
            << ooe::bench::ResidentBytes(pid) / (1024 * 1024)
            << " MiB (own: " << own / (1024 * 1024) << " MiB)\n";
  return own;
}

// Ours against an exporter configured as it worked before the reads inside the containers
// (issue 16): none of them, and on Docker every inspect read every scrape (inspect_max_age 0).
void AgainstBefore(const std::vector<double>& ours, const std::vector<double>& before,
                   ooe::test::ExporterProcess& exporter,
                   ooe::test::ExporterProcess& before_exporter) {
  const double median = ooe::bench::Percentile(ours, 0.5);
  const double before_median = ooe::bench::Percentile(before, 0.5);
  const double own = ooe::bench::ResidentBytes(exporter.GetProcess().Pid(), "RssAnon:");
  const double before_own =
      ooe::bench::ResidentBytes(before_exporter.GetProcess().Pid(), "RssAnon:");
  std::cout << "  against the way before the reads inside (none of them, every inspect every "
               "scrape): later scrape "
            << std::setprecision(3) << median << " s vs " << before_median
            << " s = " << std::setprecision(2) << median / before_median << "x; own memory "
            << own / before_own << "x\n";
}

// Ours with the reads inside the containers against ours without, from the same rounds.
void InsideCost(const std::vector<double>& ours, const std::vector<double>& ours_outside,
                ooe::test::ExporterProcess& exporter, ooe::test::ExporterProcess& outside,
                int containers) {
  // The series the reads inside add, from one scrape of each.
  const auto count = [&](ooe::test::ExporterProcess& which) {
    return ooe::test::ParseExposition(which.Get("/metrics").body).size();
  };
  const double median = ooe::bench::Percentile(ours, 0.5);
  const double outside_median = ooe::bench::Percentile(ours_outside, 0.5);
  const double own = Memory(exporter, "exporter");
  const double outside_own = Memory(outside, "same without processes, volumes, OOM kills:");
  std::cout << "  reads inside the containers (processes, volumes, kernel log), " << containers
            << " containers: later scrape " << std::setprecision(3) << median << " s vs "
            << outside_median << " s = " << std::setprecision(2) << median / outside_median
            << "x; own memory " << own / outside_own << "x; samples " << count(exporter) << " vs "
            << count(outside) << "\n";
}

// Ours against podman stats and the same API calls made with curl, on Podman's API service;
// false when podman stats fails.
bool BenchPodman(int containers, int rounds) {
  ContainerEngine podman(ContainerEngine::Kind::kPodman);
  const auto started = ooe::Clock::now();
  StartContainers(podman, containers);
  std::cout << "Podman " << podman.Cli({"version", "--format", "{{.Server.Version}}"}) << ", "
            << containers << " running containers (started in " << std::setprecision(1)
            << std::fixed << Seconds(started) << " s), " << rounds << " rounds, medians:\n";
  // Ours as configured by default (inspects kept up to 60 s), and with every inspect read
  // every scrape (inspect_max_age 0), the cost when all containers changed at once.
  auto exporter = StartExporter(podman);
  auto uncached = StartExporter(podman, "0");
  auto engine_stats = StartExporter(podman, "", /*read_cgroups=*/false);
  auto outside = StartExporter(podman, "", true, /*inside=*/false);
  const double cold = ScrapeOurs(exporter, containers);
  ScrapeOurs(outside, containers);
  const double cold_uncached = ScrapeOurs(uncached, containers);
  const double cold_engine_stats = ScrapeOurs(engine_stats, containers, "engine");
  std::vector<double> ours, ours_uncached, ours_engine_stats, ours_outside, podman_stats, serial,
      parallel, serial_steady, parallel_steady, list_alone, stats_alone;
  const auto list_command = CurlOne(podman, "json?all=true");
  const auto stats_command = CurlOne(podman, "stats?stream=false");
  const auto serial_command = CurlCommand(podman, true, false);
  const auto parallel_command = CurlCommand(podman, true, true);
  const auto serial_steady_command = CurlCommand(podman, true, false, true);
  const auto parallel_steady_command = CurlCommand(podman, true, true, true);
  const auto rounds_started = ooe::Clock::now();
  for (int round = 0; round < rounds; ++round) {
    ours.push_back(ScrapeOurs(exporter, containers));
    ours_outside.push_back(ScrapeOurs(outside, containers));
    ours_uncached.push_back(ScrapeOurs(uncached, containers));
    ours_engine_stats.push_back(ScrapeOurs(engine_stats, containers, "engine"));
    const auto start = ooe::Clock::now();
    int exit_code = -1;
    podman.Cli({"stats", "--no-stream", "--format", "json"}, &exit_code);
    podman_stats.push_back(Seconds(start));
    if (exit_code != 0) {
      std::cerr << "podman stats failed\n";
      return false;
    }
    serial.push_back(TimeCommand(serial_command));
    parallel.push_back(TimeCommand(parallel_command));
    serial_steady.push_back(TimeCommand(serial_steady_command));
    parallel_steady.push_back(TimeCommand(parallel_steady_command));
    list_alone.push_back(TimeCommand(list_command));
    stats_alone.push_back(TimeCommand(stats_command));
  }
  const double spacing = Seconds(rounds_started) / rounds;
  const double ours_median = ooe::bench::Percentile(ours, 0.5);
  Row("onlyoffice-exporter /metrics, first scrape", {cold}, 0);
  Row("onlyoffice-exporter /metrics, later scrapes", ours, 0);
  Row("same, inspect_max_age 0, first scrape", {cold_uncached}, 0);
  Row("same, inspect_max_age 0, later scrapes", ours_uncached, ours_median);
  Row("same, usage from the libpod report, first scrape", {cold_engine_stats}, 0);
  Row("same, usage from the libpod report, later", ours_engine_stats, ours_median);
  Row("podman stats --no-stream --format json", podman_stats, ours_median);
  Row("curl, first scrape's calls one after another", serial, ours_median);
  Row("curl, first scrape's calls all at once", parallel, ours_median);
  Row("curl, libpod list + stats one after another", serial_steady, ours_median);
  Row("curl, libpod list + stats all at once", parallel_steady, ours_median);
  Row("curl, libpod list alone", list_alone, ours_median);
  Row("curl, libpod stats report alone", stats_alone, ours_median);
  Row("ours: list + due inspects (its log)", FirstRoundSeconds(exporter.Log()), 0);
  std::cout << "  inspects per scrape, kept/due/changed (a scrape every " << std::setprecision(1)
            << spacing << " s; due = older than 60 s, spread, or health-checked): "
            << InspectCounts(exporter.Log()) << "\n";
  InsideCost(ours, ours_outside, exporter, outside, containers);
  return true;
}

// Ours against docker stats on a private dockerd.
void BenchDocker(int containers, int rounds) {
  ContainerEngine docker(ContainerEngine::Kind::kDocker);
  StartContainers(docker, containers);
  std::cout << "Docker " << docker.Cli({"version", "--format", "{{.Server.Version}}"}) << ", "
            << containers << " running containers, " << rounds << " rounds, medians:\n";
  auto exporter = StartExporter(docker);
  auto engine_stats = StartExporter(docker, "", /*read_cgroups=*/false);
  auto outside = StartExporter(docker, "", true, /*inside=*/false);
  auto before = StartExporter(docker, "0", true, /*inside=*/false);
  const double cold = ScrapeOurs(exporter, containers);
  ScrapeOurs(outside, containers);
  ScrapeOurs(before, containers);
  const double cold_engine_stats = ScrapeOurs(engine_stats, containers, "engine");
  std::vector<double> ours, ours_outside, ours_before, ours_engine_stats, docker_stats, list_alone;
  const std::vector<std::string> list_command = {"curl",
                                                 "-sf",
                                                 "-o",
                                                 "/dev/null",
                                                 "--unix-socket",
                                                 docker.SocketPath(),
                                                 "http://localhost/v1.41/containers/json?all=1"};
  for (int round = 0; round < rounds; ++round) {
    ours.push_back(ScrapeOurs(exporter, containers));
    ours_outside.push_back(ScrapeOurs(outside, containers));
    ours_before.push_back(ScrapeOurs(before, containers));
    ours_engine_stats.push_back(ScrapeOurs(engine_stats, containers, "engine"));
    const auto start = ooe::Clock::now();
    docker.Cli({"stats", "--no-stream"});
    docker_stats.push_back(Seconds(start));
    list_alone.push_back(TimeCommand(list_command));
  }
  const double ours_median = ooe::bench::Percentile(ours, 0.5);
  Row("onlyoffice-exporter /metrics, first scrape", {cold}, 0);
  Row("onlyoffice-exporter /metrics, later scrapes", ours, 0);
  Row("same, usage from Docker's stats, first scrape", {cold_engine_stats}, 0);
  Row("same, usage from Docker's stats, later", ours_engine_stats, ours_median);
  Row("same, inspect_max_age 0 and no reads inside, later", ours_before, ours_median);
  Row("docker stats --no-stream", docker_stats, ours_median);
  Row("curl, the container list alone", list_alone, ours_median);
  std::cout << "  serial floor: every stats call waits for the 1 s tick, so about " << containers
            << " s (not run)\n";
  std::cout << "  inspects per scrape, kept/due/changed: " << InspectCounts(exporter.Log()) << "\n";
  InsideCost(ours, ours_outside, exporter, outside, containers);
  AgainstBefore(ours, ours_before, exporter, before);
}

}  // namespace

int main(int argc, char** argv) {
  const int containers = argc > 1 ? std::atoi(argv[1]) : 100;
  g_containers = containers;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  try {
    if (!BenchPodman(containers, rounds)) return 1;
    BenchDocker(containers, rounds);
  } catch (const std::exception& error) {
    std::cerr << "bench_docker: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
