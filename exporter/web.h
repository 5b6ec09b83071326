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

// The landing page's HTML.
std::string LandingPage(const ExporterOptions& options);

}  // namespace ooe
