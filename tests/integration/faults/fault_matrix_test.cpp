// The fault matrix (issue 8): every collector against each way a backend fails (refused, silent,
// slow, 5xx, malformed, truncated, oversized, authentication), with the other three collectors
// on healthy real servers. Each cell runs the real exporter binary and checks that /metrics
// answers within the deadline plus 1 s, that the faulty collector alone reports success 0 with
// a clear error, and that the exporter lives on and exits cleanly (under the asan preset:
// without a leak report). Real servers give every fault they can give on demand; a
// misbehaving TCP peer gives the others. The matrix is printed at the end.
#include <catch2/catch.hpp>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collectors/http/client.h"
#include "collectors/redis/client.h"
#include "tests/support/docker_engine.h"
#include "tests/support/documentserver.h"
#include "tests/support/misbehaving_peer.h"
#include "tests/support/rabbitmq_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/scrape.h"
#include "tests/support/silent_peer.h"

namespace ooe {
namespace {

using test::FindValue;
using test::HttpReply;
using test::MisbehavingPeer;
using test::PeerBehaviour;

// Prometheus' scrape timeout in every cell; the exporter takes its 0.5 s offset off it.
constexpr double kScrapeTimeoutSeconds = 2.0;
constexpr double kDeadlineSeconds = kScrapeTimeoutSeconds - 0.5;
// Longer than the deadline: the slow peer is still sending when the collector gives up.
constexpr std::chrono::milliseconds kSlowSpread{4000};

const std::vector<std::string> kKinds = {"redis", "rabbitmq", "docker", "documentserver"};

std::string Port(int port) { return std::to_string(port); }

std::string Local(int port) { return "127.0.0.1:" + Port(port); }

// Redis' reply to INFO: a RESP bulk string.
std::string RespBulk(const std::string& text) {
  return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n";
}

std::string Fixture(const std::string& path) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/" + path);
}

std::string SharedFixture(const std::string& path) {
  return test::ReadFile(std::string(OOE_SHARED_FIXTURES_DIR) + "/" + path);
}

// A body of `size` bytes that starts like the JSON it is not.
std::string Oversized(size_t size) {
  std::string body = "{\"padding\":\"";
  body.append(size, 'x');
  return body + "\"}";
}

// The err="..." of the exporter's last `collector failed` line for `kind`; empty when none.
std::string LoggedError(const std::string& log, const std::string& kind) {
  const std::string marker = "msg=\"collector failed\" collector=" + kind + " ";
  const auto line_start = log.rfind(marker);
  if (line_start == std::string::npos) return "";
  const auto line_end = log.find('\n', line_start);
  const std::string line = log.substr(line_start, line_end - line_start);
  const auto at = line.find("err=\"");
  if (at == std::string::npos) return "";
  std::string error;
  for (size_t i = at + 5; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    error.push_back(line[i]);
  }
  return error;
}

// The healthy real servers, one set for the whole binary.
struct HealthyStack {
  test::RedisServer redis;
  test::RabbitmqServer& rabbitmq = test::RabbitmqServer::Shared();
  test::ContainerEngine& engine =
      test::ContainerEngine::Shared(test::ContainerEngine::Kind::kDocker);
  test::DocServiceStandin standin;
  test::DocumentServerNginx nginx{standin.Port()};

  // Each kind's healthy target, in the config file's flow style.
  std::string Target(const std::string& kind) const {
    if (kind == "redis") return "{name: redis, address: " + redis.Address() + "}";
    if (kind == "rabbitmq") return "{name: rabbitmq, url: " + rabbitmq.ManagementUrl() + "}";
    if (kind == "docker") return "{name: docker, host: '" + engine.Host() + "'}";
    return "{name: documentserver, url: " + nginx.Url() + ", docservice_url: " + standin.Url() +
           "}";
  }
};

HealthyStack& Healthy() {
  static HealthyStack stack;
  return stack;
}

struct Cell {
  std::string kind;
  std::string fault;
  std::string how;  // what produced the fault, for the printed matrix
  double seconds = 0;
  std::string error;
  bool passed = false;
};

std::vector<Cell>& Matrix() {
  static std::vector<Cell> matrix;
  return matrix;
}

// A fault: what to start (servers, peers, files), kept alive through the cell, and the faulty
// collector's target; `words` must all appear in its error.
struct Fault {
  std::string fault;
  std::string how;
  std::function<std::string(std::vector<std::shared_ptr<void>>& keep, const test::TempDir& dir)>
      target;
  std::vector<std::string> words;
};

template <typename T, typename... Arguments>
T& Keep(std::vector<std::shared_ptr<void>>& keep, Arguments&&... arguments) {
  auto object = std::make_shared<T>(std::forward<Arguments>(arguments)...);
  keep.push_back(object);
  return *object;
}

// Runs one cell; returns its index in Matrix() and the exporter's stop (status, log).
std::pair<size_t, std::future<std::pair<int, std::string>>> RunCell(const std::string& kind,
                                                                    const Fault& fault) {
  std::future<std::pair<int, std::string>> stopping;
  INFO("cell: " << kind << " x " << fault.fault << " (" << fault.how << ")");
  Cell cell;
  cell.kind = kind;
  cell.fault = fault.fault;
  cell.how = fault.how;
  bool ok = true;
  const auto check = [&](bool condition, const std::string& what) {
    if (!condition) {
      ok = false;
      FAIL_CHECK(kind << " x " << fault.fault << ": " << what);
    }
  };
  try {
    test::TempDir dir;
    std::vector<std::shared_ptr<void>> keep;
    std::string config = "collectors:\n";
    for (const auto& each : kKinds) {
      config += "  " + each + ":\n    targets:\n      - " +
                (each == kind ? fault.target(keep, dir) : Healthy().Target(each)) + "\n";
    }
    test::WriteFile(dir / "config.yml", config);
    auto exporter = std::make_unique<test::ExporterProcess>(
        std::vector<std::string>{"--config.file=" + (dir / "config.yml").string()},
        std::vector<std::string>{"FAULT_PASSWORD=wrong-password"});
    const auto started = Clock::now();
    const auto scrape = exporter->Get("/metrics", {"X-Prometheus-Scrape-Timeout-Seconds: " +
                                                   std::to_string(kScrapeTimeoutSeconds)});
    cell.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    check(scrape.status == 200,
          "/metrics answered " + std::to_string(scrape.status) + " " + scrape.error);
    check(cell.seconds < kDeadlineSeconds + 1.0,
          "/metrics took " + std::to_string(cell.seconds) + " s");
    const auto samples = test::ParseExposition(scrape.body);
    for (const auto& each : kKinds) {
      const auto success =
          FindValue(samples, "onlyoffice_exporter_collector_success", {{"collector", each}});
      const double expected = each == kind ? 0 : 1;
      check(success == expected, each + " success is " +
                                     (success ? std::to_string(*success) : "missing") +
                                     ", expected " + std::to_string(expected));
    }
    // The error is logged by the time the scrape answers; give the log a moment to reach disk.
    for (int i = 0; i < 50 && cell.error.empty(); ++i) {
      cell.error = LoggedError(exporter->Log(), kind);
      if (cell.error.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    check(!cell.error.empty(),
          "no 'collector failed' line for " + kind + " in the log:\n" + exporter->Log());
    for (const auto& word : fault.words) {
      check(cell.error.find(word) != std::string::npos,
            "the error '" + cell.error + "' does not say '" + word + "'");
    }
    for (const auto& each : kKinds) {
      if (each != kind) {
        check(LoggedError(exporter->Log(), each).empty(),
              "healthy " + each + " logged a failure: " + LoggedError(exporter->Log(), each));
      }
    }
    check(exporter->GetProcess().Running(), "the exporter died:\n" + exporter->Log());
    // Stopping takes the exporter about 1 s: the next cells run meanwhile.
    stopping = std::async(std::launch::async, [exporter = std::move(exporter)] {
      const int status = exporter->GetProcess().Stop();
      return std::make_pair(status, exporter->Log());
    });
  } catch (const std::exception& error) {
    check(false, std::string("exception: ") + error.what());
  }
  cell.passed = ok;
  Matrix().push_back(std::move(cell));
  return {Matrix().size() - 1, std::move(stopping)};
}

// Every cell of `kind`; then each exporter must have exited with status 0 and, under the asan
// preset, without a sanitizer report (LeakSanitizer runs at exit).
void RunCells(const std::string& kind, const std::vector<Fault>& faults) {
  std::vector<std::pair<size_t, std::future<std::pair<int, std::string>>>> stops;
  stops.reserve(faults.size());
  for (const auto& fault : faults) stops.push_back(RunCell(kind, fault));
  for (auto& [index, stopping] : stops) {
    if (!stopping.valid()) continue;
    Cell& cell = Matrix()[index];
    const auto [status, log] = stopping.get();
    const bool clean = status == 0 && log.find("Sanitizer") == std::string::npos &&
                       log.find("runtime error") == std::string::npos;
    if (!clean) {
      cell.passed = false;
      FAIL_CHECK(cell.kind << " x " << cell.fault << ": the exporter exited with " << status
                           << ":\n"
                           << log);
    }
  }
}

void PrintMatrix() {
  std::printf(
      "\nFault matrix: /metrics with X-Prometheus-Scrape-Timeout-Seconds: %.1f (deadline "
      "%.1f s, bound %.1f s)\n",
      kScrapeTimeoutSeconds, kDeadlineSeconds, kDeadlineSeconds + 1.0);
  std::printf("%-15s %-11s %-6s %-4s %-44s %s\n", "collector", "fault", "secs", "ok",
              "fault source", "error (as logged)");
  for (const auto& cell : Matrix()) {
    std::printf("%-15s %-11s %-6.2f %-4s %-44s %s\n", cell.kind.c_str(), cell.fault.c_str(),
                cell.seconds, cell.passed ? "ok" : "FAIL", cell.how.c_str(), cell.error.c_str());
  }
  std::fflush(stdout);
}

// A target on a port nobody listens on.
std::string RefusedPort() { return Local(test::FreePort()); }

}  // namespace

TEST_CASE("fault matrix: redis") {
  const std::string info = Fixture("redis/info-all-7.0-master.txt");
  const std::string oversized(redis::kMaxReplyBytes + 1, 'x');
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

}  // namespace ooe

namespace ooe {
namespace {

// A misbehaving peer as the faulty target; `target` turns its URL into the target's YAML.
Fault PeerFault(std::string fault, std::string how, PeerBehaviour behaviour,
                std::function<std::string(const std::string& url)> target,
                std::vector<std::string> words) {
  return {std::move(fault), std::move(how),
          [behaviour = std::move(behaviour), target = std::move(target)](
              std::vector<std::shared_ptr<void>>& keep, const test::TempDir&) {
            return target(Keep<MisbehavingPeer>(keep, behaviour).Url());
          },
          std::move(words)};
}

Fault SilentFault(std::function<std::string(const std::string& url)> target,
                  std::vector<std::string> words) {
  return {
      "silent", "peer accepts, never answers",
      [target = std::move(target)](std::vector<std::shared_ptr<void>>& keep, const test::TempDir&) {
        return target("http://" + Local(Keep<test::SilentPeer>(keep).Port()));
      },
      std::move(words)};
}

Fault RefusedFault(std::function<std::string(const std::string& url)> target) {
  return {"refused",
          "nothing listens on the port",
          [target = std::move(target)](std::vector<std::shared_ptr<void>>&, const test::TempDir&) {
            return target("http://" + RefusedPort());
          },
          {"Connection refused"}};
}

PeerBehaviour Cut(const std::string& reply, size_t body_bytes) {
  return {.reply = reply, .cut_after = test::HttpHeadSize(reply) + body_bytes};
}

}  // namespace

TEST_CASE("fault matrix: rabbitmq") {
  const auto target = [](const std::string& url) { return "{name: rabbitmq, url: '" + url + "'}"; };
  const std::string overview = HttpReply(200, "OK", Fixture("rabbitmq/overview-3.10.json"));
  const std::vector<Fault> faults = {
      RefusedFault(target),
      SilentFault(target, {"/api/", "before the deadline"}),
      PeerFault("slow", "peer trickles /api/overview over 4 s",
                {.reply = overview, .spread = kSlowSpread}, target,
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
       {"CommandService", "rejects the exporter's token"}},
  };
  RunCells("documentserver", faults);
}

TEST_CASE("fault matrix: every cell passed (printed)") {
  PrintMatrix();
  CHECK(Matrix().size() == kKinds.size() * 8);
  for (const auto& cell : Matrix()) {
    INFO(cell.kind << " x " << cell.fault);
    CHECK(cell.passed);
  }
}

}  // namespace ooe
