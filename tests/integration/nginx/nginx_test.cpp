// The nginx collector against real nginx (Document Server's inner nginx and an edge in front of
// it), and the exporter following real nginx's error log while nginx produces real upstream
// failures: the stand-in stopped, slower than a short proxy_read_timeout, max_fails exhausted,
// an upstream that closes the connection; then rotation of both kinds while requests go on.
#include "tests/support/nginx.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "collectors/http/client.h"
#include "tests/support/documentserver.h"
#include "tests/support/misbehaving_peer.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

namespace fs = std::filesystem;
using test::FindValue;

// An exporter with one documentserver target following `error_log` (its probes go to the
// stand-in directly, so they add no line to the log) and nginx targets for `status_urls`.
std::unique_ptr<test::ExporterProcess> Exporter(const test::TempDir& dir,
                                                const std::string& probe_url,
                                                const std::string& error_log,
                                                const std::vector<std::string>& status_urls = {}) {
  std::string config =
      "collectors:\n  documentserver:\n    targets:\n      - name: ds\n        url: " + probe_url +
      "\n        commands: []\n        security_probes: false\n" +
      "        nginx_error_log: " + error_log + "\n";
  if (!status_urls.empty()) {
    config += "  nginx:\n    targets:\n";
    for (size_t i = 0; i < status_urls.size(); ++i) {
      config +=
          "      - {name: nginx" + std::to_string(i) + ", status_url: '" + status_urls[i] + "'}\n";
    }
  }
  test::WriteFile(dir / "config.yml", config);
  return std::make_unique<test::ExporterProcess>(std::vector<std::string>{
      "--config.file=" + (dir / "config.yml").string(), "--no-collector.redis",
      "--no-collector.docker", "--no-collector.rabbitmq"});
}

std::vector<test::Sample> Scrape(const test::ExporterProcess& exporter) {
  const auto result = exporter.Get();
  REQUIRE(result.status == 200);
  return test::ParseExposition(result.body);
}

double Failures(const std::vector<test::Sample>& samples, const std::string& reason) {
  const auto value =
      FindValue(samples, "onlyoffice_nginx_upstream_failures_total", {{"reason", reason}});
  REQUIRE(value);
  return *value;
}

// `count` GETs of `url`, all at once; their statuses.
std::vector<long> Requests(const std::string& url, size_t count) {
  HttpClient client;
  HttpRequest request;
  request.url = url;
  const auto responses = client.PerformAll(std::vector<HttpRequest>(count, request),
                                           Clock::now() + std::chrono::seconds(30));
  std::vector<long> statuses;
  for (const auto& response : responses) statuses.push_back(response.status);
  return statuses;
}

// An nginx in front of `servers` (host:port each) with max_fails=1: the first failures mark
// them down, and nginx answers "no live upstreams" until fail_timeout passes.
constexpr const char* kMaxFailsConfig = R"(@USER@
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
  upstream docservice {
    server @FIRST@ max_fails=1 fail_timeout=300s;
    server @SECOND@ max_fails=1 fail_timeout=300s;
  }
  server {
    listen @LISTEN@;
    location / { proxy_pass http://docservice; }
  }
}
)";

// An edge proxy with its own stub_status, in front of @UPSTREAM@.
constexpr const char* kEdgeConfig = R"(@USER@
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
  server {
    listen @LISTEN@;
    location = /stub_status { stub_status; }
    location / { proxy_pass http://@UPSTREAM@; }
  }
}
)";

}  // namespace

TEST_CASE("nginx: stub_status of the inner nginx and of an edge in front of it, two targets") {
  test::DocServiceStandin standin;
  test::DocumentServerNginx inner(standin.Port());
  test::Nginx edge(kEdgeConfig, false,
                   {{"@UPSTREAM@", "127.0.0.1:" + std::to_string(inner.Port())}});
  test::TempDir dir;
  auto exporter = Exporter(dir, standin.Url(), (dir / "none.log").string(),
                           {inner.Url() + "/stub_status", edge.Url() + "/stub_status"});
  const auto before = Scrape(*exporter);
  const auto requests = [](const std::vector<test::Sample>& samples, const std::string& target) {
    const auto value = FindValue(samples, "nginx_http_requests_total", {{"target", target}});
    REQUIRE(value);
    return *value;
  };
  CHECK(FindValue(before, "nginx_up", {{"target", "nginx0"}}) == 1);
  CHECK(FindValue(before, "nginx_up", {{"target", "nginx1"}}) == 1);
  for (const long status : Requests(edge.Url() + "/healthcheck", 5)) CHECK(status == 200);
  const auto after = Scrape(*exporter);
  // Each counts the five requests and the next scrape's request for its page.
  CHECK(requests(after, "nginx0") == requests(before, "nginx0") + 6);
  CHECK(requests(after, "nginx1") == requests(before, "nginx1") + 6);
  CHECK(FindValue(after, "nginx_connections_active", {{"target", "nginx0"}}) >= 1);
  CHECK(FindValue(after, "nginx_connections_accepted", {{"target", "nginx1"}}) ==
        FindValue(after, "nginx_connections_handled", {{"target", "nginx1"}}));
}

TEST_CASE("nginx: a stub_status location that denies the exporter, and a page that is not one") {
  test::DocServiceStandin standin;
  test::DocumentServerNginx inner(standin.Port());
  test::TempDir dir;
  // /healthcheck is not a stub_status page; /info/x is denied outside 127.0.0.1 ... and allowed
  // here, so the 403 comes from a location that denies everyone.
  test::Nginx deny(R"(@USER@
worker_processes 1;
pid @PREFIX@/nginx.pid;
error_log @ERROR_LOG@ warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path @PREFIX@/client_body;
  proxy_temp_path @PREFIX@/proxy;
  fastcgi_temp_path @PREFIX@/fastcgi;
  uwsgi_temp_path @PREFIX@/uwsgi;
  scgi_temp_path @PREFIX@/scgi;
  server {
    listen @LISTEN@;
    location = /stub_status { stub_status; deny all; }
  }
}
)",
                   false);
  auto exporter = Exporter(dir, standin.Url(), (dir / "none.log").string(),
                           {inner.Url() + "/healthcheck", deny.Url() + "/stub_status"});
  const auto samples = Scrape(*exporter);
  CHECK(FindValue(samples, "nginx_up", {{"target", "nginx0"}}) == 0);
  CHECK(FindValue(samples, "nginx_up", {{"target", "nginx1"}}) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto log = exporter->Log();
  CHECK(log.find("is this nginx's stub_status location?") != std::string::npos);
  CHECK(log.find("HTTP 403") != std::string::npos);
  CHECK(log.find("does not allow the exporter's address") != std::string::npos);
}

TEST_CASE("nginx's log: the stand-in stopped gives one refused line per 502, counted") {
  test::DocServiceStandin standin;
  test::DocServiceStandin probed;  // the exporter's own probes go here, not through nginx
  test::TempDir dir;
  test::DocumentServerNginx nginx(standin.Port(), "60s", false, (dir / "nginx.error.log").string());
  auto exporter = Exporter(dir, probed.Url(), nginx.ErrorLogPath());
  const auto before = Scrape(*exporter);
  CHECK(Failures(before, "refused") == 0);
  CHECK(FindValue(before, "onlyoffice_documentserver_log_file_open", {{"log", "nginx"}}) == 1);
  standin.Stop();
  for (const long status : Requests(nginx.Url() + "/healthcheck", 7)) CHECK(status == 502);
  const auto after = Scrape(*exporter);
  CHECK(Failures(after, "refused") == 7);
  CHECK(Failures(after, "timeout") == 0);
  CHECK(FindValue(after, "onlyoffice_nginx_error_log_entries_total", {{"level", "error"}}) == 7);
}

TEST_CASE("nginx's log: slower than proxy_read_timeout gives 504s, counted as timeout") {
  test::DocServiceStandin standin;
  test::DocServiceStandin probed;
  test::TempDir dir;
  test::DocumentServerNginx nginx(standin.Port(), "1s", false, (dir / "nginx.error.log").string());
  auto exporter = Exporter(dir, probed.Url(), nginx.ErrorLogPath());
  Scrape(*exporter);
  standin.SetMode("slow:2500");
  for (const long status : Requests(nginx.Url() + "/healthcheck", 3)) CHECK(status == 504);
  const auto samples = Scrape(*exporter);
  CHECK(Failures(samples, "timeout") == 3);
  CHECK(Failures(samples, "refused") == 0);
  const auto log = test::ReadFile(nginx.ErrorLogPath());
  CHECK(test::CountOccurrences(log, "upstream timed out (110: Connection timed out)") == 3);
}

TEST_CASE("nginx's log: max_fails exhausted gives no live upstreams, counted apart") {
  test::DocServiceStandin probed;
  test::TempDir dir;
  const std::string log_path = (dir / "nginx.error.log").string();
  test::Nginx nginx(kMaxFailsConfig, false,
                    {{"@FIRST@", "127.0.0.1:" + std::to_string(test::FreePort())},
                     {"@SECOND@", "127.0.0.1:" + std::to_string(test::FreePort())},
                     {"@ERROR_LOG@", log_path}});
  auto exporter = Exporter(dir, probed.Url(), log_path);
  Scrape(*exporter);
  // The first request tries both servers (two refused attempts) and marks both down.
  CHECK(Requests(nginx.Url() + "/healthcheck", 1) == std::vector<long>{502});
  for (const long status : Requests(nginx.Url() + "/healthcheck", 4)) CHECK(status == 502);
  const auto samples = Scrape(*exporter);
  CHECK(Failures(samples, "refused") == 2);
  CHECK(Failures(samples, "no_live_upstreams") == 4);
}

TEST_CASE("nginx's log: an upstream that closes the connection gives prematurely closed") {
  test::DocServiceStandin probed;
  test::MisbehavingPeer closing({.reply = "x", .cut_after = 0});
  test::TempDir dir;
  test::DocumentServerNginx nginx(closing.Port(), "60s", false, (dir / "nginx.error.log").string());
  auto exporter = Exporter(dir, probed.Url(), nginx.ErrorLogPath());
  Scrape(*exporter);
  for (const long status : Requests(nginx.Url() + "/healthcheck", 3)) CHECK(status == 502);
  CHECK(Failures(Scrape(*exporter), "prematurely_closed") == 3);
}

TEST_CASE("nginx's log: rotated by rename (USR1) and by copy-truncate while 502s go on") {
  test::DocServiceStandin standin;
  test::DocServiceStandin probed;
  test::TempDir dir;
  const auto log_path = dir / "nginx.error.log";
  test::DocumentServerNginx nginx(standin.Port(), "60s", false, log_path.string());
  auto exporter = Exporter(dir, probed.Url(), log_path.string());
  Scrape(*exporter);
  standin.Stop();
  // One request at a time: each leaves one line, and the rotator can hold them back.
  std::mutex mutex;
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::atomic<int> not_502{0};
  std::thread load([&] {
    HttpClient client;
    HttpRequest request;
    request.url = nginx.Url() + "/healthcheck";
    while (!stop.load()) {
      const std::lock_guard lock(mutex);
      if (client.Perform(request, Clock::now() + std::chrono::seconds(5)).status != 502) ++not_502;
      ++sent;
    }
  });
  size_t lost = 0;
  for (int round = 0; round < 4; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Scrape(*exporter);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto rotated = dir / ("nginx.error.log." + std::to_string(round));
    if (round % 2 == 0) {
      fs::rename(log_path, rotated);  // logrotate's default, then its postrotate's USR1
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      nginx.Server().Signal(SIGUSR1);
    } else {
      fs::copy_file(log_path, rotated);   // copytruncate: nginx writes on meanwhile
      const std::lock_guard lock(mutex);  // what nginx wrote between copy and truncate is lost
      const auto copied = fs::file_size(rotated);
      std::ifstream rest(log_path, std::ios::binary);
      rest.seekg(static_cast<std::streamoff>(copied));
      for (std::string line; std::getline(rest, line);) ++lost;
      fs::resize_file(log_path, 0);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop.store(true);
  load.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the last reopen's writes
  Scrape(*exporter);
  const auto samples = Scrape(*exporter);
  INFO(sent.load() << " requests, " << lost << " lines lost between copy and truncate");
  CHECK(not_502.load() == 0);
  CHECK(sent.load() > 50);
  CHECK(Failures(samples, "refused") == sent.load() - static_cast<double>(lost));
  CHECK(FindValue(samples, "onlyoffice_documentserver_log_rotations_total", {{"log", "nginx"}}) ==
        2);
  CHECK(FindValue(samples, "onlyoffice_documentserver_log_truncations_total", {{"log", "nginx"}}) ==
        2);
}

}  // namespace ooe
