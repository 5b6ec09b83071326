// container_oom_events_total from the kernel's log.
// Against a private dockerd and Podman's API service started once for this binary, with real
// containers (busybox-static); see docker_support.h.
#include <catch2/catch.hpp>
#include <ctime>
#include <map>
#include <thread>

#include "tests/integration/docker/docker_support.h"

namespace ooe::docker_test {

TEST_CASE("docker: a child's OOM kill while PID 1 lives on is counted, as its cgroup counts it") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  // PID 1 (sh) waits for /tmp/go, then a child (tail of an endless line) allocates past the
  // limit and is killed; PID 1 goes on sleeping.
  engine.Run(
      "oom-child", {"--memory", "16m", "--memory-swap", "16m"},
      {"sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; sleep 100000"});
  auto collector = MakeCollector("host: " + engine.Host());
  const std::map<std::string, std::string> child = {{"name", "oom-child"}};
  auto scrape = CollectOnce(collector);
  REQUIRE(scrape.result.ErrorLine().empty());
  // Present at 0 before any kill, so that the first one is an increase.
  CHECK(FindValue(scrape.samples, "container_oom_events_total", child) == 0);

  engine.Cli({"exec", "oom-child", "sh", "-c", ": > /tmp/go"});
  scrape = CollectUntilOomEvents(collector, "oom-child", 1);
  REQUIRE(scrape.result.ErrorLine().empty());
  CHECK(FindValue(scrape.samples, "container_oom_events_total", child) == 1);
  // The engine says nothing: the container runs on, never restarted, not OOMKilled.
  CHECK(FindValue(scrape.samples, "container_running", child) == 1);
  CHECK(FindValue(scrape.samples, "container_restarts_total", child).value_or(0) == 0);
  CHECK(FindValue(scrape.samples, "container_oom_killed", child) == 0);
  // The container's own cgroup counted the same kill.
  CHECK(CgroupOomKills(engine, "oom-child") == 1);
  // A restarted exporter reads the kill again from the kernel's log: the same value, no reset.
  auto restarted = MakeCollector("host: " + engine.Host());
  CHECK(FindValue(CollectOnce(restarted).samples, "container_oom_events_total", child) == 1);
  // And a later scrape of the first collector does not count it twice.
  CHECK(FindValue(CollectOnce(collector).samples, "container_oom_events_total", child) == 1);
}

TEST_CASE("docker: PID 1 OOM-killed and restarted by --restart always is counted every time") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  auto collector = MakeCollector("host: " + engine.Host());
  const std::string id =
      engine.Run("oom-pid1", {"--restart", "always", "--memory", "16m", "--memory-swap", "16m"},
                 {"sh", "-c", "sleep 1; exec tail /dev/zero"});
  const std::map<std::string, std::string> pid1 = {{"name", "oom-pid1"}};
  // Between restarts the engine's own view resets: OOMKilled and the exit code describe only the
  // last run, so the kills show in no engine field once it runs again.
  int restarts = 0;
  for (int attempt = 0; attempt < 300 && restarts < 3; ++attempt) {
    restarts = std::atoi(engine.Cli({"inspect", "-f", "{{.RestartCount}}", "oom-pid1"}).c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(restarts >= 3);
  // Stopped (which also ends the restart policy), so that the numbers hold still.
  engine.Cli({"stop", "-t", "0", "oom-pid1"});
  REQUIRE(WaitFor(engine, "oom-pid1", "{{.State.Status}}", "exited"));
  const double runs =
      1 + std::atof(engine.Cli({"inspect", "-f", "{{.RestartCount}}", "oom-pid1"}).c_str());
  const auto scrape = CollectUntilOomEvents(collector, "oom-pid1", runs - 1);
  REQUIRE(scrape.result.ErrorLine().empty());
  const auto events = FindValue(scrape.samples, "container_oom_events_total", pid1);
  REQUIRE(events);
  INFO("runs " << runs << ", OOM events " << *events);
  // Every run but perhaps the last (stopped before its kill) ended in one.
  CHECK(*events >= runs - 1);
  CHECK(*events <= runs);
  CHECK(*events >= 3);
  if (kind == Kind::kDocker) {
    // Docker's own event stream has an "oom" event for some kills, never more than the
    // kernel's log: it loses those of a run that ends before containerd reports the event
    // (measured here: 2 of 3, 3 of 4).
    const auto history = test::RunCommand(
        {"curl", "-sf", "--unix-socket", engine.SocketPath(),
         "http://d/v1.41/events?since=0&until=" + std::to_string(std::time(nullptr)) +
             "&filters=%7B%22event%22%3A%5B%22oom%22%5D%2C%22container%22%3A%5B%22" + id +
             "%22%5D%7D"});
    const auto engine_events =
        static_cast<double>(test::CountOccurrences(history, "\"Action\":\"oom\""));
    WARN("Docker's oom events: " << engine_events << ", the kernel's OOM kills: " << *events);
    CHECK(engine_events >= 1);
    CHECK(engine_events <= *events);
  }
  // A restarted exporter gives the same count.
  auto restarted = MakeCollector("host: " + engine.Host());
  CHECK(FindValue(CollectOnce(restarted).samples, "container_oom_events_total", pid1) == *events);
}

TEST_CASE("docker: without the kernel log there is no OOM count, and the rest still is") {
  auto& engine = Engine(Kind::kDocker);
  engine.Run("no-log", {}, {"sleep", "1000"});
  for (const std::string& setting :
       {std::string("kernel_log: ''"), std::string("kernel_log: /nonexistent/kmsg")}) {
    INFO(setting);
    auto collector = MakeCollector("host: " + engine.Host() + "\n" + setting + "\n");
    const auto scrape = CollectOnce(collector);
    REQUIRE(scrape.result.ErrorLine().empty());
    CHECK(FindValue(scrape.samples, "container_running", {{"name", "no-log"}}) == 1);
    CHECK(test::CountSamples(scrape.samples, "container_oom_events_total") == 0);
  }
}

}  // namespace ooe::docker_test
