// A container's processes from the host's /proc (cgroup.procs, /proc/PID/stat and limits), and
// their grouping by program into a bounded set of series with counters that never fall.
#include "tests/support/process.h"

#include <catch2/catch.hpp>

#include "collectors/docker/process_parser.h"

namespace ooe::docker {
namespace {

const std::string kFixtures = std::string(OOE_SOURCE_DIR) + "/tests/fixtures/proc/";

ProcessSample Sample(long long pid, const std::string& comm, double cpu_ticks, double start_ticks,
                     double rss_pages, std::optional<double> fds = std::nullopt,
                     std::optional<double> limit = std::nullopt) {
  ProcessSample sample;
  sample.pid = pid;
  sample.stat.comm = comm;
  sample.stat.user_ticks = cpu_ticks;
  sample.stat.start_ticks = start_ticks;
  sample.stat.rss_pages = rss_pages;
  sample.file_descriptors = fds;
  sample.open_files_limit = limit;
  return sample;
}

const ProgramUsage* Find(const std::vector<ProgramUsage>& programs, const std::string& name) {
  for (const auto& usage : programs) {
    if (usage.program == name) return &usage;
  }
  return nullptr;
}

const HostClock kClock{1000, 100, 4096};

}  // namespace

TEST_CASE("processes: real cgroup.procs, stat and limits files") {
  const auto pids = ParseProcessList(test::ReadFile(kFixtures + "cgroup.procs"));
  REQUIRE(pids);
  CHECK(*pids == std::vector<long long>{15955, 15965, 15978});
  const auto sh = ParseProcessStat(test::ReadFile(kFixtures + "stat-sh"));
  REQUIRE(sh);
  CHECK(sh->comm == "sh");
  CHECK(sh->user_ticks == 1);
  CHECK(sh->system_ticks == 0);
  CHECK(sh->start_ticks == 182631);
  CHECK(sh->rss_pages == 364);
  const auto sleep = ParseProcessStat(test::ReadFile(kFixtures + "stat-sleep"));
  REQUIRE(sleep);
  CHECK(sleep->comm == "sleep");
  CHECK(sleep->start_ticks == 182636);
  const auto odd = ParseProcessStat(test::ReadFile(kFixtures + "stat-parenthesised-name"));
  REQUIRE(odd);
  CHECK(odd->comm == "my (odd) prog");
  CHECK(odd->user_ticks == 250);
  CHECK(odd->system_ticks == 50);
  CHECK(ParseOpenFilesSoftLimit(test::ReadFile(kFixtures + "limits-nofile-1024-4096")).value ==
        1024);
  CHECK(ParseBootTime(test::ReadFile(kFixtures + "proc-stat")).value == 1796173692);
}

TEST_CASE("processes: garbage is a one-line error, never a silent 0") {
  CHECK(ParseProcessList("12\nabc\n").error == "'abc' is not a process id");
  CHECK(ParseProcessList("0\n").error == "'0' is not a process id");
  CHECK(ParseProcessList("")->empty());
  CHECK(ParseProcessStat("12 sh S 1").error == "no '(name)' after the process id");
  CHECK(ParseProcessStat("12 (sh) S 1 2 3").error == "only 6 fields, fewer than 24");
  CHECK(ParseProcessStat("1 (a) S 0 0 0 0 -1 0 0 0 0 0 x 0 0 0 20 0 1 0 5 0 9 0").error ==
        "utime, stime, starttime or rss is not a number");
  CHECK(ParseOpenFilesSoftLimit("Max open files  unlimited  unlimited  files\n").value == -1);
  CHECK(ParseOpenFilesSoftLimit("Max open files  lots  4096  files\n").error ==
        "'Max open files' soft limit 'lots' is not a number");
  CHECK(ParseOpenFilesSoftLimit("Max processes 10 10\n").error == "no 'Max open files' line");
  CHECK(ParseBootTime("cpu 1 2 3\n").error == "no btime line");
  CHECK(ParseBootTime("btime soon\n").error == "btime 'soon' is not a number");
  CHECK(ProgramName("x2t\n\xff") == "x2t__");
}

TEST_CASE("processes: grouped by program, with the newest start and the busiest process") {
  ProcessTally tally;
  const auto programs = tally.Update(
      {Sample(10, "postgres", 100, 500, 1000, 10, 1024),
       Sample(11, "postgres", 50, 700, 500, 30, 2048), Sample(12, "nginx", 20, 600, 100),
       // More open files, but its limit was not read (the reader reads only each program's
       // busiest process's): never the busiest.
       Sample(13, "postgres", 0, 400, 0, 50)},
      kClock, 10);
  REQUIRE(programs.size() == 2);
  const auto* postgres = Find(programs, "postgres");
  REQUIRE(postgres);
  CHECK(postgres->processes == 3);
  CHECK(postgres->resident_bytes == 1500 * 4096);
  CHECK(postgres->cpu_seconds == 1.5);
  CHECK(postgres->newest_start_seconds == 1000 + 7);
  CHECK(postgres->file_descriptors == 90);
  CHECK(postgres->busiest_file_descriptors == 30);
  CHECK(postgres->busiest_open_files_limit == 2048);
  const auto* nginx = Find(programs, "nginx");
  REQUIRE(nginx);
  CHECK_FALSE(nginx->busiest_open_files_limit);  // its fd directory was not readable
}

TEST_CASE("processes: a restarted program moves its start time, and its CPU counter never falls") {
  ProcessTally tally;
  tally.Update({Sample(1, "supervisord", 10, 100, 10), Sample(20, "docservice", 500, 200, 5000)},
               kClock, 10);
  auto programs = tally.Update(
      {Sample(1, "supervisord", 10, 100, 10), Sample(20, "docservice", 800, 200, 5000)}, kClock,
      10);
  CHECK(Find(programs, "docservice")->cpu_seconds == 8);
  // docservice died and supervisord started it again: a new process (pid 31) with 1 s of CPU.
  programs = tally.Update(
      {Sample(1, "supervisord", 10, 100, 10), Sample(31, "docservice", 100, 900, 4000)}, kClock,
      10);
  CHECK(Find(programs, "docservice")->cpu_seconds == 9);
  CHECK(Find(programs, "docservice")->newest_start_seconds == 1000 + 9);
  // A pid reused by another process (another start time) counts from that process's 0.
  programs = tally.Update(
      {Sample(1, "supervisord", 10, 100, 10), Sample(31, "docservice", 50, 950, 4000)}, kClock, 10);
  CHECK(Find(programs, "docservice")->cpu_seconds == 9.5);
}

TEST_CASE(
    "processes: past max_programs the smallest by memory are \"other\", and a fork bomb "
    "adds no series") {
  ProcessTally tally;
  std::vector<ProcessSample> processes = {Sample(1, "docservice", 0, 1, 9000),
                                          Sample(2, "converter", 0, 1, 8000),
                                          Sample(3, "nginx", 100, 1, 100)};
  for (int i = 0; i < 500; ++i) {
    processes.push_back(Sample(100 + i, "bomb" + std::to_string(i), 1, 1, 1));
  }
  auto programs = tally.Update(processes, kClock, 3);
  REQUIRE(programs.size() == 4);
  CHECK(Find(programs, "docservice"));
  CHECK(Find(programs, "converter"));
  CHECK(Find(programs, "nginx"));
  REQUIRE(Find(programs, "other"));
  CHECK(Find(programs, "other")->processes == 500);
  CHECK(Find(programs, "other")->cpu_seconds == Approx(5));
  // A program keeps its series while it runs, even when a larger one appears: no series moves.
  processes.push_back(Sample(900, "x2t", 0, 2, 50000));
  programs = tally.Update(processes, kClock, 3);
  CHECK(Find(programs, "nginx"));
  CHECK_FALSE(Find(programs, "x2t"));
  CHECK(Find(programs, "other")->processes == 501);
  // Once nginx has ended, its place goes to the largest of the others.
  std::erase_if(processes, [](const ProcessSample& sample) { return sample.stat.comm == "nginx"; });
  programs = tally.Update(processes, kClock, 3);
  CHECK_FALSE(Find(programs, "nginx"));
  CHECK(Find(programs, "x2t"));
  CHECK(Find(programs, "other")->cpu_seconds == Approx(5));  // never falls
}

}  // namespace ooe::docker
