// Soak (issue 8): 10,000 scrapes, one after another, of the exporter watching real servers.
// Resident memory after a warm-up of 1,000 scrapes must grow by less than 1 MiB; the exporter
// must exit cleanly, and under the asan preset (OOE_SANITIZED; 2,000 scrapes there)
// LeakSanitizer, on in the exporter, must report nothing when it exits.
#include <catch2/catch.hpp>
#include <cstdio>

#include "collectors/http/client.h"
#include "tests/support/documentserver.h"
#include "tests/support/redis_server.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

// VmRSS of `pid` in KiB.
long ResidentKib(pid_t pid) {
  const auto status = test::ReadFile("/proc/" + std::to_string(pid) + "/status");
  const auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

// How many onlyoffice_exporter_collector_success samples of `exposition` are 1.
int CountSuccessful(const std::string& exposition) {
  static const std::string kSample = "onlyoffice_exporter_collector_success{";
  int successful = 0;
  for (auto at = exposition.find(kSample); at != std::string::npos;
       at = exposition.find(kSample, at + 1)) {
    const auto value = exposition.find("} ", at);
    if (value != std::string::npos && exposition.compare(value, 4, "} 1\n") == 0) ++successful;
  }
  return successful;
}

#ifdef OOE_SANITIZED
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

TEST_CASE("soak: 10,000 scrapes, resident memory flat after warm-up, no leak at exit", "[soak]") {
  // Under ASan a scrape costs three times as much, and LeakSanitizer needs no 10,000 of them.
  constexpr int kScrapes = kSanitized ? 2'000 : 10'000;
  constexpr int kWarmUp = 1'000;
  test::RedisServer redis;
  test::DocServiceStandin standin;
  test::DocumentServerNginx nginx(standin.Port());
  test::TempDir dir;
  test::WriteFile(dir / "config.yml",
                  "collectors:\n  redis:\n    targets:\n      - {address: " + redis.Address() +
                      "}\n  documentserver:\n    targets:\n      - {url: " + nginx.Url() +
                      ", docservice_url: " + standin.Url() + "}\n");
  // LeakSanitizer on, and a leak fails the exit status too, whatever the caller's ASAN_OPTIONS.
  test::ExporterProcess exporter(
      {"--config.file=" + (dir / "config.yml").string(), "--no-collector.docker"},
      {"ASAN_OPTIONS=detect_leaks=1:exitcode=23"});

  HttpClient client;  // one kept-alive connection, as Prometheus scrapes
  HttpRequest request;
  request.url = exporter.Url("/metrics");
  request.headers = {"X-Prometheus-Scrape-Timeout-Seconds: 10"};
  int failed = 0;
  int unsuccessful = 0;
  long warm_kib = 0;
  const auto started = Clock::now();
  auto warm_at = started;
  for (int i = 1; i <= kScrapes; ++i) {
    const auto response = client.Perform(request, Clock::now() + std::chrono::seconds(15));
    if (response.status != 200) {
      ++failed;
    } else if (CountSuccessful(response.body) != 2) {
      ++unsuccessful;
    }
    if (i == kWarmUp) {
      warm_kib = ResidentKib(exporter.GetProcess().Pid());
      warm_at = Clock::now();
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const double measured = std::chrono::duration<double>(Clock::now() - warm_at).count();
  const long end_kib = ResidentKib(exporter.GetProcess().Pid());
  const auto samples = test::ParseExposition(exporter.Get().body);
  for (const std::string kind : {"redis", "documentserver"}) {
    INFO(kind);
    CHECK(test::FindValue(samples, "onlyoffice_exporter_collector_success",
                          {{"collector", kind}}) == 1);
  }
  const int status = exporter.GetProcess().Stop(std::chrono::milliseconds(15'000));
  const auto log = exporter.Log();

  std::printf(
      "\nSoak: %d scrapes of redis + Document Server (nginx, docservice, info, 2 commands) "
      "(Docker and RabbitMQ left out to keep the run short)%s\n"
      "  %.1f s in all, %.2f ms per scrape; resident memory %ld KiB after %d, %ld KiB after %d: "
      "%+ld KiB over %.1f s\n",
      kScrapes, kSanitized ? " [asan build: LeakSanitizer on]" : "", seconds,
      seconds * 1000 / kScrapes, warm_kib, kWarmUp, end_kib, kScrapes, end_kib - warm_kib,
      measured);
  std::fflush(stdout);

  INFO(log);
  CHECK(failed == 0);
  CHECK(unsuccessful == 0);
  CHECK(status == 0);
  CHECK(log.find("Sanitizer") == std::string::npos);
  CHECK(log.find("runtime error") == std::string::npos);
  // ASan keeps freed blocks in its quarantine (256 MiB) and shadow memory: resident memory
  // there measures ASan, not the exporter. The debug preset checks it.
  if (!kSanitized) CHECK(end_kib - warm_kib < 1024);
}

}  // namespace ooe
