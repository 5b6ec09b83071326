// Scrape time and memory with many queues on one real RabbitMQ node, in one run: our collector
// (a whole /metrics scrape), the floor (curl fetching the same management API requests, pages in
// parallel as the collector does), and the broker's own rabbitmq_prometheus /metrics/per-object.
// Run: build/release/bench/bench_rabbitmq [queues] [rounds]   (scripts/bench.sh rabbitmq)
#include <iostream>
#include <thread>

#include "bench/bench_stats.h"
#include "collectors/http/client.h"
#include "tests/support/rabbitmq_server.h"
#include "tests/support/scrape.h"

namespace {

using namespace ooe;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Declares queues bench.<from>..bench.<to - 1> in one definitions import.
void DeclareQueues(const test::RabbitmqServer& server, int from, int to) {
  std::string queues;
  for (int i = from; i < to; ++i) {
    queues += std::string(i > from ? "," : "") + R"({"name":"bench.)" + std::to_string(i) +
              R"(","vhost":"/","durable":true,"auto_delete":false,"arguments":{}})";
  }
  if (server.Api("POST", "/api/definitions", R"({"queues":[)" + queues + "]}") / 100 != 2) {
    std::cerr << "declaring queues failed\n";
    std::exit(1);
  }
}

double TimedGet(HttpClient& client, const std::string& url, size_t& bytes,
                const std::string& must_contain) {
  HttpRequest request;
  request.url = url;
  const auto started = Clock::now();
  const auto response = client.Perform(request, started + std::chrono::seconds(60));
  const double seconds = Seconds(started);
  if (response.status != 200 || response.body.find(must_contain) == std::string::npos) {
    std::cerr << "GET " << url << " failed: HTTP " << response.status << " " << response.error
              << "\n";
    std::exit(1);
  }
  bytes = response.body.size();
  return seconds;
}

// VmHWM: the most the process has ever had resident.
double PeakResidentBytes(pid_t pid) {
  const std::string status = test::ReadFile("/proc/" + std::to_string(pid) + "/status");
  const auto at = status.find("VmHWM:");
  return at == std::string::npos ? 0 : std::stod(status.substr(at + 6)) * 1024;
}

// The collector's requests, fetched by the curl CLI: overview, nodes and page 1 at once, then
// the remaining pages at once (curl --parallel), bodies discarded.
double CurlFloor(const test::RabbitmqServer& server, int queues, int page_size) {
  const std::string base = server.ManagementUrl();
  const std::string columns =
      "&columns=name,vhost,state,exclusive,messages_ready,messages_unacknowledged,messages,"
      "consumers,memory,message_stats.publish,message_stats.deliver,message_stats.ack,"
      "message_stats.redeliver";
  auto page = [&](int number) {
    return base + "/api/queues?page=" + std::to_string(number) +
           "&page_size=" + std::to_string(page_size) + columns;
  };
  std::vector<std::string> first = {
      "curl",        "-sf",       "--parallel",        "-u",
      "guest:guest", "-o",        "/dev/null",         base + "/api/overview",
      "-o",          "/dev/null", base + "/api/nodes", "-o",
      "/dev/null",   page(1)};
  std::vector<std::string> rest = {"curl", "-sf", "--parallel", "--parallel-max",
                                   "100",  "-u",  "guest:guest"};
  const int pages = (queues + page_size - 1) / page_size;
  for (int number = 2; number <= pages; ++number) {
    rest.insert(rest.end(), {"-o", "/dev/null", page(number)});
  }
  const auto started = Clock::now();
  int status = 0;
  test::RunCommand(first, &status);
  if (status == 0 && pages > 1) test::RunCommand(rest, &status);
  if (status != 0) {
    std::cerr << "curl failed with status " << status << "\n";
    std::exit(1);
  }
  return Seconds(started);
}

}  // namespace

int main(int argc, char** argv) {
  const int queues = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  const int small = std::min(500, queues);
  test::RabbitmqServer server(/*prometheus_plugin=*/true);
  test::ExporterProcess ours({"--rabbitmq.url=" + server.ManagementUrl(), "--no-collector.redis",
                              "--no-collector.docker", "--scrape.timeout=60s"});
  const std::string ours_url = ours.Url("/metrics");
  const std::string success = "onlyoffice_exporter_collector_success{collector=\"rabbitmq\"";
  HttpClient client;
  size_t bytes = 0;

  // Memory with a few hundred queues first (VmHWM only grows), then with all of them.
  DeclareQueues(server, 0, small);
  std::this_thread::sleep_for(std::chrono::seconds(6));  // the broker's statistics catch up
  for (int i = 0; i < 5; ++i) TimedGet(client, ours_url, bytes, success);
  const double small_peak = PeakResidentBytes(ours.GetProcess().Pid());
  DeclareQueues(server, small, queues);
  std::this_thread::sleep_for(std::chrono::seconds(6));

  const std::string per_object =
      "http://127.0.0.1:" + std::to_string(server.PrometheusPort()) + "/metrics/per-object";
  size_t ours_bytes = 0;
  size_t peer_bytes = 0;
  for (int i = 0; i < 3; ++i) {  // warm-up
    TimedGet(client, ours_url, ours_bytes, success);
    TimedGet(client, per_object, peer_bytes, "rabbitmq_queue_messages_ready");
    CurlFloor(server, queues, 500);
  }
  std::vector<double> ours_times;
  std::vector<double> floor_times;
  std::vector<double> peer_times;
  for (int i = 0; i < rounds; ++i) {
    ours_times.push_back(TimedGet(client, ours_url, ours_bytes, success));
    floor_times.push_back(CurlFloor(server, queues, 500));
    peer_times.push_back(TimedGet(client, per_object, peer_bytes, "rabbitmq_queue_messages_ready"));
  }
  const std::string metrics = test::HttpGet(ours_url).body;
  const auto samples = test::ParseExposition(metrics);
  const double large_peak = PeakResidentBytes(ours.GetProcess().Pid());
  const double ours_median = bench::Percentile(ours_times, 0.5);
  const double floor_median = bench::Percentile(floor_times, 0.5);
  const double peer_median = bench::Percentile(peer_times, 0.5);

  std::printf("rabbitmq bench: %d queues on one node, %d rounds each, interleaved\n", queues,
              rounds);
  std::printf(
      "  collector success: %.0f, queue series exported: %zu\n",
      test::FindValue(samples, "onlyoffice_exporter_collector_success", {{"collector", "rabbitmq"}})
          .value_or(-1),
      test::CountSamples(samples, "rabbitmq_queue_messages"));
  std::printf("%-44s %10s %10s %12s\n", "", "median ms", "p95 ms", "bytes");
  std::printf("%-44s %10.1f %10.1f %12zu\n", "onlyoffice-exporter /metrics", ours_median * 1e3,
              bench::Percentile(ours_times, 0.95) * 1e3, ours_bytes);
  std::printf("%-44s %10.1f %10.1f %12s\n", "curl, the same API requests (the floor)",
              floor_median * 1e3, bench::Percentile(floor_times, 0.95) * 1e3, "-");
  std::printf("%-44s %10.1f %10.1f %12zu\n", "rabbitmq_prometheus /metrics/per-object",
              peer_median * 1e3, bench::Percentile(peer_times, 0.95) * 1e3, peer_bytes);
  std::printf("ratio ours/floor:      %.2f (target <= 1.30)\n", ours_median / floor_median);
  std::printf("ratio ours/per-object: %.2f\n", ours_median / peer_median);
  std::printf("exporter peak resident memory: %.1f MiB with %d queues, %.1f MiB with %d\n",
              small_peak / 1048576, small, large_peak / 1048576, queues);
  return 0;
}
