// Podman's libpod list and the inspect cache it drives, on real Podman 4.3.1 replies: the list's
// state facts, when a kept inspect still holds, and when it must be read again.
#include "collectors/docker/inspect_cache.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "tests/support/process.h"

namespace ooe::docker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Fixture(const std::string& name) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/docker/" + name);
}

std::map<std::string, ContainerSummary> ListFixture() {
  auto list = ParseContainerList(Fixture("libpod-list-podman-4.3.1.json"));
  REQUIRE(list);
  std::map<std::string, ContainerSummary> by_name;
  for (auto& summary : *list.value) by_name.emplace(summary.name, std::move(summary));
  REQUIRE(by_name.size() == 5);
  return by_name;
}

ContainerInspect InspectFixture(const std::string& which) {
  auto inspect = ParseInspect(Fixture("compat-inspect-podman-4.3.1-" + which + ".json"));
  REQUIRE(inspect);
  return *inspect.value;
}

}  // namespace

TEST_CASE("podman: the libpod list gives the state facts that change with every restart or exit") {
  const auto list = ListFixture();
  const auto& exited = list.at("t-exit");
  CHECK(exited.state == "exited");
  CHECK(exited.exit_code == 3);
  CHECK(exited.started_at == 1795606950);
  CHECK(exited.exited_at == 1795606950);
  CHECK(exited.pid == 0);
  CHECK(exited.image == "localhost/busybox:test");
  const auto& created = list.at("t-created");
  CHECK(created.state == "created");
  CHECK_FALSE(created.started_at);  // Go's zero time, -62135596800
  CHECK_FALSE(created.exited_at);
  CHECK(list.at("t-health").status == "starting");
  CHECK(list.at("t-run").status.empty());
  CHECK(list.at("t-run").pid == 25386);
  CHECK_FALSE(list.at("t-run").exited_at);
  CHECK(list.at("t-run").labels.at("com.docker.compose.project") == "onlyoffice");
  CHECK(list.at("t-stopped").exit_code == 137);
}

TEST_CASE("podman: each compatible inspect matches its libpod list entry, a change does not") {
  const auto list = ListFixture();
  for (const auto& [which, name] : std::map<std::string, std::string>{{"exit", "t-exit"},
                                                                      {"created", "t-created"},
                                                                      {"health", "t-health"},
                                                                      {"stopped", "t-stopped"},
                                                                      {"run", "t-run"}}) {
    INFO(which);
    CHECK(InspectMatchesList(InspectFixture(which), list.at(name)));
  }
  const auto running = InspectFixture("run");
  auto restarted = list.at("t-run");  // what the list shows after a restart by policy
  restarted.started_at = *restarted.started_at + 5;
  restarted.pid = 31000;
  CHECK_FALSE(InspectMatchesList(running, restarted));
  auto same_second = list.at("t-run");  // restarted within the same second: a new process
  same_second.pid = 31000;
  CHECK_FALSE(InspectMatchesList(running, same_second));
  auto stopped = list.at("t-run");
  stopped.state = "exited";
  stopped.exited_at = 1795607300;
  stopped.exit_code = 137;
  stopped.pid = 0;
  CHECK_FALSE(InspectMatchesList(running, stopped));
  auto unhealthy = list.at("t-health");
  unhealthy.status = "unhealthy";
  CHECK_FALSE(InspectMatchesList(InspectFixture("health"), unhealthy));
  // Another container's inspect never stands for this one's list entry.
  CHECK_FALSE(InspectMatchesList(InspectFixture("exit"), list.at("t-stopped")));
}

TEST_CASE("podman: whole seconds of a timestamp are exact where the double rounds up") {
  CHECK(ParseTimestampUnix("2026-11-25T11:42:30.999999999Z") == 1795606950);
  CHECK(ParseTimestampUnix("2026-11-25T12:42:30.5+01:00") == 1795606950);
  CHECK_FALSE(ParseTimestampUnix("0001-01-01T00:00:00Z"));
  CHECK_FALSE(ParseTimestampUnix("yesterday"));
}

TEST_CASE("podman: a kept inspect is used until its maximum age, then read again") {
  const auto list = ListFixture();
  const auto start = Clock::now();
  InspectCache cache(seconds(60), 7);
  const auto& run = list.at("t-run");
  CHECK(cache.Find(run, start) == nullptr);
  cache.Store(run.id, InspectFixture("run"), start);
  CHECK(cache.Due(start).empty());
  REQUIRE(cache.Find(run, start) != nullptr);
  CHECK(cache.Find(run, start)->memory_limit == 32 << 20);
  // Never kept beyond the maximum age (the first age is spread within it).
  CHECK(cache.Find(run, start + seconds(60)) == nullptr);
  CHECK(cache.Due(start + seconds(60)) == std::vector<std::string>{run.id});
  // Read again late (no scrape for 100 s): kept at most the maximum age from then on.
  const auto refreshed = start + seconds(100);
  cache.Store(run.id, InspectFixture("run"), refreshed);
  CHECK(cache.Find(run, refreshed) != nullptr);
  CHECK(cache.Find(run, refreshed + seconds(60)) == nullptr);
  // Read again because the list showed a change: used, and never beyond the maximum age.
  cache.Store(run.id, InspectFixture("run"), refreshed + seconds(30));
  CHECK(cache.Find(run, refreshed + seconds(30)) != nullptr);
  CHECK(cache.Find(run, refreshed + seconds(90)) == nullptr);
  // A list entry that shows another state is never answered from the cache.
  auto stopped = run;
  stopped.state = "exited";
  stopped.pid = 0;
  CHECK(cache.Find(stopped, refreshed) == nullptr);
}

TEST_CASE("podman: containers seen together get their refreshes spread over the maximum age") {
  const auto start = Clock::now();
  InspectCache cache(seconds(60), 11);
  const auto inspect = InspectFixture("run");
  for (int i = 0; i < 100; ++i) {
    // Appended, not "c" + std::to_string(i): GCC 12 at -O3 misreads that operator+'s insert
    // as an overlapping memcpy (-Wrestrict, GCC bug 105329).
    std::string id = "c";
    id += std::to_string(i);
    cache.Store(id, inspect, start);
  }
  CHECK(cache.Due(start).empty());
  const size_t at_quarter = cache.Due(start + seconds(15)).size();
  const size_t at_half = cache.Due(start + seconds(30)).size();
  CHECK(at_quarter > 10);
  CHECK(at_quarter < 40);
  CHECK(at_half > 35);
  CHECK(at_half < 65);
  CHECK(cache.Due(start + seconds(60)).size() == 100);

  // An hour of scrapes at irregular intervals (10 to 20 s): each reads again what is due, and
  // they stay spread, about interval / max age of them per scrape, never all at once.
  std::minstd_rand jitter(5);
  std::uniform_int_distribution<int> interval_ms(10000, 20000);
  auto now = start;
  size_t most = 0;
  for (int scrape = 0; scrape < 240; ++scrape) {
    now += milliseconds(interval_ms(jitter));
    const auto due = cache.Due(now);
    most = std::max(most, due.size());
    for (const auto& id : due) cache.Store(id, inspect, now);
  }
  CHECK(most < 55);
}

TEST_CASE("podman: health-checked containers are read every scrape, limits when they change") {
  const auto list = ListFixture();
  const auto now = Clock::now();
  InspectCache cache(seconds(60), 3);
  const auto& health = list.at("t-health");
  const auto& run = list.at("t-run");
  cache.Store(health.id, InspectFixture("health"), now);
  cache.Store(run.id, InspectFixture("run"), now);
  // FailingStreak grows while the status stays "starting" or "unhealthy": only inspect has it.
  CHECK(cache.Due(now) == std::vector<std::string>{health.id});
  CHECK(cache.Find(health, now) == nullptr);
  REQUIRE(cache.Find(run, now) != nullptr);

  CHECK_FALSE(cache.MemoryLimitChanged(run.id, 33554432.0));  // nothing seen yet
  cache.SeeMemoryLimit(run.id, 33554432.0);
  CHECK_FALSE(cache.MemoryLimitChanged(run.id, 33554432.0));
  CHECK(cache.MemoryLimitChanged(run.id, 50331648.0));
  CHECK_FALSE(cache.MemoryLimitChanged(run.id, std::nullopt));  // no report this scrape
  CHECK_FALSE(cache.MemoryLimitChanged("unknown", 1.0));
}

TEST_CASE("podman: removed containers are forgotten, and a maximum age of 0 keeps nothing") {
  const auto list = ListFixture();
  const auto now = Clock::now();
  InspectCache cache(seconds(60), 5);
  const auto& run = list.at("t-run");
  const auto& exited = list.at("t-exit");
  cache.Store(run.id, InspectFixture("run"), now);
  cache.Store(exited.id, InspectFixture("exit"), now);
  CHECK(cache.Size() == 2);
  cache.Retain({run.id});
  CHECK(cache.Size() == 1);
  CHECK(cache.Find(exited, now) == nullptr);
  CHECK(cache.Find(run, now) != nullptr);
  cache.Forget(run.id);
  CHECK(cache.Size() == 0);

  InspectCache never(milliseconds(0), 5);
  never.Store(run.id, InspectFixture("run"), now);
  CHECK(never.Find(run, now) == nullptr);
  CHECK(never.Due(now) == std::vector<std::string>{run.id});
}

}  // namespace ooe::docker
