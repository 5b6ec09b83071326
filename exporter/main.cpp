// onlyoffice-exporter: one process that watches a Document Server stack for Prometheus.
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <csignal>
#include <cstdlib>
#include <future>
#include <iostream>
#include <thread>

#include "base/config_node.h"
#include "base/log.h"
#include "exporter/config.h"
#include "exporter/scrape.h"
#include "exporter/version.h"
#include "exporter/web.h"

int main(int argc, char** argv) {
  // glibc gives every thread that allocates its own arena (up to 8 per core); an exporter's
  // allocations are small and rarely contended, and two arenas save over a MiB of resident
  // memory.
  mallopt(M_ARENA_MAX, 2);
  // A scrape of a thousand containers builds strings of megabytes and frees them. glibc's
  // default raises its mmap threshold to the largest block freed, so from the second scrape on
  // those come from the heap and stay resident between scrapes (107 MiB RssAnon at 1,000
  // containers, against 69 with the thresholds fixed): fixed, they are mapped and unmapped.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
  // Block the stop signals before any thread starts, so only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  ooe::ExporterOptions options;
  try {
    const auto action = ooe::ParseCommandLine(
        argc, argv, [](const char* name) { return std::getenv(name); }, std::cout, options);
    if (action == ooe::CommandLineAction::kExit) return 0;
  } catch (const ooe::ConfigError& error) {
    std::cerr << "onlyoffice-exporter: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {  // not the config's fault: libcurl missing, say
    std::cerr << "onlyoffice-exporter: " << error.what() << "\n";
    return 1;
  }
  ooe::ConfigureLogging(options.log_level, options.log_format);

  ooe::Scraper scraper(options.collectors);
  std::unique_ptr<ooe::WebServer> server;
  try {
    server = std::make_unique<ooe::WebServer>(options, scraper);
  } catch (const std::exception& error) {
    ooe::Log(ooe::LogLevel::kError, "cannot start the web server", {{"err", error.what()}});
    return 1;
  }
  ooe::Log(ooe::LogLevel::kInfo, "starting onlyoffice-exporter",
           {{"version", ooe::kVersion}, {"revision", ooe::kRevision}});
  for (const auto& collector : options.collectors) {
    ooe::Log(ooe::LogLevel::kInfo, "collector enabled",
             {{"collector", collector.kind},
              {"target", collector.target},
              {"source", collector.collector->Describe()}});
  }
  std::string ports;
  for (const int port : server->ListeningPorts()) {
    if (!ports.empty()) ports.push_back(',');
    ports.append(std::to_string(port));
  }
  ooe::Log(ooe::LogLevel::kInfo, "listening",
           {{"address", options.listen_address}, {"ports", ports}});

  int received = 0;
  sigwait(&stop_signals, &received);
  ooe::Log(ooe::LogLevel::kInfo, "stopping", {{"signal", received == SIGTERM ? "TERM" : "INT"}});
  // Waiting scrapes answer at once; collectors still talking to a backend get a short grace.
  scraper.Shutdown(std::chrono::milliseconds(600));
  // WebServer::Stop wakes civetweb's threads, so a clean stop takes milliseconds; the promise is
  // to be gone within 2 s, so a stop still stuck after 1 s is abandoned.
  std::promise<void> stopped;
  auto stopped_future = stopped.get_future();
  std::thread stopper([&] {
    server->Stop();
    stopped.set_value();
  });
  if (stopped_future.wait_for(std::chrono::milliseconds(1000)) != std::future_status::ready) {
    ooe::Log(ooe::LogLevel::kInfo, "stopped", {{"web_server", "abandoned idle connections"}});
#if defined(__SANITIZE_ADDRESS__)
    __lsan_do_leak_check();  // _Exit skips LeakSanitizer's exit-time check
#endif
    std::_Exit(0);
  }
  stopper.join();
  ooe::Log(ooe::LogLevel::kInfo, "stopped");
  return 0;
}
