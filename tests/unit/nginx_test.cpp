// The nginx collector's stub_status parser and metrics, on a page captured from Debian's nginx
// 1.22.1, against what nginx-prometheus-exporter 0.11 exposes for the same nginx.
#include <catch2/catch.hpp>
#include <map>

#include "collectors/nginx/collector.h"
#include "collectors/nginx/parser.h"
#include "tests/support/collect.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

std::string Fixture(const std::string& name) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/nginx/" + name);
}

std::vector<test::Sample> Build(const std::string& page) {
  const auto status = nginx::ParseStubStatus(page);
  REQUIRE(status);
  MetricSet metrics;
  nginx::BuildMetrics(*status, metrics);
  return test::ParseExposition(SerializeText(metrics.Take()));
}

// name -> TYPE, from an exposition's `# TYPE` lines.
std::map<std::string, std::string> Types(const std::string& exposition) {
  std::map<std::string, std::string> types;
  size_t at = 0;
  while ((at = exposition.find("# TYPE ", at)) != std::string::npos) {
    const auto end = exposition.find('\n', at);
    const std::string line = exposition.substr(at + 7, end - at - 7);
    types[line.substr(0, line.find(' '))] = line.substr(line.find(' ') + 1);
    at = end;
  }
  return types;
}

}  // namespace

TEST_CASE("stub_status of nginx 1.22 parses into nginx-prometheus-exporter's metrics") {
  const auto samples = Build(Fixture("stub_status-1.22.1.txt"));
  CHECK(test::FindValue(samples, "nginx_connections_active") == 2);
  CHECK(test::FindValue(samples, "nginx_connections_accepted") == 7);
  CHECK(test::FindValue(samples, "nginx_connections_handled") == 7);
  CHECK(test::FindValue(samples, "nginx_http_requests_total") == 8);
  CHECK(test::FindValue(samples, "nginx_connections_reading") == 0);
  CHECK(test::FindValue(samples, "nginx_connections_writing") == 1);
  CHECK(test::FindValue(samples, "nginx_connections_waiting") == 1);
}

TEST_CASE("every nginx_* name of nginx-prometheus-exporter 0.11 is ours, with its meaning") {
  const auto peer = Fixture("nginx-prometheus-exporter-0.11.0.metrics");
  MetricSet metrics;
  nginx::BuildMetrics(*nginx::ParseStubStatus(Fixture("stub_status-1.22.1.txt")), metrics);
  metrics.Gauge("nginx_up", "Status of the last metric scrape", 1);
  const auto ours_text = SerializeText(metrics.Take());
  const auto theirs = Types(peer);
  const auto ours = Types(ours_text);
  for (const auto& [name, type] : theirs) {
    if (name.starts_with("nginxexporter_")) continue;  // its own build info
    INFO(name);
    REQUIRE(ours.count(name) == 1);
    // A counter without `_total` goes out untyped (promtool's lint); same name, same value.
    CHECK((ours.at(name) == type || (type == "counter" && ours.at(name) == "untyped")));
    // The same help text, so a dashboard's tooltip reads the same.
    const auto help = "# HELP " + name + " ";
    const auto their_help =
        peer.substr(peer.find(help), peer.find('\n', peer.find(help)) - peer.find(help));
    CHECK(ours_text.find(their_help + "\n") != std::string::npos);
  }
  CHECK(ours.size() == theirs.size() - 1);
}

TEST_CASE("a stub_status page that is not one is an error naming what is missing") {
  CHECK(nginx::ParseStubStatus("").error.find("0 lines") != std::string::npos);
  CHECK(nginx::ParseStubStatus("<html><body>Welcome to nginx!</body></html>\n\n\n\n")
            .error.find("Active connections") != std::string::npos);
  CHECK_FALSE(
      nginx::ParseStubStatus("Active connections: 1 \nserver accepts handled requests\n"
                             " 1 1 \nReading: 0 Writing: 1 Waiting: 0 \n"));
  CHECK_FALSE(
      nginx::ParseStubStatus("Active connections: -1 \nserver accepts handled requests\n"
                             " 1 1 1 \nReading: 0 Writing: 1 Waiting: 0 \n"));
  CHECK_FALSE(
      nginx::ParseStubStatus("Active connections: 1 \nserver accepts handled requests\n"
                             " 1 1 1e3 \nReading: 0 Writing: 1 Waiting: 0 \n"));
  CHECK(
      nginx::ParseStubStatus("Active connections: 1\r\nserver accepts handled requests\r\n"
                             " 18446744073709551615 1 1\r\nReading: 0 Writing: 1 Waiting: 0"));
}

TEST_CASE("nginx targets: status_url from the config or --nginx.status-url, labelled host:port") {
  const auto target =
      test::MakeTarget("nginx", "status_url: http://documentserver:8080/stub_status");
  CHECK(target.target == "documentserver:8080");
  CHECK(target.collector->Describe() == "http://documentserver:8080/stub_status");
  REQUIRE(target.collector->Verdicts().size() == 1);
  CHECK(target.collector->Verdicts()[0].name == "nginx_up");
  CHECK_THROWS_WITH(test::MakeTarget("nginx", "status_url: documentserver/stub_status"),
                    Catch::Contains("status_url") && Catch::Contains("http://"));
  CHECK_THROWS_WITH(test::MakeTarget("nginx", "{}"), Catch::Contains("status_url"));
  CHECK_THROWS_WITH(test::MakeTarget("nginx", "status_url: http://a/s\nstatus_uri: x"),
                    Catch::Contains("status_uri"));
}

}  // namespace ooe
