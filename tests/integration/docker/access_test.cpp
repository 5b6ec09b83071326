// How the collector reaches the engine: a tcp:// proxy, the exporter binary, and the errors of an
// engine that is missing, dead, silent or no engine.
// Against a private dockerd and Podman's API service started once for this binary, with real
// containers (busybox-static); see docker_support.h.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <map>

#include "tests/integration/docker/docker_support.h"
#include "tests/support/silent_peer.h"

namespace ooe::docker_test {

TEST_CASE("docker: access over tcp:// through a proxy to the socket works") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  engine.Run("behind-proxy", {"--memory", "32m"}, {"sleep", "1000"});
  const int port = test::FreePort();
  test::Process proxy({"socat",
                       "TCP-LISTEN:" + std::to_string(port) + ",bind=127.0.0.1,fork,reuseaddr",
                       "UNIX-CONNECT:" + engine.SocketPath()});
  REQUIRE(test::WaitForPort(port, std::chrono::seconds(5)));
  auto collector = MakeCollector("host: tcp://127.0.0.1:" + std::to_string(port));
  CHECK(collector.target == "tcp://127.0.0.1:" + std::to_string(port));
  const auto scrape = CollectOnce(collector);
  REQUIRE(scrape.result.ErrorLine().empty());
  CHECK(FindValue(scrape.samples, "container_spec_memory_limit_bytes",
                  {{"name", "behind-proxy"}}) == 32 << 20);
  CHECK(FindValue(scrape.samples, "container_memory_usage_bytes", {{"name", "behind-proxy"}}));
}

TEST_CASE(
    "docker: Podman behind a proxy that refuses libpod paths falls back to per-container "
    "stats") {
  auto& engine = Engine(Kind::kPodman);
  engine.Run("behind-strict-proxy", {"--memory", "32m"}, {"sleep", "1000"});
  LoggingProxy proxy(engine, /*refuse_libpod=*/true);
  auto collector = MakeCollector("host: " + proxy.Host());
  for (int scrape_number = 0; scrape_number < 2; ++scrape_number) {
    const auto scrape = CollectOnce(collector);
    INFO("scrape " << scrape_number);
    CHECK(scrape.result.ErrorLine().empty());
    const std::map<std::string, std::string> container = {{"name", "behind-strict-proxy"}};
    CHECK(FindValue(scrape.samples, "container_memory_usage_bytes", container));
    CHECK(FindValue(scrape.samples, "container_cpu_usage_seconds_total", container));
    CHECK(FindValue(scrape.samples, "container_spec_memory_limit_bytes", container) == 32 << 20);
  }
  // The libpod list and report were asked for once, refused, and not asked for again.
  const auto log = proxy.AccessLog();
  CHECK(test::CountOccurrences(log, "/libpod/") == 2);
  CHECK(log.find("\" 403 ") != std::string::npos);
  CHECK(log.find("/stats?stream=false&one-shot=true") != std::string::npos);
}

TEST_CASE("docker: a missing socket gives one clear line and engine_up 0") {
  auto collector = MakeCollector("host: unix:///nonexistent/docker.sock");
  const auto scrape = CollectOnce(collector);
  CHECK(scrape.result.ErrorLine() ==
        "GET unix:///nonexistent/docker.sock /version: connect: No such file or directory: is "
        "the Docker socket mounted?");
  CHECK(FindValue(scrape.samples, "container_engine_up") == 0);
  CHECK(test::CountSamples(scrape.samples, "container_running") == 0);
}

TEST_CASE("docker: a socket nobody serves says the engine is not running") {
  test::TempDir dir;
  const std::string path = (dir / "dead.sock").string();
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);  // no listen()
  auto collector = MakeCollector("host: unix://" + path);
  const auto scrape = CollectOnce(collector);
  close(fd);
  CHECK(scrape.result.ErrorLine() ==
        "GET unix://" + path + " /version: connect: Connection refused: is the engine running?");
}

TEST_CASE("docker: a silent engine, a garbage reply and an oversized reply are clear errors") {
  test::SilentPeer silent;
  auto hung = MakeCollector("host: tcp://127.0.0.1:" + std::to_string(silent.Port()));
  auto scrape = CollectOnce(hung, std::chrono::milliseconds(500));
  CHECK(scrape.seconds < 2);
  CHECK_THAT(scrape.result.ErrorLine(),
             Catch::StartsWith("GET tcp://127.0.0.1:" + std::to_string(silent.Port()) +
                               " /version: no complete reply before the deadline"));

  // A real HTTP server that is no engine.
  const int port = test::FreePort();
  test::Process web({"socat",
                     "TCP-LISTEN:" + std::to_string(port) + ",bind=127.0.0.1,fork,reuseaddr",
                     "SYSTEM:'read line; printf \"HTTP/1.1 200 OK\\r\\nContent-Length: 9\\r\\n"
                     "Connection: close\\r\\n\\r\\nnot json!\"'"});
  REQUIRE(test::WaitForPort(port, std::chrono::seconds(5)));
  auto garbage = MakeCollector("host: tcp://127.0.0.1:" + std::to_string(port));
  scrape = CollectOnce(garbage);
  CHECK(scrape.result.ErrorLine() == "GET tcp://127.0.0.1:" + std::to_string(port) +
                                         " /version: /version reply is not valid JSON (9 bytes)");
  CHECK(FindValue(scrape.samples, "container_engine_up") == 0);

  auto& engine = Engine(Kind::kPodman);
  auto small = MakeCollector("host: " + engine.Host() + "\nmax_body_size: 100\n");
  scrape = CollectOnce(small);
  CHECK_THAT(scrape.result.ErrorLine(), Catch::StartsWith("GET " + engine.Host() + " /version: ") &&
                                            Catch::EndsWith("raise max_body_size"));
}

TEST_CASE("docker: the exporter binary serves container metrics with --docker.host") {
  auto& engine = Engine(Kind::kPodman);
  engine.Run("served", {"--label", "com.docker.compose.project=onlyoffice"}, {"sleep", "1000"});
  test::ExporterProcess exporter({"--no-collector.redis", "--collector.docker", "--docker.host",
                                  engine.Host(), "--docker.label-filter",
                                  "com.docker.compose.project=onlyoffice"});
  const auto response = exporter.Get();
  REQUIRE(response.status == 200);
  const auto samples = test::ParseExposition(response.body);
  CHECK(FindValue(samples, "onlyoffice_exporter_collector_success",
                  {{"collector", "docker"}, {"target", engine.Host()}}) == 1);
  CHECK(FindValue(samples, "container_running", {{"name", "served"}, {"target", engine.Host()}}) ==
        1);
}

}  // namespace ooe::docker_test
