// The Docker collector's decisions on Docker, driven by recorded Docker Engine 20.10 replies
// through an engine transport of the test's own: inspects kept across scrapes while the list
// shows the same state and the engine's events name no change, and every inspect read again
// when the events cannot be trusted (none yet, a failed request, a full buffer).
#include "collectors/docker/compatible_source.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "base/log.h"
#include "collectors/docker/collector.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/unit/docker_fixtures.h"

namespace ooe::docker {
namespace {

using test::FindValue;

std::string Fixture(const std::string& name) {
  return test::ReadFile(docker_test::kFixtures / name);
}
std::string RepoFixture(const std::string& name) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/docker/" + name);
}

// One event line as Docker 20.10 writes it, naming container `id`.
std::string ContainerEvent(const std::string& id, const std::string& action) {
  return nlohmann::json{{"status", action},
                        {"id", id},
                        {"Type", "container"},
                        {"Action", action},
                        {"Actor", {{"ID", id}, {"Attributes", {{"name", "x"}}}}},
                        {"scope", "local"},
                        {"time", 1796295570},
                        {"timeNano", 1796295570640028759}}
             .dump() +
         "\n";
}

// Answers as the Docker Engine 20.10 recorded in the shared fixtures answered; its clock runs
// `clock_offset` seconds ahead of ours; counts requests.
class RecordedDocker final : public docker_test::RecordedEngine {
 public:
  RecordedDocker() : list_(nlohmann::json::parse(Fixture("containers-all.json"))) {
    for (const auto& container : list_) {
      const std::string name = container["Names"][0].get<std::string>().substr(1);
      const std::string id = container["Id"];
      inspects_.emplace(id, Fixture("inspect-" + name + ".json"));
      stats_.emplace(id, Fixture("stats-" + name + ".json"));
      ids_.emplace(name, id);
    }
  }

  const std::string& Id(const std::string& name) { return ids_.at(name); }
  nlohmann::json& List() { return list_; }
  std::map<std::string, std::string>& InspectBodies() { return inspects_; }

  double clock_offset = 3600;  // the engine's clock an hour ahead: ours must not matter
  std::string events;          // the next /events reply's body
  long events_status = 200;

 private:
  HttpResponse Answer(const std::string& path) const override {
    if (path == "/version") return Reply(200, Fixture("version.json"));
    if (path.ends_with("/info")) {
      const auto engine_now = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::duration<double>(UnixNow() + clock_offset)));
      const auto seconds = std::chrono::system_clock::to_time_t(engine_now);
      std::array<char, 40> text{};
      std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S.5Z", std::gmtime(&seconds));
      return Reply(200, std::string(R"({"NCPU":2,"MemTotal":25000000000,"SystemTime":")") +
                            text.data() + "\"}");
    }
    if (path.find("/events?") != std::string::npos) return Reply(events_status, events);
    if (path.find("/containers/json?all=1") != std::string::npos) return Reply(200, list_.dump());
    for (const auto& [id, body] : inspects_) {
      if (path.ends_with("/containers/" + id + "/json")) return Reply(200, body);
      if (path.find("/containers/" + id + "/stats") != std::string::npos) {
        return Reply(200, stats_.at(id));
      }
    }
    return Reply(404, R"({"message":"no such path"})");
  }

  nlohmann::json list_;
  std::map<std::string, std::string> inspects_, stats_, ids_;
};

docker_test::Recorded<RecordedDocker> Make(
    std::chrono::milliseconds inspect_max_age = std::chrono::hours(1)) {
  return docker_test::MakeRecorded<RecordedDocker>("unix:///run/docker.sock", inspect_max_age);
}

std::vector<test::Sample> Scrape(DockerCollector& collector, std::vector<Error>* errors = nullptr) {
  return docker_test::ScrapeOnce(collector, errors);
}

// The window the one /events request of the last scrape asked for: since, until.
std::pair<double, double> EventsWindow(const RecordedDocker& docker) {
  for (const auto& path : docker.Requested()) {
    const auto at = path.find("/events?since=");
    if (at == std::string::npos) continue;
    const auto until = path.find("&until=");
    return {std::stod(path.substr(at + 14, until - at - 14)), std::stod(path.substr(until + 7))};
  }
  FAIL("no /events request");
  return {};
}

}  // namespace

TEST_CASE("docker: the first scrape inspects every container and reads the engine's clock") {
  auto made = Make();
  std::vector<Error> errors;
  const auto samples = Scrape(*made.collector, &errors);
  CHECK(errors.empty());
  CHECK(test::CountSamples(samples, "container_running") == 9);
  CHECK(made.engine->Inspects() == 9);
  CHECK(made.engine->Count("/info") == 1);
  CHECK(made.engine->Count("/events") == 0);  // no window yet
}

TEST_CASE("docker: later scrapes keep the inspects no event and no state change touches") {
  auto made = Make();
  Scrape(*made.collector);
  made.engine->Forget();
  const auto samples = Scrape(*made.collector);
  // Only the two health-checked containers' inspects are read again (their streak is only there).
  CHECK(made.engine->Inspects() == 2);
  CHECK(made.engine->Count("/containers/" + made.engine->Id("oo-healthy") + "/json") == 1);
  CHECK(made.engine->Count("/containers/" + made.engine->Id("oo-unhealthy") + "/json") == 1);
  CHECK(FindValue(samples, "container_restarts_total", {{"name", "oo-restarting"}}) ==
        nlohmann::json::parse(
            made.engine->InspectBodies().at(made.engine->Id("oo-restarting")))["RestartCount"]
            .get<double>());
  // The window is on the engine's clock (an hour ahead of ours), up to about its now.
  const auto [since, until] = EventsWindow(*made.engine);
  CHECK(until == Approx(UnixNow() + 3600).margin(2));
  CHECK(since < until);
  CHECK(until - since < 5);

  // An event naming a container makes the next scrape read its inspect again, and only its.
  made.engine->events = ContainerEvent(made.engine->Id("oo-cpu"), "update") +
                        ContainerEvent("f00dfeed", "destroy");  // one no longer listed
  auto& body = made.engine->InspectBodies().at(made.engine->Id("oo-cpu"));
  auto inspect = nlohmann::json::parse(body);
  inspect["HostConfig"]["Memory"] = 50331648;
  body = inspect.dump();
  made.engine->Forget();
  const auto updated = Scrape(*made.collector);
  CHECK(made.engine->Inspects() == 3);
  CHECK(made.engine->Count("/containers/" + made.engine->Id("oo-cpu") + "/json") == 1);
  CHECK(FindValue(updated, "container_spec_memory_limit_bytes", {{"name", "oo-cpu"}}) == 50331648);
  // Each window starts before the previous one ended: an event on the boundary is not lost.
  const auto [next_since, next_until] = EventsWindow(*made.engine);
  CHECK(next_since < until);
  CHECK(next_until > until);
}

TEST_CASE("docker: a state the list shows changed is inspected again without an event") {
  auto made = Make();
  Scrape(*made.collector);
  for (auto& entry : made.engine->List()) {
    if (entry["Names"][0] == "/oo-cpu") entry["State"] = "exited";
  }
  made.engine->Forget();
  Scrape(*made.collector);
  CHECK(made.engine->Count("/containers/" + made.engine->Id("oo-cpu") + "/json") == 1);
  CHECK(made.engine->Inspects() == 3);
}

TEST_CASE("docker: events that cannot be trusted make every inspect be read again") {
  auto made = Make();
  Scrape(*made.collector);
  Scrape(*made.collector);

  SECTION("the engine may have dropped some: as many as it keeps") {
    for (size_t i = 0; i < CompatibleSource::kEngineEventsKept; ++i) {
      made.engine->events += ContainerEvent("f00dfeed", "exec_die");
    }
  }
  SECTION("a failed request, with one line in the log") {
    made.engine->events_status = 500;
    made.engine->events = R"({"message":"boom"})";
  }
  SECTION("a reply that is not events") { made.engine->events = "<html>proxy error</html>\n"; }
  made.engine->Forget();
  std::vector<Error> errors;
  const auto samples = Scrape(*made.collector, &errors);
  CHECK(errors.empty());  // not the scrape's error: the inspects say it all
  CHECK(made.engine->Inspects() == 9);
  CHECK(test::CountSamples(samples, "container_running") == 9);
  // And back to kept inspects once they can be trusted again.
  made.engine->events.clear();
  made.engine->events_status = 200;
  made.engine->Forget();
  Scrape(*made.collector);
  CHECK(made.engine->Inspects() == 2);
}

TEST_CASE("docker: inspect_max_age 0 inspects every container every scrape") {
  auto made = Make(std::chrono::milliseconds(0));
  Scrape(*made.collector);
  made.engine->Forget();
  Scrape(*made.collector);
  CHECK(made.engine->Inspects() == 9);
}

TEST_CASE("docker: events name containers by Actor.ID, and by the container of network events") {
  const auto events = ParseEvents(RepoFixture("events-docker-20.10.jsonl"));
  REQUIRE(events);
  CHECK(events->count == 43);
  CHECK(events->containers ==
        std::set<std::string, std::less<>>{
            "cec9b411482549065d51ff9e238f32b030a1a952a94abca3956a6ee1ece7bb7f"});
}

TEST_CASE("docker: an events reply that is not JSON lines is one clear line") {
  CHECK(ParseEvents("").value->count == 0);
  CHECK(ParseEvents("\n\n").value->count == 0);
  const auto bad = ParseEvents(ContainerEvent("a", "start") + "{\"Type\":\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error == "event 2 is not a JSON object (8 bytes)");
  CHECK_FALSE(ParseEvents("[1,2]\n"));
}

TEST_CASE("docker: /info's SystemTime is the engine's clock") {
  const auto info = ParseEngineInfo(R"({"NCPU":2,"SystemTime":"2026-12-03T11:03:47.84068822Z"})");
  REQUIRE(info);
  CHECK(info->system_time == Approx(1796295827.84068822));
  CHECK_FALSE(ParseEngineInfo(R"({"NCPU":2})")->system_time);
}

}  // namespace ooe::docker
