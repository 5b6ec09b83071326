// A real Prometheus for tests: scrapes the given targets every second, loads rule files, and
// answers PromQL over its HTTP API.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace ooe::test {

struct ScrapeTarget {
  std::string job;
  std::string address;  // host:port
};

class PrometheusServer {
 public:
  // `extra_config` is appended to prometheus.yml (for example an alerting: block).
  PrometheusServer(const std::vector<ScrapeTarget>& targets,
                   const std::vector<std::string>& rule_files, const std::string& extra_config = "",
                   const std::string& evaluation_interval = "1s");
  int Port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // GET /api/v1/query; the whole JSON answer ("status", "data" or "error").
  nlohmann::json Query(const std::string& expr) const;
  // Waits until `expr` returns at least one sample, up to `timeout`.
  bool WaitForData(const std::string& expr, std::chrono::milliseconds timeout) const;

 private:
  TempDir dir_;
  int port_;
  Process process_;
};

// `text` with every character that is not unreserved percent-encoded (for query strings).
std::string UrlEncode(const std::string& text);

}  // namespace ooe::test
