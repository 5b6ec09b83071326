// Load (issue 8): 50 concurrent wrk clients scrape /metrics for 30 s while the exporter watches a
// real redis-server, real nginx in front of the DocService stand-in and a real RabbitMQ node. The
// backends must see the rate of single-flight collections, not one visit per scrape; counted by
// the backends themselves (Redis' INFO commandstats, nginx's access log) and, since RabbitMQ's
// management API keeps no request count, by real nginx as a reverse proxy in front of it.
#include <catch2/catch.hpp>
#include <cstdio>
#include <regex>

#include "tests/support/documentserver.h"
#include "tests/support/nginx.h"
#include "tests/support/rabbitmq_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

using test::FindValue;

// calls=N of `command` in INFO commandstats.
double RedisCalls(test::RedisServer& redis, const std::string& command) {
  const auto stats = redis.Cli({"INFO", "commandstats"});
  std::smatch match;
  const std::regex pattern("cmdstat_" + command + ":calls=([0-9]+)");
  return std::regex_search(stats, match, pattern) ? std::stod(match[1]) : 0;
}

// wrk --latency's figure for `percentile` ("50%", "99%"), in milliseconds.
double LatencyMs(const std::string& output, const std::string& percentile) {
  std::smatch match;
  const std::regex pattern(" " + percentile + "\\s+([0-9.]+)(us|ms|s)");
  if (!std::regex_search(output, match, pattern)) return -1;
  const double value = std::stod(match[1]);
  if (match[2] == "us") return value / 1000;
  if (match[2] == "s") return value * 1000;
  return value;
}

// Through nginx only, so that nginx sees every Document Server request: /healthcheck and the
// two CommandService commands (version, license) per collection.
constexpr double kNginxRequestsPerCollection = 3;
// /api/overview, /api/nodes, one page of /api/queues with statistics (Document Server's four
// queues, 500 a page) and the list of every queue without them: this node has no
// rabbitmq_prometheus (nothing answers on the proxy host's port 15692), so the queue counts
// come from the management API too.
constexpr double kRabbitmqRequestsPerCollection = 4;

std::string LoadConfig(const std::string& redis_address, const std::string& documentserver_url,
                       const std::string& rabbitmq_url) {
  return "collectors:\n  redis:\n    targets:\n      - {address: " + redis_address +
         "}\n  documentserver:\n    targets:\n      - {url: " + documentserver_url +
         // The security probes run at the first collection only (then every 10 minutes): a
         // fixed handful of requests, not a rate.
         ", security_probes: false}\n  rabbitmq:\n    targets:\n      - {url: " + rabbitmq_url +
         "}\n";
}

// The requests wrk completed, from its summary line.
double WrkRequests(const std::string& output) {
  std::smatch match;
  std::regex_search(output, match, std::regex("([0-9]+) requests in"));
  return match.empty() ? 0 : std::stod(match[1]);
}

struct LoadFigures {
  double wrk_requests;
  double scrapes;
  double p50_ms;
  double p99_ms;
  double collections;
  double info_calls;
  double nginx_requests;
  double rabbitmq_requests;
};

void PrintFigures(const LoadFigures& figures) {
  std::printf(
      "\nLoad: wrk, 50 connections, 30 s, against redis + Document Server (nginx + stand-in) + "
      "RabbitMQ (through nginx)\n"
      "  scrapes answered (wrk): %.0f (%.0f/s); exporter scrapes_total %.0f\n"
      "  latency p50 %.2f ms, p99 %.2f ms\n"
      "  collections: %.0f (%.1f scrapes per collection)\n"
      "  Redis INFO calls: %.0f; nginx requests: %.0f (%.0f per collection); RabbitMQ "
      "management API requests (through its nginx): %.0f (%.0f per collection)\n"
      "  without single-flight the backends would have seen %.0f INFO calls, %.0f nginx "
      "requests and %.0f RabbitMQ requests\n",
      figures.wrk_requests, figures.wrk_requests / 30, figures.scrapes, figures.p50_ms,
      figures.p99_ms, figures.collections, figures.scrapes / figures.collections,
      figures.info_calls, figures.nginx_requests, kNginxRequestsPerCollection,
      figures.rabbitmq_requests, kRabbitmqRequestsPerCollection, figures.scrapes,
      figures.scrapes * kNginxRequestsPerCollection,
      figures.scrapes * kRabbitmqRequestsPerCollection);
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("load: 50 clients for 30 s, the backends see single-flight collection rates", "[load]") {
  test::RedisServer redis;
  test::DocServiceStandin standin;
  test::DocumentServerNginx nginx(standin.Port(), "60s", /*access_log=*/true);
  auto& rabbitmq = test::RabbitmqServer::Shared();
  rabbitmq.DeclareDocumentServerTopology();
  const auto rabbitmq_proxy = test::Nginx::ReverseProxy(rabbitmq.ManagementPort());
  test::TempDir dir;
  test::WriteFile(dir / "config.yml",
                  LoadConfig(redis.Address(), nginx.Url(), rabbitmq_proxy.Url()));
  test::ExporterProcess exporter(
      {"--config.file=" + (dir / "config.yml").string(), "--no-collector.docker"});

  const double info_before = RedisCalls(redis, "info");
  int exit_code = -1;
  std::string errors;
  const auto output = test::RunCommand(
      {"wrk", "--threads", "2", "--connections", "50", "--duration", "30s", "--latency", "--header",
       "X-Prometheus-Scrape-Timeout-Seconds: 10", exporter.Url("/metrics")},
      &exit_code, &errors);
  INFO(output << errors);
  REQUIRE(exit_code == 0);

  // This scrape's own collection and scrape are taken off below.
  const auto samples = test::ParseExposition(exporter.Get().body);
  const double collections =
      FindValue(samples, "onlyoffice_exporter_collections_total").value() - 1;
  const double scrapes = FindValue(samples, "onlyoffice_exporter_scrapes_total").value() - 1;
  // Less the first INFO commandstats (counted in the second) and the last scrape's INFO.
  const double info_calls = RedisCalls(redis, "info") - info_before - 2;
  const double nginx_requests =
      static_cast<double>(nginx.RequestCount()) - kNginxRequestsPerCollection;
  const double rabbitmq_requests =
      static_cast<double>(rabbitmq_proxy.RequestCount()) - kRabbitmqRequestsPerCollection;
  const double wrk_requests = WrkRequests(output);
  const double p50 = LatencyMs(output, "50%");
  const double p99 = LatencyMs(output, "99%");

  PrintFigures({wrk_requests, scrapes, p50, p99, collections, info_calls, nginx_requests,
                rabbitmq_requests});

  CHECK(output.find("Non-2xx") == std::string::npos);
  CHECK(output.find("Socket errors") == std::string::npos);
  CHECK(wrk_requests > 1000);
  CHECK(scrapes >= wrk_requests);
  for (const std::string kind : {"redis", "documentserver", "rabbitmq"}) {
    INFO(kind);
    CHECK(FindValue(samples, "onlyoffice_exporter_collector_success", {{"collector", kind}}) == 1);
  }
  // The backends see one visit per collection, never one per scrape.
  CHECK(info_calls == collections);
  CHECK(nginx_requests == collections * kNginxRequestsPerCollection);
  CHECK(rabbitmq_requests == collections * kRabbitmqRequestsPerCollection);
  // 50 clients at once: most scrapes join a collection already in flight.
  CHECK(collections * 10 < scrapes);
  CHECK(p50 > 0);
  CHECK(p99 > 0);
  CHECK(exporter.GetProcess().Running());
}

}  // namespace ooe
