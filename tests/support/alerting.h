// Real alerting for end-to-end tests: Alertmanager on a free port, a webhook receiver that
// records what Alertmanager delivers, and a copy of alerts/ with shortened `for:` durations.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace ooe::test {

// One webhook delivery from Alertmanager.
struct Delivery {
  std::string path;  // "/pager" or "/ticket": which receiver
  nlohmann::json body;
  std::chrono::steady_clock::time_point received;
};

class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();
  int Port() const { return port_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Delivery> Deliveries() const;
  // Waits for a firing alert named `alertname` delivered on `path`; returns it or nullopt.
  std::optional<Delivery> WaitForFiring(const std::string& path, const std::string& alertname,
                                        std::chrono::milliseconds timeout) const;

  struct Impl;

 private:
  int port_;
  std::unique_ptr<Impl> impl_;
};

class AlertmanagerServer {
 public:
  // Routes as alerts/alertmanager.yml does, with its receivers pointed at `receiver`.
  explicit AlertmanagerServer(const WebhookReceiver& receiver);
  int Port() const { return port_; }
  std::string Address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  TempDir dir_;
  int port_;
  Process process_;
};

// Writes copies of alerts/*.rules.yml into `directory` with every `for:` replaced by
// `for_duration` and, when `range` is set, every range selector ([5m], [15m]) by `range`: rate()
// divides by the whole range, so a fault younger than the range reads as a fraction of itself.
// Returns their paths.
std::vector<std::string> ShortenedRuleFiles(const std::filesystem::path& directory,
                                            const std::string& for_duration,
                                            const std::string& range = "");

}  // namespace ooe::test
