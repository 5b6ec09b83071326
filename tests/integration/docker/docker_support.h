// Helpers shared by the Docker collector's integration tests: the shared engines, one
// collection timed, the engine's own view of a container, and an access-logging proxy.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/docker/collector.h"
#include "tests/support/collect.h"
#include "tests/support/docker_engine.h"
#include "tests/support/scrape.h"

namespace ooe::docker_test {

using Kind = test::ContainerEngine::Kind;
using test::FindValue;

TargetCollector MakeCollector(const std::string& yaml);

struct Scrape {
  CollectResult result;
  std::vector<test::Sample> samples;
  double seconds = 0;
  Clock::time_point end;
};

Scrape CollectOnce(const TargetCollector& collector,
                   std::chrono::milliseconds budget = std::chrono::seconds(8));

// The shared engine of `kind`, with no containers left from an earlier test case.
test::ContainerEngine& Engine(Kind kind);

// Polls `inspect -f FORMAT NAME` until it prints `expected` (20 s at most).
bool WaitFor(const test::ContainerEngine& engine, const std::string& name,
             const std::string& format, const std::string& expected);

// nginx in front of the engine's socket on 127.0.0.1, logging every request; with
// `refuse_libpod` it plays a docker-socket-proxy that allows only the Docker paths (403 on
// /vX/libpod/...), with `refuse_events` one that forbids /events (EVENTS=0).
class LoggingProxy {
 public:
  LoggingProxy(const test::ContainerEngine& engine, bool refuse_libpod, bool refuse_events = false);

  std::string Host() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  // nginx logs a request after sending its reply, so the last line may lag the client a moment.
  std::string AccessLog() const;

 private:
  test::TempDir dir_;
  int port_;
  std::unique_ptr<test::Process> nginx_;
};

// The engine's own stats of container `id`, read with curl: Docker's stats endpoint, Podman's
// libpod report.
std::optional<docker::ContainerStats> EngineStats(const test::ContainerEngine& engine,
                                                  const std::string& id);

// The oom_kill count of the memory cgroup container `name`'s PID 1 is in now (cgroup v1:
// memory.oom_control), or nullopt when the container has no process.
std::optional<double> CgroupOomKills(const test::ContainerEngine& engine, const std::string& name);

// Scrapes until container_oom_events_total of `name` reaches `at_least` (20 s at most); the
// last scrape.
Scrape CollectUntilOomEvents(const TargetCollector& collector, const std::string& name,
                             double at_least);

}  // namespace ooe::docker_test
