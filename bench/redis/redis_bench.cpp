// Scrape time and memory: onlyoffice-exporter vs Debian's prometheus-redis-exporter, against one
// real redis-server, scraped alternately in one run.
// Run: build/release/bench/bench_redis [rounds]   (scripts/bench.sh redis builds and runs it)
#include <iostream>

#include "bench/bench_stats.h"
#include "collectors/http/client.h"
#include "tests/support/redis_server.h"
#include "tests/support/scrape.h"

namespace {

double TimeScrape(ooe::HttpClient& client, const std::string& url, size_t& bytes) {
  ooe::HttpRequest request;
  request.url = url;
  const auto started = ooe::Clock::now();
  const auto response = client.Perform(request, started + std::chrono::seconds(10));
  const double seconds = std::chrono::duration<double>(ooe::Clock::now() - started).count();
  if (response.status != 200) {
    std::cerr << "scrape of " << url << " failed: " << response.status << " "
              << response.error.ToString() << "\n";
    std::exit(1);
  }
  bytes = response.body.size();
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ooe;
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
  test::RedisServer redis;
  // A keyspace like Document Server's: a few hundred keys in db0, some expiring.
  for (int i = 0; i < 300; ++i) {
    redis.Cli({"SETEX", "doc:" + std::to_string(i), "3600", "editor-session"});
  }
  test::ExporterProcess ours({"--redis.addr=" + redis.Address()});
  test::TempDir dir;
  const int peer_port = test::FreePort();
  test::Process peer({"prometheus-redis-exporter", "-redis.addr", redis.Address(),
                      "-web.listen-address", "127.0.0.1:" + std::to_string(peer_port)},
                     (dir / "redis_exporter.log").string());
  if (!test::WaitForPort(peer_port, std::chrono::seconds(10))) {
    std::cerr << "prometheus-redis-exporter did not start\n";
    return 1;
  }
  const std::string ours_url = ours.Url("/metrics");
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_port) + "/metrics";

  HttpClient ours_client;
  HttpClient peer_client;
  size_t ours_bytes = 0;
  size_t peer_bytes = 0;
  for (int i = 0; i < 10; ++i) {  // warm-up: connections, caches, lazy initialisation
    TimeScrape(ours_client, ours_url, ours_bytes);
    TimeScrape(peer_client, peer_url, peer_bytes);
  }
  std::vector<double> ours_times;
  std::vector<double> peer_times;
  for (int i = 0; i < rounds; ++i) {
    ours_times.push_back(TimeScrape(ours_client, ours_url, ours_bytes));
    peer_times.push_back(TimeScrape(peer_client, peer_url, peer_bytes));
  }
  const double ours_median = bench::Percentile(ours_times, 0.5);
  const double peer_median = bench::Percentile(peer_times, 0.5);
  const double ours_rss = bench::ResidentBytes(ours.GetProcess().Pid());
  const double peer_rss = bench::ResidentBytes(peer.Pid());
  const double ours_anon = bench::ResidentBytes(ours.GetProcess().Pid(), "RssAnon:");
  const double peer_anon = bench::ResidentBytes(peer.Pid(), "RssAnon:");

  std::printf("redis bench: %d scrapes each, alternating, one redis-server\n", rounds);
  std::printf("%-28s %10s %10s %10s %12s %12s\n", "exporter", "median ms", "p95 ms", "bytes",
              "RSS MiB", "anon MiB");
  std::printf("%-28s %10.3f %10.3f %10zu %12.1f %12.1f\n", "onlyoffice-exporter", ours_median * 1e3,
              bench::Percentile(ours_times, 0.95) * 1e3, ours_bytes, ours_rss / 1048576,
              ours_anon / 1048576);
  std::printf("%-28s %10.3f %10.3f %10zu %12.1f %12.1f\n", "prometheus-redis-exporter",
              peer_median * 1e3, bench::Percentile(peer_times, 0.95) * 1e3, peer_bytes,
              peer_rss / 1048576, peer_anon / 1048576);
  std::printf("median ratio ours/redis_exporter: %.2f (target <= 1.00)\n",
              ours_median / peer_median);
  std::printf("RSS ratio ours/redis_exporter:    %.2f (target <= 0.50)\n", ours_rss / peer_rss);
  std::printf("anon ratio ours/redis_exporter:   %.2f\n", ours_anon / peer_anon);
  return 0;
}
