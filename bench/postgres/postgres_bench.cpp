// Scrape time and memory: onlyoffice-exporter vs Debian's prometheus-postgres-exporter, against
// one real PostgreSQL holding Document Server's 9.4 schema (1,000 unsaved changes of 50
// documents), scraped alternately in one run.
// Run: build/release/bench/bench_postgres [rounds]   (scripts/bench.sh postgres builds and runs it)
#include <iostream>

#include "bench/bench_stats.h"
#include "collectors/http/client.h"
#include "tests/support/postgres_server.h"
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

// Document Server's 9.4 schema in database onlyoffice, with 1,000 unsaved changes of 50
// documents.
void LoadDocumentServerData(const ooe::test::PostgresServer& postgres) {
  postgres.Psql("CREATE DATABASE onlyoffice");
  postgres.PsqlFile(
      std::string(OOE_SHARED_FIXTURES_DIR) + "/postgresql/docservice-9.4.0-schema.sql",
      "onlyoffice");
  postgres.Psql(
      "INSERT INTO task_result (tenant, id, status, status_info, last_open_date, callback,"
      " baseurl) SELECT 'localhost', 'doc-' || n, 1, 0, now(), 'http://app/cb', 'http://ds/'"
      " FROM generate_series(1, 50) n;"
      "INSERT INTO doc_changes SELECT 'localhost', 'doc-' || (n % 50 + 1), n, 'u', 'u', 'User',"
      " repeat('x', 200), now() AT TIME ZONE 'UTC' FROM generate_series(1, 1000) n",
      "onlyoffice");
}

// One exporter's line of the table: median and p95 scrape time, reply size, memory.
void PrintRow(const char* exporter, const std::vector<double>& times, size_t bytes, double rss,
              double anon) {
  std::printf("%-30s %10.3f %10.3f %10zu %12.1f %12.1f\n", exporter,
              ooe::bench::Percentile(times, 0.5) * 1e3, ooe::bench::Percentile(times, 0.95) * 1e3,
              bytes, rss / 1048576, anon / 1048576);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ooe;
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
  test::PostgresServer postgres;
  LoadDocumentServerData(postgres);
  test::ExporterProcess ours({"--postgres.dsn=" + postgres.Dsn("postgres", "onlyoffice")});
  // The same with 16 web threads instead of 512: civetweb's idle threads (about 15 KiB each)
  // are most of the default exporter's own memory, and the peer has no such pool.
  test::ExporterProcess small(
      {"--postgres.dsn=" + postgres.Dsn("postgres", "onlyoffice"), "--web.max-connections=16"});
  test::TempDir dir;
  const int peer_port = test::FreePort();
  const std::string peer_dsn =
      "DATA_SOURCE_NAME=postgresql://postgres@127.0.0.1:" + std::to_string(postgres.Port()) +
      "/onlyoffice?sslmode=disable";
  test::Process peer({"prometheus-postgres-exporter", "--web.listen-address",
                      "127.0.0.1:" + std::to_string(peer_port)},
                     (dir / "postgres_exporter.log").string(), {peer_dsn});
  if (!test::WaitForPort(peer_port, std::chrono::seconds(10))) {
    std::cerr << "prometheus-postgres-exporter did not start\n";
    return 1;
  }
  const std::string ours_url = ours.Url("/metrics");
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_port) + "/metrics";

  const std::string small_url = small.Url("/metrics");

  HttpClient ours_client;
  HttpClient peer_client;
  HttpClient small_client;
  size_t ours_bytes = 0;
  size_t peer_bytes = 0;
  size_t small_bytes = 0;
  for (int i = 0; i < 10; ++i) {  // warm-up: connections, caches, lazy initialisation
    TimeScrape(ours_client, ours_url, ours_bytes);
    TimeScrape(peer_client, peer_url, peer_bytes);
    TimeScrape(small_client, small_url, small_bytes);
  }
  std::vector<double> ours_times;
  std::vector<double> peer_times;
  std::vector<double> small_times;
  for (int i = 0; i < rounds; ++i) {
    ours_times.push_back(TimeScrape(ours_client, ours_url, ours_bytes));
    peer_times.push_back(TimeScrape(peer_client, peer_url, peer_bytes));
    small_times.push_back(TimeScrape(small_client, small_url, small_bytes));
  }
  const double ours_median = bench::Percentile(ours_times, 0.5);
  const double peer_median = bench::Percentile(peer_times, 0.5);
  const double ours_rss = bench::ResidentBytes(ours.GetProcess().Pid());
  const double peer_rss = bench::ResidentBytes(peer.Pid());
  const double ours_anon = bench::ResidentBytes(ours.GetProcess().Pid(), "RssAnon:");
  const double peer_anon = bench::ResidentBytes(peer.Pid(), "RssAnon:");
  const double small_rss = bench::ResidentBytes(small.GetProcess().Pid());
  const double small_anon = bench::ResidentBytes(small.GetProcess().Pid(), "RssAnon:");

  std::printf(
      "postgres bench: %d scrapes each, alternating, one PostgreSQL (Document Server's "
      "9.4 schema, 1,000 unsaved changes)\n",
      rounds);
  std::printf("%-30s %10s %10s %10s %12s %12s\n", "exporter", "median ms", "p95 ms", "bytes",
              "RSS MiB", "anon MiB");
  PrintRow("onlyoffice-exporter", ours_times, ours_bytes, ours_rss, ours_anon);
  PrintRow("  --web.max-connections=16", small_times, small_bytes, small_rss, small_anon);
  PrintRow("prometheus-postgres-exporter", peer_times, peer_bytes, peer_rss, peer_anon);
  std::printf("median ratio ours/postgres_exporter: %.2f (target <= 1.00)\n",
              ours_median / peer_median);
  std::printf("anon ratio ours/postgres_exporter:   %.2f (target <= 0.50)\n",
              ours_anon / peer_anon);
  std::printf("RSS ratio ours/postgres_exporter:    %.2f\n", ours_rss / peer_rss);
  std::printf("anon ratio with 16 web threads:      %.2f\n", small_anon / peer_anon);
  return 0;
}
