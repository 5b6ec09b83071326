// The compose stack's edge proxy (deploy/compose/nginx/documentserver.conf, the file itself) in
// real nginx, Document Server "recreated with a new address": the name documentserver moves from
// a stand-in on 127.0.0.2 to one on 127.0.0.3, as Docker's embedded DNS moves a service name to a
// recreated container. Containers get no network on this machine, so a DNS server of the test's
// own plays Docker's (127.0.0.11), answering with a 1 s TTL. The exporter probes through the edge
// as the compose stack's second documentserver target does.
#include <catch2/catch.hpp>
#include <thread>

#include "collectors/http/client.h"
#include "tests/support/dns_server.h"
#include "tests/support/nginx.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// The stand-in as a recreated container: the same port, its own loopback address.
struct Container {
  Container(const std::string& address, int port)
      : url("http://" + address + ":" + std::to_string(port)),
        process({OOE_STANDIN_BINARY, "--listen", address + ":" + std::to_string(port), "--fixtures",
                 std::string(OOE_SHARED_FIXTURES_DIR) + "/documentserver/docservice-9.4.0"},
                (dir / "standin.log").string()) {
    for (int i = 0; i < 100; ++i) {
      HttpClient client;
      HttpRequest request;
      request.url = url + "/healthcheck";
      if (client.Perform(request, Clock::now() + std::chrono::seconds(1)).status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the stand-in did not start on " << url << ": " << test::ReadFile(dir / "standin.log"));
  }
  test::TempDir dir;
  std::string url;
  test::Process process;
};

// nginx.conf around the compose file (http-context, as conf.d/default.conf is).
constexpr const char* kMain = R"(@USER@
worker_processes 1;
pid @PREFIX@/nginx.pid;
error_log @ERROR_LOG@ warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path @PREFIX@/client_body;
  proxy_temp_path @PREFIX@/proxy;
  fastcgi_temp_path @PREFIX@/fastcgi;
  uwsgi_temp_path @PREFIX@/uwsgi;
  scgi_temp_path @PREFIX@/scgi;
  include @EDGE@;
}
)";

// The compose edge's file, on this machine's addresses; `literal`: proxy_pass with the address
// the name had at start instead of the variable (the file before this fix, which nginx resolves
// once).
std::string EdgeConfig(int dns_port, int stub_port, int documentserver_port, bool literal) {
  std::string text =
      test::ReadFile(std::string(OOE_SOURCE_DIR) + "/deploy/compose/nginx/documentserver.conf");
  // The shorter TTL keeps the test short; production's is 10 s.
  text = Replace(text, "resolver 127.0.0.11 valid=10s",
                 "resolver 127.0.0.1:" + std::to_string(dns_port) + " valid=1s");
  text = Replace(text, "listen 80;", "listen @LISTEN@;");
  text = Replace(text, "listen 8080;", "listen 127.0.0.1:" + std::to_string(stub_port) + ";");
  const std::string port = std::to_string(documentserver_port);
  text = Replace(text, "set $documentserver http://documentserver;",
                 literal ? "" : "set $documentserver http://documentserver:" + port + ";");
  if (literal)
    text =
        Replace(text, "proxy_pass $documentserver;", "proxy_pass http://127.0.0.2:" + port + ";");
  return text;
}

double HealthcheckUp(const test::ExporterProcess& exporter, const std::string& target) {
  const auto samples = test::ParseExposition(exporter.Get().body);
  return test::FindValue(samples, "onlyoffice_documentserver_healthcheck_up",
                         {{"target", target}, {"via", "nginx"}})
      .value_or(-1);
}

}  // namespace

TEST_CASE(
    "edge: Document Server recreated with a new address; the edge follows, the old one did not") {
  test::DnsServer dns;
  dns.Set("documentserver", "127.0.0.2");
  const int port = test::FreePort();
  auto first = std::make_unique<Container>("127.0.0.2", port);
  test::TempDir dir;
  const auto main_config = [&](bool literal) {
    return Replace(kMain, "include @EDGE@;",
                   EdgeConfig(dns.Port(), test::FreePort(), port, literal));
  };
  test::Nginx edge(main_config(false), false);
  test::Nginx old(main_config(true), false);
  test::WriteFile(dir / "config.yml",
                  "collectors:\n  documentserver:\n    targets:\n"
                  "      - {name: edge, url: '" +
                      edge.Url() +
                      "', commands: [], security_probes: false}\n"
                      "      - {name: old, url: '" +
                      old.Url() + "', commands: [], security_probes: false}\n");
  test::ExporterProcess exporter({"--config.file=" + (dir / "config.yml").string(),
                                  "--no-collector.redis", "--no-collector.docker",
                                  "--no-collector.rabbitmq", "--no-collector.nginx"});
  CHECK(HealthcheckUp(exporter, "edge") == 1);
  CHECK(HealthcheckUp(exporter, "old") == 1);
  CHECK(dns.Queries() > 0);

  // docker-compose up --force-recreate: the old container goes, the new one has a new address.
  first.reset();
  dns.Set("documentserver", "127.0.0.3");
  Container second("127.0.0.3", port);
  const auto moved = Clock::now();
  double edge_up = 0;
  while (Clock::now() - moved < std::chrono::seconds(15) && edge_up != 1) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    edge_up = HealthcheckUp(exporter, "edge");
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - moved).count();
  INFO("the edge answered true again " << seconds << " s after the move");
  CHECK(edge_up == 1);
  CHECK(seconds < 5);  // one TTL (1 s) plus a lookup, on a loaded machine
  // The edge that resolved its name once still sends every editor to the address that is gone.
  CHECK(HealthcheckUp(exporter, "old") == 0);
  const auto old_status = test::HttpGet(old.Url() + "/healthcheck");
  CHECK(old_status.status == 502);
}

}  // namespace ooe
