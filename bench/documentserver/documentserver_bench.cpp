// Probe cost: onlyoffice-exporter's Document Server probe vs Debian's
// prometheus-blackbox-exporter probing the same /healthcheck (an http module that checks the body),
// through real nginx in front of the DocService stand-in, alternating in one run.
// Run: build/release/bench/bench_documentserver [probes]   (scripts/bench.sh documentserver)
#include <iostream>

#include "bench/bench_stats.h"
#include "collectors/http/client.h"
#include "tests/support/documentserver.h"
#include "tests/support/scrape.h"

namespace {

double TimeProbe(ooe::HttpClient& client, const std::string& url, const std::string& must_contain) {
  ooe::HttpRequest request;
  request.url = url;
  const auto started = ooe::Clock::now();
  const auto response = client.Perform(request, started + std::chrono::seconds(10));
  const double seconds = std::chrono::duration<double>(ooe::Clock::now() - started).count();
  if (response.status != 200 || response.body.find(must_contain) == std::string::npos) {
    std::cerr << "probe " << url << " failed: HTTP " << response.status << " "
              << response.error.ToString() << "\n"
              << response.body.substr(0, 2000) << "\n";
    std::exit(1);
  }
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ooe;
  const int probes = argc > 1 ? std::atoi(argv[1]) : 200;
  test::DocServiceStandin docservice("docservice-9.4.0");
  test::DocumentServerNginx nginx(docservice.Port());
  test::TempDir dir;

  // Ours: the probe alone (no CommandService calls), so both do the same one request.
  test::WriteFile(dir / "exporter.yml",
                  "collectors:\n  documentserver:\n    targets:\n"
                  "      - url: " +
                      nginx.Url() + "\n        commands: []\n");
  test::ExporterProcess ours({"--config.file=" + (dir / "exporter.yml").string(),
                              "--no-collector.redis", "--no-collector.docker",
                              "--no-collector.rabbitmq"});
  // blackbox_exporter: the module an operator would write for Document Server.
  test::WriteFile(dir / "blackbox.yml",
                  "modules:\n  documentserver_healthcheck:\n    prober: http\n    timeout: 5s\n"
                  "    http:\n      valid_status_codes: [200]\n"
                  "      fail_if_body_not_matches_regexp: ['^true$']\n");
  const int peer_port = test::FreePort();
  test::Process peer(
      {"prometheus-blackbox-exporter", "--config.file=" + (dir / "blackbox.yml").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(peer_port)},
      (dir / "blackbox.log").string());
  if (!test::WaitForPort(peer_port, std::chrono::seconds(10))) {
    std::cerr << "prometheus-blackbox-exporter did not start: "
              << test::ReadFile(dir / "blackbox.log") << "\n";
    return 1;
  }
  const std::string ours_url = ours.Url("/metrics");
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_port) +
                               "/probe?module=documentserver_healthcheck&target=" + nginx.Url() +
                               "/healthcheck";
  const std::string ours_healthy = "onlyoffice_documentserver_healthcheck_up{target=\"127.0.0.1:" +
                                   std::to_string(nginx.Port()) + "\",via=\"nginx\"} 1";

  HttpClient ours_client;
  HttpClient peer_client;
  for (int i = 0; i < 10; ++i) {  // warm-up
    TimeProbe(ours_client, ours_url, ours_healthy);
    TimeProbe(peer_client, peer_url, "probe_success 1");
  }
  const double ours_cpu_before = bench::CpuSeconds(ours.GetProcess().Pid());
  const double peer_cpu_before = bench::CpuSeconds(peer.Pid());
  std::vector<double> ours_times;
  std::vector<double> peer_times;
  for (int i = 0; i < probes; ++i) {
    ours_times.push_back(TimeProbe(ours_client, ours_url, ours_healthy));
    peer_times.push_back(TimeProbe(peer_client, peer_url, "probe_success 1"));
  }
  const double ours_cpu = bench::CpuSeconds(ours.GetProcess().Pid()) - ours_cpu_before;
  const double peer_cpu = bench::CpuSeconds(peer.Pid()) - peer_cpu_before;
  const double ours_median = bench::Percentile(ours_times, 0.5);
  const double peer_median = bench::Percentile(peer_times, 0.5);

  std::printf("documentserver bench: %d probes each of /healthcheck through nginx, alternating\n",
              probes);
  std::printf("%-30s %10s %10s %14s %10s\n", "prober", "median ms", "p95 ms", "CPU ms/probe",
              "RSS MiB");
  std::printf("%-30s %10.3f %10.3f %14.3f %10.1f\n", "onlyoffice-exporter /metrics",
              ours_median * 1e3, bench::Percentile(ours_times, 0.95) * 1e3, ours_cpu * 1e3 / probes,
              bench::ResidentBytes(ours.GetProcess().Pid()) / 1048576);
  std::printf("%-30s %10.3f %10.3f %14.3f %10.1f\n", "blackbox_exporter /probe", peer_median * 1e3,
              bench::Percentile(peer_times, 0.95) * 1e3, peer_cpu * 1e3 / probes,
              bench::ResidentBytes(peer.Pid()) / 1048576);
  std::printf("median ratio ours/blackbox: %.2f\n", ours_median / peer_median);
  if (peer_cpu > 0) std::printf("CPU ratio ours/blackbox:    %.2f\n", ours_cpu / peer_cpu);
  return 0;
}
