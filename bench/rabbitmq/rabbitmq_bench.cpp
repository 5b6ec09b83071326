// Scrape time and memory with many queues on one real RabbitMQ node, in one run, at a few hundred
// queues and then at many: our collector reading rabbitmq_prometheus (a whole /metrics scrape;
// the default where the plugin is enabled), our collector with the management API alone (where
// it is not), the broker's own rabbitmq_prometheus /metrics/per-object, and curl fetching what
// a management-API exporter reads (overview, nodes and every page of /api/queues with its
// statistics, pages in parallel).
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
    std::cerr << "GET " << url << " failed: HTTP " << response.status << " "
              << response.error.ToString() << "\n"
              << response.body.substr(0, 2000) << "\n";
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

// What a management-API exporter reads, by the curl CLI: overview, nodes and page 1 at once,
// then the remaining pages at once (curl --parallel), bodies discarded.
double CurlManagementApi(const test::RabbitmqServer& server, int queues) {
  constexpr int kPageSize = 500;
  const std::string base = server.ManagementUrl();
  const std::string columns =
      "&columns=name,vhost,state,exclusive,messages_ready,messages_unacknowledged,messages,"
      "consumers,memory,message_stats.publish,message_stats.deliver,message_stats.ack,"
      "message_stats.redeliver";
  auto page = [&](int number) {
    return base + "/api/queues?page=" + std::to_string(number) +
           "&page_size=" + std::to_string(kPageSize) + columns;
  };
  std::vector<std::string> first = {
      "curl",        "-sf",       "--parallel",        "-u",
      "guest:guest", "-o",        "/dev/null",         base + "/api/overview",
      "-o",          "/dev/null", base + "/api/nodes", "-o",
      "/dev/null",   page(1)};
  std::vector<std::string> rest = {"curl", "-sf", "--parallel", "--parallel-max",
                                   "100",  "-u",  "guest:guest"};
  const int pages = (queues + kPageSize - 1) / kPageSize;
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

// An exporter with one rabbitmq target reading its queue counts from `source`.
std::unique_ptr<test::ExporterProcess> Exporter(const test::RabbitmqServer& server,
                                                const test::TempDir& dir,
                                                const std::string& source) {
  const auto config = dir / (source + ".yml");
  test::WriteFile(config, "collectors:\n  rabbitmq:\n    targets:\n      - {name: bench, url: '" +
                              server.ManagementUrl() + "', source: " + source +
                              ", prometheus_url: 'http://127.0.0.1:" +
                              std::to_string(server.PrometheusPort()) + "'}\n");
  return std::make_unique<test::ExporterProcess>(std::vector<std::string>{
      "--config.file=" + config.string(), "--no-collector.redis", "--no-collector.docker",
      "--no-collector.documentserver", "--no-collector.nginx", "--scrape.timeout=60s"});
}

struct Figures {
  double plugin_path = 0, management_path = 0, per_object = 0, curl = 0;
  size_t plugin_bytes = 0, management_bytes = 0, per_object_bytes = 0;
  size_t queue_series = 0;
  double success = -1, converttask_consumers = -1;
};

Figures Measure(const test::RabbitmqServer& server, test::ExporterProcess& plugin_exporter,
                test::ExporterProcess& management_exporter, int queues, int rounds) {
  const std::string success = "onlyoffice_exporter_collector_success{collector=\"rabbitmq\"";
  const std::string per_object =
      "http://127.0.0.1:" + std::to_string(server.PrometheusPort()) + "/metrics/per-object";
  HttpClient client;
  Figures figures;
  for (int i = 0; i < 2; ++i) {  // warm-up
    TimedGet(client, plugin_exporter.Url(), figures.plugin_bytes, success);
    TimedGet(client, management_exporter.Url(), figures.management_bytes, success);
    TimedGet(client, per_object, figures.per_object_bytes, "rabbitmq_queue_messages_ready");
    CurlManagementApi(server, queues);
  }
  std::vector<double> plugin_times, management_times, per_object_times, curl_times;
  for (int i = 0; i < rounds; ++i) {  // interleaved, so the node's load is shared alike
    plugin_times.push_back(TimedGet(client, plugin_exporter.Url(), figures.plugin_bytes, success));
    per_object_times.push_back(
        TimedGet(client, per_object, figures.per_object_bytes, "rabbitmq_queue_messages_ready"));
    management_times.push_back(
        TimedGet(client, management_exporter.Url(), figures.management_bytes, success));
    curl_times.push_back(CurlManagementApi(server, queues));
  }
  figures.plugin_path = bench::Percentile(plugin_times, 0.5);
  figures.management_path = bench::Percentile(management_times, 0.5);
  figures.per_object = bench::Percentile(per_object_times, 0.5);
  figures.curl = bench::Percentile(curl_times, 0.5);
  const auto samples = test::ParseExposition(test::HttpGet(plugin_exporter.Url()).body);
  figures.success =
      test::FindValue(samples, "onlyoffice_exporter_collector_success", {{"collector", "rabbitmq"}})
          .value_or(-1);
  figures.queue_series = test::CountSamples(samples, "rabbitmq_queue_messages_ready");
  figures.converttask_consumers =
      test::FindValue(samples, "rabbitmq_queue_consumers", {{"queue", "ds.converttask"}})
          .value_or(-1);
  if (!test::FindValue(samples, "onlyoffice_exporter_rabbitmq_queue_source",
                       {{"source", "prometheus"}})) {
    std::cerr << "the exporter did not read the plugin\n";
    std::exit(1);
  }
  return figures;
}

void Print(const Figures& figures, int queues, int rounds, double plugin_peak,
           double management_peak) {
  std::printf("\n%d queues (and Document Server's ds.*), median of %d interleaved rounds\n", queues,
              rounds);
  std::printf("  collector success %.0f, queues exported %zu, ds.converttask consumers %.0f\n",
              figures.success, figures.queue_series, figures.converttask_consumers);
  std::printf("  %-52s %9s %11s %9s\n", "", "ms", "bytes", "peak MiB");
  std::printf("  %-52s %9.1f %11zu %9.1f\n", "ours, rabbitmq_prometheus + ds.* statistics",
              figures.plugin_path * 1e3, figures.plugin_bytes, plugin_peak / 1048576);
  std::printf("  %-52s %9.1f %11zu %9.1f\n", "ours, management API only (no plugin)",
              figures.management_path * 1e3, figures.management_bytes, management_peak / 1048576);
  std::printf("  %-52s %9.1f %11zu %9s\n", "rabbitmq_prometheus /metrics/per-object",
              figures.per_object * 1e3, figures.per_object_bytes, "-");
  std::printf("  %-52s %9.1f %11s %9s\n", "curl, management API with statistics (every page)",
              figures.curl * 1e3, "-", "-");
  std::printf("  ratio ours (plugin) / per-object:       %.2f (target <= 1.0 at 5,000)\n",
              figures.plugin_path / figures.per_object);
  std::printf("  ratio ours (plugin) / curl of the API:  %.2f\n",
              figures.plugin_path / figures.curl);
  std::printf("  ratio ours (management) / curl of the API: %.2f\n",
              figures.management_path / figures.curl);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures as they come, also into a file
  const int queues = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  const int small = std::min(500, queues);
  test::RabbitmqServer server(/*prometheus_plugin=*/true);
  server.DeclareDocumentServerTopology();
  auto converter = server.Consume("ds.converttask");
  test::TempDir dir;
  auto plugin_exporter = Exporter(server, dir, "prometheus");
  auto management_exporter = Exporter(server, dir, "management");

  std::printf("rabbitmq bench: one RabbitMQ node, our exporter scraped whole\n");
  // A few hundred queues first (VmHWM only grows), then all of them.
  DeclareQueues(server, 0, small - 4);
  std::this_thread::sleep_for(std::chrono::seconds(6));  // the broker's statistics catch up
  const auto small_figures = Measure(server, *plugin_exporter, *management_exporter, small, rounds);
  const double small_plugin_peak = PeakResidentBytes(plugin_exporter->GetProcess().Pid());
  const double small_management_peak = PeakResidentBytes(management_exporter->GetProcess().Pid());
  Print(small_figures, small, rounds, small_plugin_peak, small_management_peak);
  if (queues == small) return 0;

  DeclareQueues(server, small - 4, queues - 4);
  std::this_thread::sleep_for(std::chrono::seconds(6));
  const auto figures = Measure(server, *plugin_exporter, *management_exporter, queues, rounds);
  const double plugin_peak = PeakResidentBytes(plugin_exporter->GetProcess().Pid());
  const double management_peak = PeakResidentBytes(management_exporter->GetProcess().Pid());
  Print(figures, queues, rounds, plugin_peak, management_peak);
  std::printf(
      "\npeak resident memory, %d queues against %d: plugin path %.2fx, management path "
      "%.2fx (target <= 1.3)\n",
      queues, small, plugin_peak / small_plugin_peak, management_peak / small_management_peak);
  return 0;
}
