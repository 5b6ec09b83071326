// The Docker collector's decisions on Podman, driven by recorded Podman 4.3.1 replies through an
// engine transport of the test's own: which requests each scrape makes (the libpod list and
// stats report, inspects only when due or changed, /info every few minutes) and the fallback to
// the Docker-compatible paths when a proxy refuses libpod's.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "collectors/docker/collector.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/unit/docker_fixtures.h"

namespace ooe::docker {
namespace {

using test::FindValue;

using docker_test::RepoFixture;

// Answers as Podman 4.3.1's API service answered, from the recorded replies; counts requests.
class RecordedPodman final : public docker_test::RecordedEngine {
 public:
  RecordedPodman() : list_(nlohmann::json::parse(RepoFixture("libpod-list-podman-4.3.1.json"))) {
    for (const auto* which : {"created", "exit", "health", "run", "stopped"}) {
      const auto body = RepoFixture(std::string("compat-inspect-podman-4.3.1-") + which + ".json");
      inspects_.emplace(nlohmann::json::parse(body)["Id"].get<std::string>(), body);
    }
  }

  nlohmann::json& List() { return list_; }
  bool refuse_libpod = false;

 private:
  HttpResponse Answer(const std::string& path) const override {
    if (path == "/version") {
      return Reply(200, R"({"Version":"4.3.1","ApiVersion":"1.41","MinAPIVersion":"1.24",)"
                        R"("Components":[{"Name":"Podman Engine","Version":"4.3.1"}]})");
    }
    if (path.find("/libpod/") != std::string::npos && refuse_libpod) {
      return Reply(403, "<html><body><h1>403 Forbidden</h1></body></html>");
    }
    if (path.find("/libpod/containers/json") != std::string::npos) return Reply(200, list_.dump());
    if (path.find("/libpod/containers/stats") != std::string::npos) {
      return Reply(200, RepoFixture("libpod-stats-podman-4.3.1.json"));
    }
    if (path.ends_with("/info")) return Reply(200, R"({"NCPU":2,"MemTotal":25000000000})");
    if (path.find("/containers/json?all=1") != std::string::npos) return Reply(200, list_.dump());
    for (const auto& [id, body] : inspects_) {
      if (path.find("/containers/" + id + "/json") != std::string::npos) return Reply(200, body);
    }
    if (path.find("/stats?stream=false") != std::string::npos) {
      return Reply(200, RepoFixture("compat-stats-podman-4.3.1.json"));
    }
    return Reply(404, R"({"message":"no such path"})");
  }

  nlohmann::json list_;
  std::map<std::string, std::string> inspects_;
};

docker_test::Recorded<RecordedPodman> Make(
    std::chrono::milliseconds inspect_max_age = std::chrono::seconds(60)) {
  return docker_test::MakeRecorded<RecordedPodman>("unix:///run/podman/podman.sock",
                                                   inspect_max_age);
}

std::vector<test::Sample> Scrape(DockerCollector& collector, std::vector<Error>* errors = nullptr) {
  return docker_test::ScrapeOnce(collector, errors);
}

size_t Inspects(const RecordedPodman& podman) { return podman.Inspects(); }

}  // namespace

TEST_CASE("podman: the first scrape reads the libpod list and report, /info, every inspect") {
  auto made = Make();
  std::vector<Error> errors;
  const auto samples = Scrape(*made.collector, &errors);
  CHECK(errors.empty());
  CHECK(FindValue(samples, "container_engine_up") == 1);
  CHECK(test::CountSamples(samples, "container_running") == 5);
  CHECK(FindValue(samples, "container_running", {{"name", "t-run"}}) == 1);
  CHECK(FindValue(samples, "machine_cpu_cores") == 2);
  const auto& podman = *made.engine;
  CHECK(podman.Count("/libpod/containers/json") == 1);
  CHECK(podman.Count("/libpod/containers/stats") == 1);  // no cgroup files: usage from the report
  CHECK(podman.Count("/info") == 1);
  CHECK(Inspects(podman) == 5);
  CHECK(podman.Count("/containers/json?all=1") == 0);  // never the compatible list
}

TEST_CASE("podman: later scrapes keep the inspects the list shows unchanged") {
  auto made = Make();
  Scrape(*made.collector);
  made.engine->Forget();
  Scrape(*made.collector);
  // Only the health-checked container's inspect is read again (its streak is only there).
  CHECK(Inspects(*made.engine) == 1);
  CHECK(made.engine->Count("/containers/9698dec34a6c") == 1);
  CHECK(made.engine->Count("/info") == 0);  // read again only every few minutes

  // A restart shows in the list (a new Pid, a new StartedAt): that container is inspected again.
  for (auto& entry : made.engine->List()) {
    if (entry["Names"][0] == "t-run") entry["Pid"] = 31337;
  }
  made.engine->Forget();
  const auto samples = Scrape(*made.collector);
  CHECK(Inspects(*made.engine) == 2);
  CHECK(made.engine->Count("/containers/d868ad6aa006") == 1);
  CHECK(FindValue(samples, "container_running", {{"name", "t-run"}}) == 1);
}

TEST_CASE("podman: inspect_max_age 0 inspects every container every scrape") {
  auto made = Make(std::chrono::milliseconds(0));
  Scrape(*made.collector);
  made.engine->Forget();
  Scrape(*made.collector);
  CHECK(Inspects(*made.engine) == 5);
}

TEST_CASE("podman behind a proxy that refuses libpod paths: the compatible ones, for good") {
  auto made = Make();
  made.engine->refuse_libpod = true;
  std::vector<Error> errors;
  auto samples = Scrape(*made.collector, &errors);
  CHECK(errors.empty());  // the refusal is not the engine failing
  CHECK(FindValue(samples, "container_engine_up") == 1);
  CHECK(test::CountSamples(samples, "container_running") == 5);
  CHECK(made.engine->Count("/containers/json?all=1") == 1);
  made.engine->Forget();
  samples = Scrape(*made.collector);
  CHECK(made.engine->Count("/libpod/") == 0);
  CHECK(made.engine->Count("/containers/json?all=1") == 1);
  CHECK(Inspects(*made.engine) == 5);  // the compatible list says nothing about changes
}

}  // namespace ooe::docker
