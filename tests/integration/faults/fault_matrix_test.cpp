// The fault matrix (issue 8): every collector against each way a backend fails (refused, silent,
// slow, one byte a second, 5xx, malformed, truncated, oversized, authentication), with the other
// collectors on healthy real servers. Each cell runs the real exporter binary and checks
// that /metrics answers within the deadline plus 1 s, that the faulty collector alone reports
// success 0 with a clear error of its own (its timeout fires inside the deadline), that its
// verdict series (redis_up ...) is in the scrape at 0, and that the exporter lives on and exits
// cleanly (under the asan preset: without a leak report). Real servers give every fault they can
// give on demand; a misbehaving TCP peer gives the others. The matrix is printed at the end.
#include "tests/integration/faults/fault_matrix.h"

#include <catch2/catch.hpp>

#include "collectors/http/client.h"
#include "collectors/redis/kind.h"
#include "tests/support/silent_peer.h"

namespace ooe::faults {

using test::HttpReply;
using test::MisbehavingPeer;
using test::PeerBehaviour;

TEST_CASE("fault matrix: redis") {
  const std::string info = Fixture("redis/info-all-7.0-master.txt");
  const std::string oversized(redis::Kind().defaults.max_body_bytes + 1, 'x');
  const auto peer = [](const PeerBehaviour& behaviour) {
    return [behaviour](std::vector<std::shared_ptr<void>>& keep, const test::TempDir&) {
      return "{name: redis, address: 'redis://" +
             Local(Keep<MisbehavingPeer>(keep, behaviour).Port()) + "'}";
    };
  };
  const std::vector<Fault> faults = {
      {"refused",
       "nothing listens on the port",
       [](auto&, const auto&) { return "{name: redis, address: 'redis://" + RefusedPort() + "'}"; },
       {"Connection refused"}},
      {"silent",
       "peer accepts, never answers",
       [](auto& keep, const auto&) {
         auto& silent = Keep<test::SilentPeer>(keep);
         return "{name: redis, address: 'redis://" + Local(silent.Port()) + "'}";
       },
       {"INFO", "deadline"}},
      {"slow",
       "peer trickles INFO over 4 s",
       peer({.reply = RespBulk(info), .spread = kSlowSpread}),
       {"INFO", "deadline"}},
      {"trickle",
       "peer answers one byte a second",
       peer(Trickle(RespBulk(info))),
       {"INFO", "deadline"}},
      {"5xx",
       "-LOADING error reply (no HTTP)",
       peer({.reply = "-LOADING Redis is loading the dataset in memory\r\n"}),
       {"INFO", "LOADING"}},
      {"malformed",
       "peer: not RESP",
       peer({.reply = "HTTP/1.1 400 Bad Request\r\n\r\n"}),
       {"INFO", "rotocol error"}},
      {"truncated",
       "peer closes mid-bulk",
       peer({.reply = RespBulk(info), .cut_after = 1000}),
       {"INFO", "closed"}},
      {"oversized",
       "peer: 16 MiB + 1 bulk",
       peer({.reply = RespBulk(oversized)}),
       {"INFO", "larger than the limit"}},
      {"auth",
       "real redis-server --requirepass, wrong one",
       [](auto& keep, const auto&) {
         auto& redis =
             Keep<test::RedisServer>(keep, std::vector<std::string>{"--requirepass", "right"});
         return "{name: redis, address: " + redis.Address() + ", password_env: FAULT_PASSWORD}";
       },
       {"AUTH", "WRONGPASS"}},
  };
  RunCells("redis", faults);
}

TEST_CASE("fault matrix: rabbitmq") {
  const auto target = [](const std::string& url) { return "{name: rabbitmq, url: '" + url + "'}"; };
  const std::string overview = HttpReply(200, "OK", Fixture("rabbitmq/overview-3.10.json"));
  const std::vector<Fault> faults = {
      RefusedFault(target),
      SilentFault(target, {"/api/", "before the deadline"}),
      PeerFault("slow", "peer trickles /api/overview over 4 s",
                {.reply = overview, .spread = kSlowSpread}, target,
                {"/api/", "before the deadline"}),
      PeerFault("trickle", "peer answers one byte a second", Trickle(overview), target,
                {"/api/", "before the deadline"}),
      PeerFault("5xx", "peer: HTTP 500 as the management API",
                {.reply = HttpReply(500, "Internal Server Error",
                                    R"({"error":"Internal Server Error","reason":"timeout"})")},
                target, {"/api/", "HTTP 500"}),
      PeerFault("malformed", "peer: HTML instead of JSON",
                {.reply = HttpReply(200, "OK", "<html><body>Welcome to nginx!</body></html>",
                                    "text/html")},
                target, {"/api/", "not valid JSON"}),
      PeerFault("truncated", "peer closes after 100 body bytes", Cut(overview, 100), target,
                {"/api/overview", "reply cut short"}),
      PeerFault("oversized", "peer: 16 MiB + 1 body (the default limit)",
                {.reply = HttpReply(200, "OK", Oversized(kDefaultMaxBodyBytes))}, target,
                {"/api/", "larger than the limit"}),
      {"auth",
       "real RabbitMQ, wrong password",
       [](auto&, const auto&) {
         return "{name: rabbitmq, url: " + Healthy().rabbitmq.ManagementUrl() +
                ", username: guest, password_env: FAULT_PASSWORD}";
       },
       {"HTTP 401", "password"}},
  };
  RunCells("rabbitmq", faults);
}

// The same target reading its queue counts from rabbitmq_prometheus only (source: prometheus):
// the management API is the healthy real node, the plugin's port the faulty peer. (With the
// default source, auto, a plugin that fails is left for the management API: no error.)
TEST_CASE("fault matrix: rabbitmq_prometheus") {
  const auto target = [](const std::string& url) {
    return "{name: rabbitmq, url: " + Healthy().rabbitmq.ManagementUrl() +
           ", source: prometheus, prometheus_url: '" + url + "'}";
  };
  const std::string detailed =
      HttpReply(200, "OK", Fixture("rabbitmq/detailed-queues-3.10.txt"), "text/plain");
  std::vector<Fault> faults = {
      RefusedFault(target),
      SilentFault(target, {"/metrics/detailed", "before the deadline"}),
      PeerFault("slow", "plugin peer trickles /metrics/detailed over 4 s",
                {.reply = detailed, .spread = kSlowSpread}, target,
                {"/metrics/detailed", "before the deadline"}),
      PeerFault("trickle", "plugin peer answers one byte a second", Trickle(detailed), target,
                {"/metrics/detailed", "before the deadline"}),
      PeerFault("5xx", "plugin peer: HTTP 503",
                {.reply = HttpReply(503, "Service Unavailable", "")}, target,
                {"/metrics/detailed", "HTTP 503"}),
      PeerFault("malformed", "plugin peer: HTML instead of the text format",
                {.reply = HttpReply(200, "OK", "<html><body>Welcome to nginx!</body></html>",
                                    "text/html")},
                target, {"/metrics/detailed", "not a metric sample"}),
      PeerFault("truncated", "plugin peer closes after 1,000 body bytes", Cut(detailed, 1000),
                target, {"/metrics/detailed", "reply cut short"}),
      PeerFault("oversized", "plugin peer: 16 MiB + 1 body (the default limit)",
                {.reply = HttpReply(200, "OK", Oversized(kDefaultMaxBodyBytes))}, target,
                {"/metrics/detailed", "larger than the limit"}),
      PeerFault("wrong peer", "another exporter on the plugin's port",
                {.reply = HttpReply(200, "OK", "# TYPE up gauge\nup 1\n", "text/plain")}, target,
                {"/metrics/detailed", "not rabbitmq_prometheus"}),
  };
  for (auto& fault : faults) fault.fault = "plugin " + fault.fault;
  RunCells("rabbitmq", faults);
}

TEST_CASE("fault matrix: docker") {
  const auto target = [](const std::string& url) {
    return "{name: docker, host: 'tcp://" + url.substr(7) + "'}";
  };
  const std::string version =
      HttpReply(200, "OK", SharedFixture("docker/docker-20.10-cgroupv1/version.json"));
  // What Tecnativa's docker-socket-proxy (HAProxy) answers a request it does not allow.
  const std::string forbidden =
      HttpReply(403, "Forbidden",
                "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
                "</body></html>\n",
                "text/html");
  const std::vector<Fault> faults = {
      RefusedFault(target),
      SilentFault(target, {"/version", "before the deadline"}),
      PeerFault("slow", "peer trickles /version over 4 s",
                {.reply = version, .spread = kSlowSpread}, target,
                {"/version", "before the deadline"}),
      PeerFault("trickle", "peer answers one byte a second", Trickle(version), target,
                {"/version", "before the deadline"}),
      PeerFault("5xx", "peer: HTTP 500 as the Engine API",
                {.reply = HttpReply(500, "Internal Server Error",
                                    R"({"message":"error during connect: EOF"})")},
                target, {"/version", "HTTP 500", "error during connect"}),
      PeerFault("malformed", "peer: HTML instead of JSON",
                {.reply = HttpReply(200, "OK", "<html><body>It works!</body></html>", "text/html")},
                target, {"/version", "not valid JSON"}),
      PeerFault("truncated", "peer closes after 100 body bytes", Cut(version, 100), target,
                {"/version", "reply cut short"}),
      PeerFault("oversized", "peer: 4 MiB + 1 body (the default limit)",
                {.reply = HttpReply(200, "OK", Oversized(size_t{4} << 20))}, target,
                {"/version", "larger than the limit", "max_body_size"}),
      PeerFault("auth", "peer: a docker-socket-proxy's 403", {.reply = forbidden}, target,
                {"/version", "HTTP 403", "socket proxy"}),
  };
  RunCells("docker", faults);
}

TEST_CASE("fault matrix: documentserver") {
  const auto target = [](const std::string& url) {
    return "{name: documentserver, url: '" + url + "'}";
  };
  const std::string healthcheck = HttpReply(200, "OK", "true", "text/plain");
  const std::vector<Fault> faults = {
      RefusedFault(target),
      SilentFault(target, {"/healthcheck", "before the deadline"}),
      {"slow",
       "real nginx, stand-in answering after 4 s",
       [](auto& keep, const auto&) {
         auto& standin = Keep<test::DocServiceStandin>(keep);
         standin.SetMode("slow:4000");
         auto& nginx = Keep<test::DocumentServerNginx>(keep, standin.Port());
         return "{name: documentserver, url: " + nginx.Url() + "}";
       },
       {"/healthcheck", "before the deadline"}},
      PeerFault("trickle", "peer answers one byte a second", Trickle(healthcheck), target,
                {"/healthcheck", "before the deadline"}),
      {"5xx",
       "real nginx 502, stand-in stopped",
       [](auto& keep, const auto&) {
         auto& standin = Keep<test::DocServiceStandin>(keep);
         standin.Stop();
         auto& nginx = Keep<test::DocumentServerNginx>(keep, standin.Port());
         return "{name: documentserver, url: " + nginx.Url() + "}";
       },
       {"/healthcheck", "HTTP 502", "docservice down"}},
      PeerFault("malformed", "peer: HTML as /healthcheck and commands",
                {.reply = HttpReply(200, "OK", "<html><body>It works!</body></html>", "text/html")},
                target, {"/healthcheck", "neither true nor false"}),
      PeerFault("truncated", "peer closes after 2 of 4 body bytes", Cut(healthcheck, 2), target,
                {"/healthcheck", "reply cut short"}),
      PeerFault("oversized", "peer: 1 MiB + 1 body (the default limit)",
                {.reply = HttpReply(200, "OK", Oversized(size_t{1} << 20), "text/plain")}, target,
                {"/healthcheck", "larger than the limit"}),
      {"auth",
       "real nginx + stand-in with JWT, wrong secret",
       [](auto& keep, const auto&) {
         auto& standin = Keep<test::DocServiceStandin>(keep, "docservice-9.4.0", "right-secret");
         auto& nginx = Keep<test::DocumentServerNginx>(keep, standin.Port());
         return "{name: documentserver, url: " + nginx.Url() + ", jwt_secret_env: FAULT_PASSWORD}";
       },
       {"CommandService", "rejects the exporter's token"},
       1},  // Document Server itself is fine: only the exporter's secret is wrong
  };
  RunCells("documentserver", faults);
}

// nginx with a stub_status location that refuses everyone: a real 403.
constexpr const char* kDeniedStubStatus = R"(@USER@
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
)";

TEST_CASE("fault matrix: nginx") {
  const auto target = [](const std::string& url) {
    return "{name: nginx, status_url: '" + url + "/stub_status'}";
  };
  const std::string page =
      HttpReply(200, "OK", Fixture("nginx/stub_status-1.22.1.txt"), "text/plain");
  const std::vector<Fault> faults = {
      RefusedFault(target),
      SilentFault(target, {"/stub_status", "before the deadline"}),
      PeerFault("slow", "peer trickles stub_status over 4 s",
                {.reply = page, .spread = kSlowSpread}, target,
                {"/stub_status", "before the deadline"}),
      PeerFault("trickle", "peer answers one byte a second", Trickle(page), target,
                {"/stub_status", "before the deadline"}),
      {"5xx",
       "real nginx 502: its upstream is gone",
       [](auto& keep, const auto&) {
         auto& nginx = Keep<test::DocumentServerNginx>(keep, test::FreePort());
         return "{name: nginx, status_url: '" + nginx.Url() + "/nginx_status'}";
       },
       {"/nginx_status", "HTTP 502"}},
      {"malformed",
       "real nginx: /healthcheck is not a stub_status page",
       [](auto&, const auto&) {
         return "{name: nginx, status_url: '" + Healthy().nginx.Url() + "/healthcheck'}";
       },
       {"/healthcheck", "is this nginx's stub_status location?"}},
      PeerFault("truncated", "peer closes after 20 body bytes", Cut(page, 20), target,
                {"/stub_status", "reply cut short"}),
      PeerFault("oversized", "peer: 64 KiB + 1 body (the default limit)",
                {.reply = HttpReply(200, "OK", Oversized(size_t{64} << 10), "text/plain")}, target,
                {"/stub_status", "larger than the limit"}),
      {"auth",
       "real nginx: stub_status with deny all (403)",
       [](auto& keep, const auto&) {
         auto& nginx = Keep<test::Nginx>(keep, kDeniedStubStatus, false);
         return "{name: nginx, status_url: '" + nginx.Url() + "/stub_status'}";
       },
       {"HTTP 403", "does not allow the exporter's address"}},
  };
  RunCells("nginx", faults);
}

TEST_CASE("fault matrix: postgres") {
  // libpq opens with an SSLRequest (sslmode prefer): 'N' is a server without TLS, then an
  // AuthenticationOk message (R, length 8, code 0).
  const std::string startup = std::string("NR\0\0\0\x08\0\0\0\0", 10);
  // Without TLS (sslmode=disable) the start-up is one request; its answer, AuthenticationOk and
  // ParameterStatus messages, valid all the way, trickles for longer than the deadline.
  std::string parameters = std::string("R\0\0\0\x08\0\0\0\0", 9);
  for (int i = 0; i < 12; ++i) {
    const std::string body = "application_name" + std::string(1, '\0') + "x" + std::string(1, '\0');
    parameters += 'S';
    parameters += std::string({'\0', '\0', '\0', static_cast<char>(body.size() + 4)});
    parameters += body;
  }
  const auto peer = [](const PeerBehaviour& behaviour) {
    return [behaviour](std::vector<std::shared_ptr<void>>& keep, const test::TempDir&) {
      return "{name: postgres, dsn: 'host=127.0.0.1 port=" +
             std::to_string(Keep<MisbehavingPeer>(keep, behaviour).Port()) + " user=postgres'}";
    };
  };
  const std::vector<Fault> faults = {
      {"refused",
       "nothing listens on the port",
       [](auto&, const auto&) {
         const auto address = RefusedPort();
         return "{name: postgres, dsn: 'host=127.0.0.1 port=" +
                address.substr(address.find(':') + 1) + "'}";
       },
       {"connect", "Connection refused"}},
      {"silent",
       "peer accepts, never answers",
       [](auto& keep, const auto&) {
         auto& silent = Keep<test::SilentPeer>(keep);
         return "{name: postgres, dsn: 'host=127.0.0.1 port=" + std::to_string(silent.Port()) +
                "'}";
       },
       {"connect", "no answer before the deadline"}},
      {"slow",
       "real PostgreSQL, every process stopped (SIGSTOP)",
       [](auto& keep, const auto&) {
         auto& server = Keep<test::PostgresServer>(keep);
         server.Pause();
         return "{name: postgres, dsn: '" + server.Dsn() + "'}";
       },
       {"connect", "no answer before the deadline"}},
      {"trickle",
       "peer trickles a valid start-up answer (sslmode=disable)",
       [parameters](std::vector<std::shared_ptr<void>>& keep, const test::TempDir&) {
         auto& trickling = Keep<MisbehavingPeer>(keep, Trickle(parameters));
         return "{name: postgres, dsn: 'host=127.0.0.1 port=" + std::to_string(trickling.Port()) +
                " user=postgres sslmode=disable'}";
       },
       {"connect", "no answer before the deadline"}},
      {"5xx",
       "real PostgreSQL: FATAL, the database does not exist",
       [](auto&, const auto&) {
         return "{name: postgres, dsn: '" + Healthy().postgres.Dsn("postgres", "missing") + "'}";
       },
       {"connect", "database \"missing\" does not exist"}},
      {"malformed",
       "peer: not PostgreSQL's protocol",
       peer({.reply = "HTTP/1.1 400 Bad Request\r\n\r\n"}),
       {"connect", "invalid response to SSL negotiation", "is this PostgreSQL's port?"}},
      {"truncated",
       "peer closes inside AuthenticationOk",
       peer({.reply = startup, .cut_after = 4}),
       {"connect", "closed the connection unexpectedly"}},
      {"oversized",
       "real PostgreSQL, max_body_size 64 (the server row is longer)",
       [](auto&, const auto&) {
         return "{name: postgres, dsn: '" + Healthy().postgres.Dsn() + "', max_body_size: 64}";
       },
       {"server state", "larger than max_body_size"}},
      {"auth",
       "real PostgreSQL, a role with another password",
       [](auto&, const auto&) {
         Healthy().postgres.Psql(
             "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fault') THEN"
             " CREATE ROLE fault LOGIN PASSWORD 'right'; END IF; END$$");
         return "{name: postgres, dsn: '" + Healthy().postgres.Dsn("fault") +
                "', password_env: FAULT_PASSWORD}";
       },
       {"connect", "password authentication failed for user \"fault\""}},
  };
  RunCells("postgres", faults);
}

TEST_CASE("fault matrix: every cell passed (printed)") {
  const auto [cells, failed] = PrintMatrix();
  // Nine faults a kind, and nine more of RabbitMQ's plugin endpoint.
  CHECK(cells == kKinds.size() * 9 + 9);
  CHECK(failed == 0);
}

}  // namespace ooe::faults
