// nginx: onlyoffice-exporter's stub_status scrape against Debian's prometheus-nginx-exporter on
// the same real nginx, alternating in one run; then what following Document Server's logs costs:
// a scrape with 10,000 new lines since the last one (nginx's error log, docservice's log), and
// the exporter's CPU while nginx writes 1,000 lines a second (real 502s, scraped every 5 s).
// Run: build/release/bench/bench_nginx [scrapes] [seconds]   (scripts/bench.sh nginx)
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>
#include <tuple>

#include "bench/bench_stats.h"
#include "collectors/http/client.h"
#include "tests/support/documentserver.h"
#include "tests/support/nginx.h"
#include "tests/support/scrape.h"

namespace {

using namespace ooe;

// One GET; its time in seconds. Exits when the answer lacks `must_contain`.
double TimeGet(HttpClient& client, const std::string& url, const std::string& must_contain) {
  HttpRequest request;
  request.url = url;
  const auto started = Clock::now();
  const auto response = client.Perform(request, started + std::chrono::seconds(30));
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (response.status != 200 || response.body.find(must_contain) == std::string::npos) {
    std::cerr << "GET " << url << " failed: HTTP " << response.status << " "
              << response.error.ToString() << "\n"
              << response.body.substr(0, 2000) << "\n";
    std::exit(1);
  }
  return seconds;
}

constexpr const char* kStubStatusConfig = R"(@USER@
worker_processes 1;
pid @PREFIX@/nginx.pid;
error_log @ERROR_LOG@ warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path @PREFIX@/client_body;
  proxy_temp_path @PREFIX@/proxy;
  fastcgi_temp_path @PREFIX@/fastcgi;
  uwsgi_temp_path @PREFIX@/uwsgi;
  scgi_temp_path @PREFIX@/scgi;
  server {
    listen @LISTEN@;
    location = /stub_status { stub_status; }
  }
}
)";

void StubStatus(int scrapes) {
  test::Nginx nginx(kStubStatusConfig, false);
  test::ExporterProcess ours({"--nginx.status-url=" + nginx.Url() + "/stub_status"});
  test::TempDir dir;
  const int peer_port = test::FreePort();
  test::Process peer(
      {"prometheus-nginx-exporter", "-nginx.scrape-uri", nginx.Url() + "/stub_status",
       "-web.listen-address", "127.0.0.1:" + std::to_string(peer_port)},
      (dir / "peer.log").string());
  if (!test::WaitForPort(peer_port, std::chrono::seconds(10))) {
    std::cerr << "prometheus-nginx-exporter did not start: " << test::ReadFile(dir / "peer.log");
    std::exit(1);
  }
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_port) + "/metrics";
  HttpClient ours_client;
  HttpClient peer_client;
  for (int i = 0; i < 10; ++i) {
    TimeGet(ours_client, ours.Url(), "nginx_up{");
    TimeGet(peer_client, peer_url, "nginx_up 1");
  }
  const double ours_cpu_before = bench::CpuSeconds(ours.GetProcess().Pid());
  const double peer_cpu_before = bench::CpuSeconds(peer.Pid());
  std::vector<double> ours_times;
  std::vector<double> peer_times;
  for (int i = 0; i < scrapes; ++i) {
    ours_times.push_back(TimeGet(ours_client, ours.Url(), "nginx_up{"));
    peer_times.push_back(TimeGet(peer_client, peer_url, "nginx_up 1"));
  }
  const double ours_cpu = bench::CpuSeconds(ours.GetProcess().Pid()) - ours_cpu_before;
  const double peer_cpu = bench::CpuSeconds(peer.Pid()) - peer_cpu_before;
  const auto row = [&](const char* name, const std::vector<double>& times, double cpu, pid_t pid) {
    std::printf("%-28s %10.3f %10.3f %14.3f %9.1f %9.1f\n", name,
                bench::Percentile(times, 0.5) * 1e3, bench::Percentile(times, 0.95) * 1e3,
                cpu * 1e3 / scrapes, bench::ResidentBytes(pid) / 1048576,
                bench::ResidentBytes(pid, "RssAnon:") / 1048576);
  };
  std::printf("nginx bench: %d scrapes each of one nginx's stub_status, alternating\n", scrapes);
  std::printf("%-28s %10s %10s %14s %9s %9s\n", "exporter", "median ms", "p95 ms", "CPU ms/scrape",
              "VmRSS MiB", "RssAnon");
  row("onlyoffice-exporter", ours_times, ours_cpu, ours.GetProcess().Pid());
  row("prometheus-nginx-exporter", peer_times, peer_cpu, peer.Pid());
  std::printf("ratios ours/nginx-exporter: median %.2f, CPU %.2f, VmRSS %.2f, RssAnon %.2f\n",
              bench::Percentile(ours_times, 0.5) / bench::Percentile(peer_times, 0.5),
              peer_cpu > 0 ? ours_cpu / peer_cpu : 0,
              bench::ResidentBytes(ours.GetProcess().Pid()) / bench::ResidentBytes(peer.Pid()),
              bench::ResidentBytes(ours.GetProcess().Pid(), "RssAnon:") /
                  bench::ResidentBytes(peer.Pid(), "RssAnon:"));
}

// An exporter whose one documentserver target probes the stand-in directly and follows `logs`.
std::unique_ptr<test::ExporterProcess> LogExporter(const test::TempDir& dir,
                                                   const std::string& probe_url,
                                                   const std::string& log_dir) {
  test::WriteFile(dir / "exporter.yml",
                  "collectors:\n  documentserver:\n    targets:\n      - url: " + probe_url +
                      "\n        commands: []\n" +
                      "        security_probes: false\n        log_dir: " + log_dir + "\n");
  return std::make_unique<test::ExporterProcess>(
      std::vector<std::string>{"--config.file=" + (dir / "exporter.yml").string()});
}

// The real lines, over and over: `count` of them.
std::string Lines(const std::string& fixture, size_t count) {
  const std::string text = test::ReadFile(fixture);
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    const auto end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at + 1));
    at = end == std::string::npos ? text.size() : end + 1;
  }
  std::string out;
  for (size_t i = 0; i < count; ++i) out += lines[i % lines.size()];
  return out;
}

void ScrapeWithNewLines() {
  test::DocServiceStandin standin;
  test::TempDir dir;
  const auto logs = dir / "logs" / "documentserver";
  std::filesystem::create_directories(logs / "docservice");
  test::WriteFile(logs / "nginx.error.log", "");
  test::WriteFile(logs / "docservice" / "out.log", "");
  auto exporter = LogExporter(dir, standin.Url(), (dir / "logs").string());
  const std::string shared = std::string(OOE_SHARED_FIXTURES_DIR) + "/documentserver/logs/";
  const std::string nginx_lines = Lines(shared + "nginx-error-docservice-down.log", 10000);
  const std::string docservice_lines = Lines(shared + "docservice-9.4.0-out.log", 10000);
  HttpClient client;
  const auto time_scrapes = [&](const std::function<void()>& before_each) {
    std::vector<double> times;
    for (int i = 0; i < 11; ++i) {
      before_each();
      const double seconds = TimeGet(client, exporter->Url(), "onlyoffice_nginx_upstream");
      if (i > 0) times.push_back(seconds);  // the first after a change of kind warms up
    }
    return bench::Percentile(times, 0.5);
  };
  const double idle = time_scrapes([] {});
  const double nginx =
      time_scrapes([&] { std::ofstream(logs / "nginx.error.log", std::ios::app) << nginx_lines; });
  const double docservice = time_scrapes(
      [&] { std::ofstream(logs / "docservice" / "out.log", std::ios::app) << docservice_lines; });
  std::printf("\nlogs: a /metrics scrape (documentserver target: probe + logs), median of 10\n");
  std::printf("  no new lines:                          %8.2f ms\n", idle * 1e3);
  std::printf(
      "  10,000 new nginx error log lines:      %8.2f ms (+%.2f ms, %.0f ns a line; %zu KiB)\n",
      nginx * 1e3, (nginx - idle) * 1e3, (nginx - idle) * 1e9 / 10000, nginx_lines.size() / 1024);
  std::printf(
      "  10,000 new docservice log lines:       %8.2f ms (+%.2f ms, %.0f ns a line; %zu KiB)\n",
      docservice * 1e3, (docservice - idle) * 1e3, (docservice - idle) * 1e9 / 10000,
      docservice_lines.size() / 1024);
}

void CpuWhileNginxWrites(int seconds) {
  test::DocServiceStandin standin;
  test::DocServiceStandin probed;
  test::TempDir dir;
  const auto logs = dir / "logs" / "documentserver";
  std::filesystem::create_directories(logs);
  test::DocumentServerNginx nginx(standin.Port(), "60s", false,
                                  (logs / "nginx.error.log").string());
  standin.Stop();  // every request is now a real 502 and a line in the error log
  auto exporter = LogExporter(dir, probed.Url(), (dir / "logs").string());
  HttpClient client;
  TimeGet(client, exporter->Url(), "onlyoffice_nginx_upstream");
  const auto measure = [&](int rate) {
    const pid_t pid = exporter->GetProcess().Pid();
    const double cpu_before = bench::CpuSeconds(pid);
    HttpClient load;
    HttpRequest request;
    request.url = nginx.Url() + "/healthcheck";
    const auto start = Clock::now();
    auto next_scrape = start + std::chrono::seconds(5);
    int sent = 0;
    while (Clock::now() - start < std::chrono::seconds(seconds)) {
      const auto due =
          start + std::chrono::microseconds(static_cast<long>(1e6 * sent / std::max(rate, 1)));
      if (rate > 0 && Clock::now() >= due) {
        load.Perform(request, Clock::now() + std::chrono::seconds(5));
        ++sent;
      } else {
        std::this_thread::sleep_until(std::min(rate > 0 ? due : next_scrape, next_scrape));
      }
      if (Clock::now() >= next_scrape) {
        TimeGet(client, exporter->Url(), "onlyoffice_nginx_upstream");
        next_scrape += std::chrono::seconds(5);
      }
    }
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    const auto samples = test::ParseExposition(exporter->Get().body);
    return std::make_tuple(sent, sent / wall, (bench::CpuSeconds(pid) - cpu_before) / wall,
                           test::FindValue(samples, "onlyoffice_nginx_upstream_failures_total",
                                           {{"reason", "refused"}})
                               .value_or(-1));
  };
  const auto [idle_sent, idle_rate, idle_cpu, idle_count] = measure(0);
  const auto [sent, rate, cpu, count] = measure(1000);
  std::printf("\nlogs: the exporter's CPU over %d s, scraped every 5 s (utime+stime / wall time)\n",
              seconds);
  // /proc's utime and stime count in ticks (10 ms at 100 Hz): below that, it says 0.
  std::printf("  nginx idle:                            %6.3f %% of a core (%.0f ms of CPU)\n",
              idle_cpu * 100, idle_cpu * seconds * 1e3);
  std::printf(
      "  nginx writing %.0f lines a second:     %6.3f %% of a core (%.0f ms of CPU; "
      "ticks of %.0f ms)\n",
      rate, cpu * 100, cpu * seconds * 1e3, 1e3 / static_cast<double>(sysconf(_SC_CLK_TCK)));
  std::printf("  refused counted: %.0f (requests sent, each a 502: %d; idle: %d)\n",
              count - idle_count, sent, idle_sent);
}

}  // namespace

int main(int argc, char** argv) {
  const int scrapes = argc > 1 ? std::atoi(argv[1]) : 200;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 60;
  StubStatus(scrapes);
  ScrapeWithNewLines();
  CpuWhileNginxWrites(seconds);
  return 0;
}
