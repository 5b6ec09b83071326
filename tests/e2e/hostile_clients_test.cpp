// The web front against clients anything that reaches the port can be: hundreds that trickle
// their headers or stall a TLS handshake, a thousand connections opened and dropped, oversized
// headers, bodies, no password. Each test runs plain and with TLS, and prints what it measured
// (README, Hardening). The release preset runs them too (as "hardening: hostile clients"),
// with memory budgets of an exporter without sanitizers. OOE_EXPORTER_UNDER_TEST runs them on
// another build of the binary.
#include "tests/support/hostile_clients.h"

#include <crypt.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>

#include "collectors/http/client.h"
#include "tests/support/scrape.h"
#include "tests/support/silent_peer.h"

namespace ooe {
namespace {

using std::chrono::milliseconds;

// What the issue asks of every answer while the port is under attack.
constexpr double kAnswerSeconds = 2.0;
// exporter/web.cpp's worker pool: at most that many connections are the exporter's at once
// (the others wait in the kernel's accept queue), which bounds its memory.
constexpr int kWorkerThreads = 512;

// Resident memory allowed per connection held or per worker warmed by use: about three times
// what a debug build measured (README, Hardening). ASan's redzones and allocation records
// make every allocation larger, so a sanitized exporter gets budgets of its own (and runs
// without ASan's quarantine, which would otherwise keep every freed block resident).
struct MemoryBudget {
  long plain_kib;
  long tls_kib;
  long second_batch_kib;  // what 400 oversized requests may add once the workers are warm
  long PerConnectionKib(bool tls) const { return tls ? tls_kib : plain_kib; }
};
#if defined(OOE_SANITIZED)
constexpr MemoryBudget kMemory{256, 1'024, 8'192};
#else
constexpr MemoryBudget kMemory{96, 256, 2'048};
#endif

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string BcryptHash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  REQUIRE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof salt) != nullptr);
  crypt_data scratch{};
  return crypt_r(password.c_str(), salt, &scratch);
}

// The exporter on a free port, with TLS and basic auth when asked.
class Exporter {
 public:
  Exporter(bool tls, std::vector<std::string> flags, const std::string& password = "")
      : tls_(tls), port_(test::FreePort()) {
    std::string web_config;
    if (tls) {
      cert_ = (dir_ / "server.pem").string();
      int exit_code = -1;
      test::RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        (dir_ / "server-key.pem").string(), "-out", cert_, "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
                       &exit_code);
      REQUIRE(exit_code == 0);
      web_config += "tls_server_config:\n  cert_file: " + cert_ +
                    "\n  key_file: " + (dir_ / "server-key.pem").string() + "\n";
    }
    if (!password.empty()) {
      web_config += "basic_auth_users:\n  prometheus: " + BcryptHash(password) + "\n";
    }
    if (!web_config.empty()) {
      test::WriteFile(dir_ / "web.yml", web_config);
      flags.push_back("--web.config.file=" + (dir_ / "web.yml").string());
    }
    const char* binary = std::getenv("OOE_EXPORTER_UNDER_TEST");
    std::vector<std::string> argv = {binary != nullptr ? binary : OOE_EXPORTER_BINARY,
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const auto environment = test::MemoryMeasuredEnvironment();
    process_ = std::make_unique<test::Process>(argv, (dir_ / "exporter.log").string(), environment);
    REQUIRE(test::WaitForPort(port_, milliseconds(10'000)));
  }

  int Port() const { return port_; }
  bool Tls() const { return tls_; }
  test::Process& GetProcess() { return *process_; }
  int Pid() const { return process_->Pid(); }
  std::string Log() const { return test::ReadFile(dir_ / "exporter.log"); }

  struct Answer {
    long status = 0;
    double seconds = 0;
    std::string body;
    std::string error;
  };
  // One request on a connection of its own, as Prometheus makes when keep-alive has lapsed.
  Answer Ask(const std::string& path, const std::string& user = "",
             const std::string& password = "") const {
    HttpClient client;
    HttpRequest request;
    request.url =
        (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_) + path;
    request.headers = {"X-Prometheus-Scrape-Timeout-Seconds: 2"};
    request.tls.ca_file = cert_;
    request.username = user;
    request.password = password;
    const auto started = Clock::now();
    const auto response = client.Perform(request, started + milliseconds(10'000));
    return {response.status, SecondsSince(started), response.body,
            response.Ok() ? std::string() : response.error.ToString()};
  }

 private:
  test::TempDir dir_;
  bool tls_;
  int port_;
  std::string cert_;
  std::unique_ptr<test::Process> process_;
};

const char* Transport(bool tls) { return tls ? "TLS" : "plain"; }

// 300 clients trickle their headers, one byte every 2 s (with TLS, 100 more stall in the
// handshake), for longer than the header deadline, so the test also sees them cut and back.
void SurviveTricklers(bool tls) {
  test::RaiseFileLimit();
  Exporter exporter(tls, {"--no-collector.docker"});
  REQUIRE(exporter.Ask("/metrics").status == 200);  // the first scrape, and TLS, loaded
  const long idle_kib = test::ResidentKib(exporter.Pid());

  constexpr int kTricklers = 300;
  constexpr int kStallers = 50;  // of each kind, with TLS
  const int held_expected = kTricklers + (tls ? 2 * kStallers : 0);
  test::SlowClients tricklers(
      exporter.Port(), kTricklers,
      tls ? test::SlowClientKind::kTrickleTlsHeaders : test::SlowClientKind::kTrickleHeaders);
  std::unique_ptr<test::SlowClients> hello_tricklers;
  std::unique_ptr<test::SlowClients> silent_handshakes;
  if (tls) {
    hello_tricklers = std::make_unique<test::SlowClients>(
        exporter.Port(), kStallers, test::SlowClientKind::kTrickleClientHello);
    silent_handshakes = std::make_unique<test::SlowClients>(
        exporter.Port(), kStallers, test::SlowClientKind::kStopAfterClientHello);
  }
  CHECK(tricklers.WaitHolding(kTricklers, milliseconds(20'000)));
  // The exporter holds them (not only the kernel's accept queue).
  const auto connected_by = Clock::now() + milliseconds(10'000);
  int held = 0;
  while ((held = test::OpenSockets(exporter.Pid())) < held_expected &&
         Clock::now() < connected_by) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  INFO("sockets the exporter holds: " << held);
  CHECK(held >= held_expected);

  double slowest = 0;
  long peak_kib = 0;
  int answers = 0;
  const auto started = Clock::now();
  while (SecondsSince(started) < 7.0) {
    for (const char* path : {"/metrics", "/-/healthy"}) {
      const auto answer = exporter.Ask(path);
      INFO(path << ": " << answer.error);
      CHECK(answer.status == 200);
      CHECK(answer.seconds <= kAnswerSeconds);
      slowest = std::max(slowest, answer.seconds);
      ++answers;
    }
    peak_kib = std::max(peak_kib, test::ResidentKib(exporter.Pid()));
    std::this_thread::sleep_for(milliseconds(200));
  }
  const int dropped = tricklers.Dropped();

  // SIGTERM with all of them connected.
  const auto stopping = Clock::now();
  exporter.GetProcess().Signal(SIGTERM);
  const int status = exporter.GetProcess().Wait(milliseconds(5'000));
  const double stop_seconds = SecondsSince(stopping);
  std::cout << "hostile clients, " << Transport(tls) << ": " << answers << " answers with " << held
            << " slow connections held, slowest " << slowest << " s; tricklers dropped " << dropped
            << " times; resident " << idle_kib << " KiB idle, " << peak_kib
            << " KiB peak; SIGTERM exit " << status << " in " << stop_seconds << " s\n";
  INFO(exporter.Log());
  CHECK(status == 0);
  CHECK(stop_seconds < 2.0);
  // The header deadline cut every trickler at least once.
  CHECK(dropped >= kTricklers);
  // Bounded by the worker pool: past it, connections wait in the kernel's accept queue.
  CHECK(peak_kib - idle_kib <= held_expected * kMemory.PerConnectionKib(tls));
}

}  // namespace

TEST_CASE("300 clients trickling headers: scrapes and /-/healthy answer within 2 s", "[hostile]") {
  SurviveTricklers(false);
}

TEST_CASE("TLS: 300 clients trickling headers and 100 stalled handshakes: answers within 2 s",
          "[hostile]") {
  SurviveTricklers(true);
}

TEST_CASE("1,000 connections opened and dropped at once, then a scrape is answered in 2 s",
          "[hostile]") {
  test::RaiseFileLimit();
  for (const bool tls : {false, true}) {
    INFO(Transport(tls));
    Exporter exporter(tls, {"--no-collector.docker"});
    REQUIRE(exporter.Ask("/metrics").status == 200);
    for (int round = 0; round < 3; ++round) {
      CHECK(test::OpenAndDrop(exporter.Port(), 1'000) == 1'000);
      const auto answer = exporter.Ask("/metrics");
      std::cout << "flood of 1000, " << Transport(tls) << ": scrape " << answer.status << " in "
                << answer.seconds << " s\n";
      INFO(answer.error);
      CHECK(answer.status == 200);
      CHECK(answer.seconds <= kAnswerSeconds);
    }
  }
}

TEST_CASE("oversized headers and bodies get a 4xx and a closed connection, memory flat",
          "[hostile]") {
  test::RaiseFileLimit();
  for (const bool tls : {false, true}) {
    INFO(Transport(tls));
    Exporter exporter(tls, {"--no-collector.docker"});
    const auto headers = [](size_t bytes) {
      return "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(bytes, 'a') +
             "\r\n\r\n";
    };
    // Headers just under the limit are served: the limit is not below what a client may send.
    CHECK(test::SendRaw(exporter.Port(), tls, headers(15'000)).status == 200);
    struct Case {
      const char* name;
      std::string request;
      size_t body_bytes;
      int status;
    };
    const std::string get = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const std::vector<Case> cases = {
        {"17 KiB of headers", headers(17'000), 0, 400},
        {"1 MiB of headers", headers(1 << 20), 0, 400},
        {"a 10-byte body", get + "Content-Length: 10\r\n\r\n0123456789", 0, 413},
        {"a 1 GiB body, streamed", get + "Content-Length: 1073741824\r\n\r\n", size_t{1} << 30,
         413},
        {"a chunked body", get + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 0, 413},
        {"a POST with a streamed body",
         "POST /metrics HTTP/1.1\r\nContent-Length: 1073741824\r\n\r\n", size_t{1} << 30, 405},
    };
    for (const auto& item : cases) {
      const auto reply = test::SendRaw(exporter.Port(), tls, item.request, item.body_bytes);
      INFO(item.name << ": status " << reply.status << ", body bytes sent " << reply.body_sent);
      CHECK(reply.status == item.status);
      CHECK(reply.closed);
      CHECK(reply.seconds < kAnswerSeconds);
      // The server read no more of a streamed body than the kernel's buffers took.
      CHECK(reply.body_sent < (size_t{32} << 20));
    }
    // Batches of them: the first warms the workers that take them (their stacks and request
    // buffers), long enough for each of the pool's workers to take several, since civetweb
    // hands a connection to the worker that has waited longest; the second must leave resident
    // memory where the first left it.
    const auto batch = [&](int pairs) {
      for (int i = 0; i < pairs; ++i) {
        test::SendRaw(exporter.Port(), tls, headers(256 << 10));
        test::SendRaw(exporter.Port(), tls, get + "Content-Length: 1073741824\r\n\r\n", 256 << 10);
      }
      return test::ResidentKib(exporter.Pid());
    };
    const long idle_kib = test::ResidentKib(exporter.Pid());
    const long first_kib = batch(2 * kWorkerThreads);
    const long second_kib = batch(200);
    std::cout << "oversized requests, " << Transport(tls) << ": resident " << idle_kib
              << " KiB idle, " << first_kib << " KiB after " << 4 * kWorkerThreads << ", "
              << second_kib << " KiB after 400 more\n";
    CHECK(second_kib - idle_kib <= kWorkerThreads * kMemory.PerConnectionKib(tls));
    CHECK(second_kib - first_kib <= kMemory.second_batch_kib);
    const auto answer = exporter.Ask("/metrics");
    CHECK(answer.status == 200);
    CHECK(answer.seconds <= kAnswerSeconds);
    // Under ASan, LeakSanitizer checks the exporter at exit: status 0 means it found no leak.
    CHECK(exporter.GetProcess().Stop() == 0);
  }
}

TEST_CASE("with basic auth, clients without the password cost no collection", "[hostile]") {
  for (const bool tls : {false, true}) {
    INFO(Transport(tls));
    test::SilentPeer backend;  // a Redis that would hold a collection until its deadline
    const std::string password = "scrape-" + std::to_string(test::FreePort());
    Exporter exporter(tls,
                      {"--no-collector.docker",
                       "--redis.addr=redis://127.0.0.1:" + std::to_string(backend.Port())},
                      password);
    for (int i = 0; i < 20; ++i) {
      CHECK(exporter.Ask("/metrics").status == 401);
      CHECK(exporter.Ask("/metrics", "prometheus", "wrong-" + std::to_string(i)).status == 401);
      CHECK(exporter.Ask("/metrics", "someone", password).status == 401);
    }
    CHECK(backend.Accepted() == 0);
    const auto scrape = exporter.Ask("/metrics", "prometheus", password);
    REQUIRE(scrape.status == 200);
    const auto samples = test::ParseExposition(scrape.body);
    // The one authenticated scrape is the only one served and the only collection.
    CHECK(test::FindValue(samples, "onlyoffice_exporter_scrapes_total") == 1);
    CHECK(test::FindValue(samples, "onlyoffice_exporter_collections_total") == 1);
    CHECK(backend.Accepted() == 1);
  }
}

}  // namespace ooe
