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

}  // namespace

TEST_CASE("load: 50 clients for 30 s, the backends see single-flight collection rates", "[load]") {
  test::RedisServer redis;
  test::DocServiceStandin standin;
  test::DocumentServerNginx nginx(standin.Port(), "60s", /*access_log=*/true);
  auto& rabbitmq = test::RabbitmqServer::Shared();
  rabbitmq.DeclareDocumentServerTopology();
  const auto rabbitmq_proxy = test::Nginx::ReverseProxy(rabbitmq.ManagementPort());
  test::TempDir dir;
  // Through nginx only, so that nginx sees every Document Server request: /healthcheck and the
  // two CommandService commands (version, license) per collection.
  constexpr double kNginxRequestsPerCollection = 3;
  // /api/overview, /api/nodes and one page of /api/queues (Document Server's four queues, 500 a
  // page).
  constexpr double kRabbitmqRequestsPerCollection = 3;
  test::WriteFile(dir / "config.yml",
                  "collectors:\n  redis:\n    targets:\n      - {address: " + redis.Address() +
                      "}\n  documentserver:\n    targets:\n      - {url: " + nginx.Url() +
                      "}\n  rabbitmq:\n    targets:\n      - {url: " + rabbitmq_proxy.Url() +
                      "}\n");
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
  std::smatch match;
  std::regex_search(output, match, std::regex("([0-9]+) requests in"));
  const double wrk_requests = match.empty() ? 0 : std::stod(match[1]);
  const double p50 = LatencyMs(output, "50%");
  const double p99 = LatencyMs(output, "99%");

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
      wrk_requests, wrk_requests / 30, scrapes, p50, p99, collections, scrapes / collections,
      info_calls, nginx_requests, kNginxRequestsPerCollection, rabbitmq_requests,
      kRabbitmqRequestsPerCollection, scrapes, scrapes * kNginxRequestsPerCollection,
      scrapes * kRabbitmqRequestsPerCollection);
  std::fflush(stdout);

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
