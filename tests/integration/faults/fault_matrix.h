// The fault matrix's runner: one cell is the real exporter with every collector on a healthy real
// server but one, whose target is faulty; the cell checks the scrape, the faulty collector's
// success, verdict series and error, and a clean exit.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/docker_engine.h"
#include "tests/support/documentserver.h"
#include "tests/support/misbehaving_peer.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
#include "tests/support/rabbitmq_server.h"
#include "tests/support/redis_server.h"

namespace ooe::faults {

// Prometheus' scrape timeout in every cell; the exporter takes its 0.5 s offset off it.
inline constexpr double kScrapeTimeoutSeconds = 2.0;
inline constexpr double kDeadlineSeconds = kScrapeTimeoutSeconds - 0.5;
// Longer than the deadline: the slow peer is still sending when the collector gives up.
inline constexpr std::chrono::milliseconds kSlowSpread{4000};

inline const std::vector<std::string> kKinds = {"redis",          "rabbitmq", "docker",
                                                "documentserver", "nginx",    "postgres"};

std::string Local(int port);
// Redis' reply to INFO: a RESP bulk string.
std::string RespBulk(const std::string& text);
std::string Fixture(const std::string& path);
std::string SharedFixture(const std::string& path);
// A body of `size` bytes that starts like the JSON it is not.
std::string Oversized(size_t size);
// A target on a port nobody listens on.
std::string RefusedPort();

// The healthy real servers, one set for the whole binary.
struct HealthyStack {
  test::RedisServer redis;
  test::RabbitmqServer& rabbitmq = test::RabbitmqServer::Shared();
  test::ContainerEngine& engine =
      test::ContainerEngine::Shared(test::ContainerEngine::Kind::kDocker);
  test::DocServiceStandin standin;
  test::DocumentServerNginx nginx{standin.Port()};
  test::PostgresServer postgres;

  // Each kind's healthy target, in the config file's flow style.
  std::string Target(const std::string& kind) const;
};
HealthyStack& Healthy();

// A fault: what to start (servers, peers, files), kept alive through the cell, and the faulty
// collector's target; `words` must all appear in its error. Its verdict series (redis_up ...)
// must be in the scrape at `verdict`: 0 unless the backend itself is fine.
struct Fault {
  std::string fault;
  std::string how;
  std::function<std::string(std::vector<std::shared_ptr<void>>& keep, const test::TempDir& dir)>
      target;
  std::vector<std::string> words;
  double verdict = 0;
};

template <typename T, typename... Arguments>
T& Keep(std::vector<std::shared_ptr<void>>& keep, Arguments&&... arguments) {
  auto object = std::make_shared<T>(std::forward<Arguments>(arguments)...);
  keep.push_back(object);
  return *object;
}

// A misbehaving peer as the faulty target; `target` turns its URL into the target's YAML.
Fault PeerFault(std::string fault, std::string how, test::PeerBehaviour behaviour,
                std::function<std::string(const std::string& url)> target,
                std::vector<std::string> words);
Fault SilentFault(std::function<std::string(const std::string& url)> target,
                  std::vector<std::string> words);
Fault RefusedFault(std::function<std::string(const std::string& url)> target);
// A peer that answers `reply` one byte a second.
test::PeerBehaviour Trickle(const std::string& reply);
test::PeerBehaviour Cut(const std::string& reply, size_t body_bytes);

// Every cell of `kind`; then each exporter must have exited with status 0 and, under the asan
// preset, without a sanitizer report (LeakSanitizer runs at exit).
void RunCells(const std::string& kind, const std::vector<Fault>& faults);
// Prints the matrix; returns how many cells ran and how many failed.
std::pair<size_t, size_t> PrintMatrix();

}  // namespace ooe::faults
