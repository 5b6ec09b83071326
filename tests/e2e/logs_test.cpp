// The real binary with the nginx collector and Document Server's logs from flags alone: every
// counter at 0 from start-up, promtool's lint clean, real 502s counted, and the log files'
// awkward cases end to end (a file that appears later, a 10 MB line, a file deleted and
// recreated) in the exporter's bounded memory.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench/bench_stats.h"
#include "collectors/http/client.h"
#include "tests/support/documentserver.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

using test::FindValue;

double Value(const std::vector<test::Sample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels) {
  const auto value = FindValue(samples, name, labels);
  INFO(name);
  REQUIRE(value);
  return *value;
}

}  // namespace

TEST_CASE("nginx and the logs from flags: every counter at 0 from start-up, promtool clean") {
  test::DocServiceStandin standin;
  test::TempDir dir;
  const auto logs = dir / "documentserver";
  std::filesystem::create_directories(logs);
  test::DocumentServerNginx nginx(standin.Port(), "60s", false,
                                  (logs / "nginx.error.log").string());
  test::ExporterProcess exporter({"--documentserver.url=" + nginx.Url(),
                                  "--documentserver.log-dir=" + dir.Path().string(),
                                  "--nginx.status-url=" + nginx.Url() + "/stub_status",
                                  "--documentserver.security-probes=false"});
  const auto scrape = exporter.Get();
  REQUIRE(scrape.status == 200);
  const auto samples = test::ParseExposition(scrape.body);
  CHECK(Value(samples, "nginx_up", {}) == 1);
  for (const auto* reason :
       {"refused", "timeout", "no_live_upstreams", "prematurely_closed", "resolve", "other"}) {
    CHECK(Value(samples, "onlyoffice_nginx_upstream_failures_total", {{"reason", reason}}) == 0);
  }
  for (const auto* service : {"docservice", "converter"}) {
    for (const auto* cause :
         {"uncaught_exception", "database", "amqp", "redis", "jwt", "conversion"}) {
      CHECK(Value(samples, "onlyoffice_documentserver_log_errors_total",
                  {{"service", service}, {"cause", cause}}) == 0);
    }
  }
  CHECK(Value(samples, "onlyoffice_documentserver_log_file_open", {{"log", "nginx"}}) == 1);
  CHECK(Value(samples, "onlyoffice_documentserver_log_file_open", {{"log", "docservice"}}) == 0);
  test::WriteFile(dir / "metrics.txt", scrape.body);
  int exit_code = -1;
  std::string problems;
  const auto output =
      test::RunCommand({"sh", "-c", "promtool check metrics < " + (dir / "metrics.txt").string()},
                       &exit_code, &problems);
  INFO(output << problems);
  CHECK(exit_code == 0);
  CHECK(output.empty());

  // docservice stopped: each request through nginx is a 502 and one refused line.
  standin.Stop();
  HttpClient client;
  HttpRequest request;
  request.url = nginx.Url() + "/healthcheck";
  for (int i = 0; i < 5; ++i)
    CHECK(client.Perform(request, Clock::now() + std::chrono::seconds(5)).status == 502);
  const auto after = test::ParseExposition(exporter.Get().body);
  CHECK(Value(after, "onlyoffice_nginx_upstream_failures_total", {{"reason", "refused"}}) == 5);
  // That scrape's own requests through nginx (/healthcheck, CommandService version and license)
  // were 502s too, read by the next one.
  const auto next = test::ParseExposition(exporter.Get().body);
  CHECK(Value(next, "onlyoffice_nginx_upstream_failures_total", {{"reason", "refused"}}) == 8);
}

TEST_CASE("logs: a file that appears later, a 10 MB line, a file deleted and recreated") {
  test::DocServiceStandin standin;
  test::TempDir dir;
  const auto out_log = dir / "documentserver" / "docservice" / "out.log";
  // Its resident memory is bounded below.
  test::ExporterProcess exporter(
      {"--documentserver.url=" + standin.Url(), "--documentserver.log-dir=" + dir.Path().string(),
       "--documentserver.security-probes=false"},
      test::MemoryMeasuredEnvironment());
  const auto entries = [&](const std::string& level) {
    return Value(test::ParseExposition(exporter.Get().body),
                 "onlyoffice_documentserver_log_entries_total",
                 {{"service", "docservice"}, {"level", level}});
  };
  CHECK(entries("error") == 0);
  std::filesystem::create_directories(out_log.parent_path());
  // A first cut line runs every code path and allocation the 10 MB one takes, so what grows
  // after it is what the line's length costs. Anonymous memory only: the pages of the binary's
  // code read in on first use are not the line's.
  test::WriteFile(out_log, "[2026-12-01T19:16:28.000] [INFO] nodeJS - warm-up " +
                               std::string(32 << 10, 'y') + "\n");
  exporter.Get();
  CHECK(entries("info") == 1);
  const double resident_before = bench::ResidentBytes(exporter.GetProcess().Pid(), "RssAnon:");
  {
    std::ofstream out(out_log, std::ios::binary | std::ios::app);
    out << "[2026-12-01T19:16:29.051] [ERROR] nodeJS - postgresql pool error: ";
    const std::string chunk(64 << 10, 'x');
    for (int i = 0; i < 160; ++i) out << chunk;  // a 10 MB line
    out << "\n[2026-12-01T19:16:29.052] [WARN] nodeJS - checkJwt error: invalid signature\n";
  }
  // The WARN entry ends the ERROR one; the last entry counts once a read finds nothing after it.
  const auto first = test::ParseExposition(exporter.Get().body);
  CHECK(Value(first, "onlyoffice_documentserver_log_entries_total",
              {{"service", "docservice"}, {"level", "error"}}) == 1);
  CHECK(Value(first, "onlyoffice_documentserver_log_errors_total",
              {{"service", "docservice"}, {"cause", "jwt"}}) == 0);
  const auto samples = test::ParseExposition(exporter.Get().body);
  CHECK(Value(samples, "onlyoffice_documentserver_log_entries_total",
              {{"service", "docservice"}, {"level", "error"}}) == 1);
  CHECK(Value(samples, "onlyoffice_documentserver_log_errors_total",
              {{"service", "docservice"}, {"cause", "database"}}) == 1);
  CHECK(Value(samples, "onlyoffice_documentserver_log_errors_total",
              {{"service", "docservice"}, {"cause", "jwt"}}) == 1);
  CHECK(Value(samples, "onlyoffice_documentserver_log_cut_lines_total", {{"log", "docservice"}}) ==
        2);
  const double grown =
      bench::ResidentBytes(exporter.GetProcess().Pid(), "RssAnon:") - resident_before;
  INFO("resident memory grew by " << grown / 1024 << " KiB reading a 10 MB line");
  CHECK(grown < 4.0 * 1024 * 1024);

  std::filesystem::remove(out_log);
  exporter.Get();
  test::WriteFile(out_log,
                  "[2026-12-01T19:20:00.000] [ERROR] nodeJS - [AMQP] Error: connect "
                  "ECONNREFUSED 127.0.0.1:5672\n");
  exporter.Get();
  const auto recreated = test::ParseExposition(exporter.Get().body);
  CHECK(Value(recreated, "onlyoffice_documentserver_log_errors_total",
              {{"service", "docservice"}, {"cause", "amqp"}}) == 1);
  CHECK(Value(recreated, "onlyoffice_documentserver_log_rotations_total",
              {{"log", "docservice"}}) == 1);
  CHECK(Value(recreated, "onlyoffice_documentserver_log_entries_total",
              {{"service", "docservice"}, {"level", "error"}}) == 2);
}

}  // namespace ooe
