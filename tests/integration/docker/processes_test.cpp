// The processes of a container by program, their open files and limits.
// Against a private dockerd and Podman's API service started once for this binary, with real
// containers (busybox-static); see docker_support.h.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>

#include "tests/integration/docker/docker_support.h"

namespace ooe::docker_test {

TEST_CASE("docker: the processes of a container by program, with open files against the limit") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  // PID 1 (sh) holds three more files open, a CPU burner (yes) runs beside it, and a loop
  // starts sleep again every 0.5 s, as supervisord restarts a program that ends. The loop is a
  // shell the kernel names busybox: each of its forks is named as its parent until it execs
  // sleep, and one of sh's would be a second sh with a newer start time (CI's asan run met it).
  engine.Run("procs", {"--ulimit", "nofile=2000:4000", "--cpus", "0.2"},
             {"sh", "-c",
              "exec 3</dev/null 4</dev/null 5</dev/null; yes > /dev/null & "
              "busybox sh -c 'while true; do sleep 0.5; done' & wait"});
  auto collector = MakeCollector("host: " + engine.Host());
  const std::map<std::string, std::string> procs = {{"name", "procs"}};
  const auto program = [](const std::string& name) {
    return std::map<std::string, std::string>{{"name", "procs"}, {"program", name}};
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto first = CollectOnce(collector);
  REQUIRE(first.result.ErrorLine().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto second = CollectOnce(collector);
  REQUIRE(second.result.ErrorLine().empty());
  for (const auto* scrape : {&first, &second}) {
    const auto& samples = scrape->samples;
    // sh, yes, the loop and (nearly always) its sleep.
    CHECK(FindValue(samples, "container_processes", procs) >= 3);
    CHECK(FindValue(samples, "container_processes", procs) <= 4);
    // The loop, and for a moment its fork before it execs sleep.
    CHECK(FindValue(samples, "container_program_processes", program("busybox")) >= 1);
    CHECK(FindValue(samples, "container_program_processes", program("busybox")) <= 2);
    CHECK(FindValue(samples, "container_program_processes", program("sh")) == 1);
    CHECK(FindValue(samples, "container_program_processes", program("yes")) == 1);
    CHECK(FindValue(samples, "container_ulimits_soft",
                    {{"name", "procs"}, {"ulimit", "max_open_files"}}) == 2000);
    CHECK(FindValue(samples, "container_program_busiest_process_open_files_limit", program("sh")) ==
          2000);
    // 0, 1, 2 and the three it opened.
    CHECK(FindValue(samples, "container_program_file_descriptors", program("sh")) >= 6);
    CHECK(FindValue(samples, "container_file_descriptors", procs) >=
          FindValue(samples, "container_program_file_descriptors", program("sh")).value_or(0) + 3);
    CHECK(FindValue(samples, "container_program_resident_memory_bytes", program("yes")) > 0);
  }
  // yes has used CPU, and its counter grew by about what 0.2 cores give in the 1.5 s between.
  const auto cpu_before =
      FindValue(first.samples, "container_program_cpu_seconds_total", program("yes"));
  const auto cpu_after =
      FindValue(second.samples, "container_program_cpu_seconds_total", program("yes"));
  REQUIRE(cpu_before);
  REQUIRE(cpu_after);
  CHECK(*cpu_after > *cpu_before);
  CHECK(*cpu_after - *cpu_before < 1.5);
  // The restarted sleep moved its program's start time; sh's stayed.
  CHECK(FindValue(second.samples, "container_program_start_time_seconds", program("sleep")) >
        FindValue(first.samples, "container_program_start_time_seconds", program("sleep")));
  CHECK(FindValue(second.samples, "container_program_start_time_seconds", program("sh")) ==
        FindValue(first.samples, "container_program_start_time_seconds", program("sh")));
  const auto started = FindValue(second.samples, "container_start_time_seconds", procs);
  REQUIRE(started);
  CHECK(std::abs(*FindValue(second.samples, "container_program_start_time_seconds", program("sh")) -
                 *started) < 1.5);

  // One program of its own: the rest are "other", never more series.
  auto bounded = MakeCollector("host: " + engine.Host() + "\nmax_programs: 1\n");
  const auto scrape = CollectOnce(bounded);
  REQUIRE(scrape.result.ErrorLine().empty());
  CHECK(test::CountSamples(scrape.samples, "container_program_processes") == 2);
  CHECK(FindValue(scrape.samples, "container_program_processes", program("other")) >= 1);
  // And none without the host's /proc, or when turned off.
  auto off = MakeCollector("host: " + engine.Host() + "\nread_processes: false\n");
  CHECK(test::CountSamples(CollectOnce(off).samples, "container_processes") == 0);
}

TEST_CASE(
    "docker: docservice restarted inside its container moves its start time, not the "
    "container's restarts") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  // A supervisor loop, as supervisord runs docservice in the packaged image: it ends after a
  // second and is started again.
  engine.Run("supervised", {},
             {"sh", "-c", "while true; do (exec -a sleep /bin/docservice 1); done"});
  auto collector = MakeCollector("host: " + engine.Host());
  const std::map<std::string, std::string> docservice = {{"name", "supervised"},
                                                         {"program", "docservice"}};
  std::set<double> starts;
  for (int scrape_number = 0; scrape_number < 3; ++scrape_number) {
    const auto scrape = CollectOnce(collector);
    REQUIRE(scrape.result.ErrorLine().empty());
    if (const auto start =
            FindValue(scrape.samples, "container_program_start_time_seconds", docservice)) {
      starts.insert(*start);
    }
    CHECK(FindValue(scrape.samples, "container_restarts_total", {{"name", "supervised"}})
              .value_or(0) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }
  CHECK(starts.size() >= 2);
}

}  // namespace ooe::docker_test
