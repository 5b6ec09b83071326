// The HTTP side: civetweb with our own handlers for /metrics, the landing page and /-/healthy.
#pragma once

#include <memory>
#include <string>

#include "exporter/config.h"
#include "exporter/scrape.h"

namespace ooe {

class WebServer {
 public:
  // Starts listening; throws std::runtime_error with one line when it cannot (address in use).
  WebServer(const ExporterOptions& options, Scraper& scraper);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // The ports actually bound (useful with port 0).
  std::vector<int> ListeningPorts() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ":10981" -> "10981", "127.0.0.1:10981" as is, "[::1]:10981" as is: civetweb's
// listening_ports syntax for a Prometheus-style listen address. Throws std::invalid_argument.
std::string CivetListeningPort(const std::string& listen_address);

// The landing page's HTML.
std::string LandingPage(const ExporterOptions& options);

}  // namespace ooe
